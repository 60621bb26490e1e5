from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.review_source import ReviewSource
from ..types import UNSET, Unset

T = TypeVar("T", bound="ReviewCreate")


@_attrs_define
class ReviewCreate:
    """A review to record, for example one a guest left with staff or sent by email.

    Attributes:
        author (str): The customer's name as they want it shown.
        body (str): The review's text, plain text.
        location_id (str): A location's slug, such as `riverside`.
        rating (int): Stars, 1 (worst) to 5 (best).
        created_at (datetime.datetime | None | Unset): When the review was written, with a time zone; now when omitted.
            Must not be in the future.
        source (ReviewSource | Unset):
        title (str | Unset): A short headline; optional. Default: ''.
    """

    author: str
    body: str
    location_id: str
    rating: int
    created_at: datetime.datetime | None | Unset = UNSET
    source: ReviewSource | Unset = UNSET
    title: str | Unset = ""

    def to_dict(self) -> dict[str, Any]:
        author = self.author

        body = self.body

        location_id = self.location_id

        rating = self.rating

        created_at: None | str | Unset
        if isinstance(self.created_at, Unset):
            created_at = UNSET
        elif isinstance(self.created_at, datetime.datetime):
            created_at = self.created_at.isoformat()
        else:
            created_at = self.created_at

        source: str | Unset = UNSET
        if not isinstance(self.source, Unset):
            source = self.source.value

        title = self.title

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "author": author,
                "body": body,
                "location_id": location_id,
                "rating": rating,
            }
        )
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if source is not UNSET:
            field_dict["source"] = source
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        author = d.pop("author")

        body = d.pop("body")

        location_id = d.pop("location_id")

        rating = d.pop("rating")

        def _parse_created_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                created_at_type_0 = datetime.datetime.fromisoformat(data)

                return created_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        created_at = _parse_created_at(d.pop("created_at", UNSET))

        _source = d.pop("source", UNSET)
        source: ReviewSource | Unset
        if isinstance(_source, Unset):
            source = UNSET
        else:
            source = ReviewSource(_source)

        title = d.pop("title", UNSET)

        review_create = cls(
            author=author,
            body=body,
            location_id=location_id,
            rating=rating,
            created_at=created_at,
            source=source,
            title=title,
        )

        return review_create
