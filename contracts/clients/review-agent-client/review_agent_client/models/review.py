from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.reply_status import ReplyStatus
from ..models.review_source import ReviewSource
from ..models.sentiment import Sentiment
from ..models.theme import Theme

T = TypeVar("T", bound="Review")


@_attrs_define
class Review:
    """A customer's review of one restaurant, with what the service derived from it.

    Attributes:
        author (str): The name the customer published under.
        body (str): The review's text, as the customer wrote it.
        created_at (datetime.datetime): When the review was published (UTC).
        id (UUID):
        location_id (str): A location's slug, such as `riverside`.
        location_name (str):
        rating (int): Stars, 1 (worst) to 5 (best).
        replied_at (datetime.datetime | None): When the reply was posted, if it was.
        reply_status (ReplyStatus):
        reply_text (None | str): The posted reply, or else the latest draft; null when there is neither.
        sentiment (Sentiment):
        source (ReviewSource):
        themes (list[Theme]): Topics the review talks about, derived from its text.
        title (str): The review's headline; may be empty.
    """

    author: str
    body: str
    created_at: datetime.datetime
    id: UUID
    location_id: str
    location_name: str
    rating: int
    replied_at: datetime.datetime | None
    reply_status: ReplyStatus
    reply_text: None | str
    sentiment: Sentiment
    source: ReviewSource
    themes: list[Theme]
    title: str

    def to_dict(self) -> dict[str, Any]:
        author = self.author

        body = self.body

        created_at = self.created_at.isoformat()

        id = str(self.id)

        location_id = self.location_id

        location_name = self.location_name

        rating = self.rating

        replied_at: None | str
        if isinstance(self.replied_at, datetime.datetime):
            replied_at = self.replied_at.isoformat()
        else:
            replied_at = self.replied_at

        reply_status = self.reply_status.value

        reply_text: None | str
        reply_text = self.reply_text

        sentiment = self.sentiment.value

        source = self.source.value

        themes = []
        for themes_item_data in self.themes:
            themes_item = themes_item_data.value
            themes.append(themes_item)

        title = self.title

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "author": author,
                "body": body,
                "created_at": created_at,
                "id": id,
                "location_id": location_id,
                "location_name": location_name,
                "rating": rating,
                "replied_at": replied_at,
                "reply_status": reply_status,
                "reply_text": reply_text,
                "sentiment": sentiment,
                "source": source,
                "themes": themes,
                "title": title,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        author = d.pop("author")

        body = d.pop("body")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        location_id = d.pop("location_id")

        location_name = d.pop("location_name")

        rating = d.pop("rating")

        def _parse_replied_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                replied_at_type_0 = datetime.datetime.fromisoformat(data)

                return replied_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        replied_at = _parse_replied_at(d.pop("replied_at"))

        reply_status = ReplyStatus(d.pop("reply_status"))

        def _parse_reply_text(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reply_text = _parse_reply_text(d.pop("reply_text"))

        sentiment = Sentiment(d.pop("sentiment"))

        source = ReviewSource(d.pop("source"))

        themes = []
        _themes = d.pop("themes")
        for themes_item_data in _themes:
            themes_item = Theme(themes_item_data)

            themes.append(themes_item)

        title = d.pop("title")

        review = cls(
            author=author,
            body=body,
            created_at=created_at,
            id=id,
            location_id=location_id,
            location_name=location_name,
            rating=rating,
            replied_at=replied_at,
            reply_status=reply_status,
            reply_text=reply_text,
            sentiment=sentiment,
            source=source,
            themes=themes,
            title=title,
        )

        return review
