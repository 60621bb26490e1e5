from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.reply_status import ReplyStatus
from ..models.reply_tone import ReplyTone
from ..models.theme import Theme

T = TypeVar("T", bound="ReviewReply")


@_attrs_define
class ReviewReply:
    """A reply to a review: a draft for a manager to check, or the reply that was posted.

    Attributes:
        created_at (datetime.datetime):
        id (UUID):
        posted_at (datetime.datetime | None):
        review_id (UUID):
        status (ReplyStatus):
        text (str): The reply, plain text, under 900 characters.
        themes (list[Theme]): The review's themes the reply addresses.
        tone (ReplyTone):
    """

    created_at: datetime.datetime
    id: UUID
    posted_at: datetime.datetime | None
    review_id: UUID
    status: ReplyStatus
    text: str
    themes: list[Theme]
    tone: ReplyTone

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        id = str(self.id)

        posted_at: None | str
        if isinstance(self.posted_at, datetime.datetime):
            posted_at = self.posted_at.isoformat()
        else:
            posted_at = self.posted_at

        review_id = str(self.review_id)

        status = self.status.value

        text = self.text

        themes = []
        for themes_item_data in self.themes:
            themes_item = themes_item_data.value
            themes.append(themes_item)

        tone = self.tone.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "posted_at": posted_at,
                "review_id": review_id,
                "status": status,
                "text": text,
                "themes": themes,
                "tone": tone,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = UUID(d.pop("id"))

        def _parse_posted_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                posted_at_type_0 = datetime.datetime.fromisoformat(data)

                return posted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        posted_at = _parse_posted_at(d.pop("posted_at"))

        review_id = UUID(d.pop("review_id"))

        status = ReplyStatus(d.pop("status"))

        text = d.pop("text")

        themes = []
        _themes = d.pop("themes")
        for themes_item_data in _themes:
            themes_item = Theme(themes_item_data)

            themes.append(themes_item)

        tone = ReplyTone(d.pop("tone"))

        review_reply = cls(
            created_at=created_at,
            id=id,
            posted_at=posted_at,
            review_id=review_id,
            status=status,
            text=text,
            themes=themes,
            tone=tone,
        )

        return review_reply
