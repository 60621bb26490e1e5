"""Telegram updates as they arrive: parsed tolerantly (unknown fields and update types are
accepted and ignored), with only what the gateway uses typed."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

_TOLERANT = ConfigDict(extra="allow", populate_by_name=True)
#: Update types the gateway acts on; everything else is stored and acknowledged.
HANDLED = ("message", "callback_query")
_KNOWN = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "callback_query",
    "inline_query",
    "chosen_inline_result",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "poll",
    "poll_answer",
    "message_reaction",
    "message_reaction_count",
    "pre_checkout_query",
    "shipping_query",
)


class User(BaseModel):
    model_config = _TOLERANT
    id: int
    is_bot: bool = False
    first_name: str = ""
    username: str | None = None


class Chat(BaseModel):
    model_config = _TOLERANT
    id: int
    type: str
    title: str | None = None
    is_forum: bool | None = None


class Entity(BaseModel):
    model_config = _TOLERANT
    type: str
    offset: int
    length: int


class Message(BaseModel):
    model_config = _TOLERANT
    message_id: int
    date: int = 0
    chat: Chat
    sender: User | None = Field(default=None, alias="from")
    text: str | None = None
    caption: str | None = None
    entities: list[Entity] | None = None
    message_thread_id: int | None = None
    is_topic_message: bool | None = None
    reply_to_message: Message | None = None

    @property
    def thread_id(self) -> int | None:
        # Only forum topics are threads; a reply chain in a plain group is not.
        return self.message_thread_id if self.is_topic_message else None


class CallbackQuery(BaseModel):
    model_config = _TOLERANT
    id: str
    sender: User = Field(alias="from")
    message: Message | None = None
    data: str | None = None


class Update(BaseModel):
    model_config = _TOLERANT
    update_id: int = Field(ge=0)
    message: Message | None = None
    callback_query: CallbackQuery | None = None

    @property
    def kind(self) -> str:
        for name in _KNOWN:
            if getattr(self, name, None) is not None or (self.model_extra or {}).get(name):
                return name
        return "unknown"

    @property
    def chat_id(self) -> int | None:
        if self.message is not None:
            return self.message.chat.id
        if self.callback_query is not None and self.callback_query.message is not None:
            return self.callback_query.message.chat.id
        for value in (self.model_extra or {}).values():
            if isinstance(value, dict) and isinstance(value.get("chat"), dict):
                chat_id = value["chat"].get("id")
                return chat_id if isinstance(chat_id, int) else None
        return None

    @property
    def ordering_key(self) -> str:
        """Updates with the same key are handled one at a time, in order."""
        message = self.message or (self.callback_query.message if self.callback_query else None)
        if message is None:
            return f"update:{self.update_id}"
        thread = message.thread_id or 0
        return f"tg:{message.chat.id}:{thread}"


class UnusableUpdate(ValueError):
    """The body is JSON but not an update we can even key (no integer update_id)."""


def parse_update_json(text: str) -> Update:
    """Parse an update from its JSON text: Pydantic's own JSON parser in the common case (no
    Python dictionary of the whole body first); anything it refuses goes the tolerant way.
    Raises `ValueError` for text that is not JSON, `UnusableUpdate` for JSON that is not an
    update."""
    try:
        return Update.model_validate_json(text)
    except ValidationError:
        return parse_update(json.loads(text))


def parse_update(payload: Any) -> Update:
    """Parse an update; a known part that does not parse is dropped, not fatal, so Telegram
    adding or changing fields never makes the gateway refuse (and lose) an update."""
    if not isinstance(payload, dict):
        raise UnusableUpdate("an update must be a JSON object")
    try:
        return Update.model_validate(payload)
    except ValidationError:
        pass
    update_id = payload.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        raise UnusableUpdate("an update needs a non-negative integer update_id")
    # Keep what parses; an unparseable message/callback is stored but not acted on.
    return Update.model_validate({k: v for k, v in payload.items() if k not in HANDLED})
