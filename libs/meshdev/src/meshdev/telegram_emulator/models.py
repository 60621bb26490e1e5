"""The control API's shapes, shared by the server (`control.py`) and the client (`client.py`).

Telegram's own objects (Message, Update, ...) travel as plain JSON objects in `telegram`
fields: they are what a bot sees, and tests assert on them as such.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

JsonObject = dict[str, Any]
ChatType = Literal["private", "group", "supergroup"]
MediaKind = Literal["photo", "document", "voice", "sticker"]
FaultKind = Literal[
    "too_many_requests",
    "forbidden",
    "parse_error",
    "bad_request",
    "server_error",
    "latency",
    "drop",
]
UpdateStatus = Literal["pending", "delivered", "confirmed", "dropped", "filtered"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserSpec(_Model):
    """A Telegram user to create or reuse; without an id the emulator picks one."""

    id: int | None = Field(default=None, gt=0)
    first_name: str = Field(default="Test", min_length=1, max_length=64)
    last_name: str | None = None
    username: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]{2,31}$")
    language_code: str | None = "en"
    is_bot: bool = False


class User(_Model):
    id: int
    is_bot: bool
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


class ChatSpec(_Model):
    """A chat to create or reuse. A private chat's id is its user's id."""

    id: int | None = None
    type: ChatType = "private"
    title: str | None = None
    username: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
    is_forum: bool = False
    user: UserSpec | None = None


class Chat(_Model):
    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False
    blocked: bool = False
    migrated_to_chat_id: int | None = None
    topics: dict[int, str] = Field(default_factory=dict)


class TopicSpec(_Model):
    name: str = Field(min_length=1, max_length=128)


class Topic(_Model):
    chat_id: int
    message_thread_id: int
    name: str


class BlockSpec(_Model):
    blocked: bool = True


class MigrateSpec(_Model):
    to_chat_id: int | None = Field(default=None, lt=0)


class SendSpec(_Model):
    """A message a user writes; becomes a `message` update."""

    chat_id: int
    text: str | None = None
    user: UserSpec | int | None = None
    thread_id: int | None = None
    reply_to: int | None = None
    entities: list[JsonObject] | None = None
    media: MediaKind | None = None
    caption: str | None = None


class Sent(_Model):
    update_id: int
    chat_id: int
    message_id: int


class PressSpec(_Model):
    """A user pressing an inline button; becomes a `callback_query` update."""

    chat_id: int
    message_id: int
    data: str
    user: UserSpec | int | None = None


class Pressed(_Model):
    update_id: int
    callback_query_id: str


class InlineButton(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str
    callback_data: str | None = None
    url: str | None = None


class TranscriptMessage(_Model):
    message_id: int
    from_bot: bool
    sender: User
    date: int
    text: str | None = None
    entities: list[JsonObject] = Field(default_factory=list)
    caption: str | None = None
    media: MediaKind | None = None
    reply_markup: JsonObject | None = None
    reply_to_message_id: int | None = None
    thread_id: int | None = None
    edit_date: int | None = None
    edits: int = 0
    deleted: bool = False
    #: The Message object as the Bot API returns it.
    telegram: JsonObject

    @property
    def buttons(self) -> list[list[InlineButton]]:
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[InlineButton.model_validate(button) for button in row] for row in rows]


class MessageEntry(_Model):
    kind: Literal["message"] = "message"
    seq: int
    version: int
    at: float
    message: TranscriptMessage


class DraftState(_Model):
    text: str
    entities: list[JsonObject] = Field(default_factory=list)
    at: float


class DraftEntry(_Model):
    kind: Literal["draft"] = "draft"
    seq: int
    version: int
    at: float
    draft_id: int
    thread_id: int | None = None
    states: list[DraftState]
    #: The bot message sent after the draft in the same chat and thread, which replaces it.
    superseded_by: int | None = None


class ChatActionEntry(_Model):
    kind: Literal["chat_action"] = "chat_action"
    seq: int
    version: int
    at: float
    action: str
    thread_id: int | None = None


class CallbackEntry(_Model):
    kind: Literal["callback_query"] = "callback_query"
    seq: int
    version: int
    at: float
    callback_query_id: str
    message_id: int
    data: str
    #: The pressed button's label when it was pressed.
    button_text: str
    user: User
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False


TranscriptEntry = Annotated[
    MessageEntry | DraftEntry | ChatActionEntry | CallbackEntry, Field(discriminator="kind")
]


class Transcript(_Model):
    chat: Chat
    #: Highest entry version; pass it back as `after_version` to wait for the next change.
    version: int
    entries: list[TranscriptEntry]

    def messages(self, *, include_deleted: bool = False) -> list[TranscriptMessage]:
        return [
            entry.message
            for entry in self.entries
            if isinstance(entry, MessageEntry) and (include_deleted or not entry.message.deleted)
        ]

    def bot_messages(self) -> list[TranscriptMessage]:
        return [message for message in self.messages() if message.from_bot]

    def drafts(self) -> list[DraftEntry]:
        return [entry for entry in self.entries if isinstance(entry, DraftEntry)]

    def chat_actions(self) -> list[ChatActionEntry]:
        return [entry for entry in self.entries if isinstance(entry, ChatActionEntry)]


class RecordedCall(_Model):
    seq: int
    at: float
    method: str
    http_method: str
    #: "webhook_reply" for a method a webhook answered with in its response body.
    via: Literal["http", "webhook_reply"] = "http"
    params: JsonObject
    chat_id: int | None = None
    status: int
    ok: bool
    result: Any = None
    description: str | None = None
    parameters: JsonObject | None = None
    #: Why the emulator refused the call before running it, if it did.
    cause: Literal["fault", "cooldown", "flood"] | None = None
    duration_s: float


class CallList(_Model):
    calls: list[RecordedCall]


class FaultSpec(_Model):
    """What the next `count` matching Bot API calls get instead of their normal answer."""

    method: str = "*"
    kind: FaultKind
    count: int = Field(default=1, ge=1)
    chat_id: int | None = None
    retry_after: int = Field(default=5, ge=1, le=3600)
    latency_s: float = Field(default=1.0, ge=0, le=120)
    description: str | None = None
    #: For `drop`: run the call first, so the bot's change happens but its answer is lost.
    executed: bool = False


class Fault(_Model):
    id: int
    spec: FaultSpec
    remaining: int
    fired: int


class FaultList(_Model):
    faults: list[Fault]


class FloodLimits(_Model):
    """Telegram's documented limits; off unless enabled."""

    enabled: bool = False
    per_chat_per_second: float = Field(default=1.0, gt=0)
    per_chat_burst: float = Field(default=3.0, ge=1)
    global_per_second: float = Field(default=30.0, ge=1)
    group_per_minute: float = Field(default=20.0, ge=1)


class UpdateRecord(_Model):
    update_id: int
    kind: str
    chat_id: int | None
    status: UpdateStatus
    attempts: int
    update: JsonObject


class UpdateList(_Model):
    updates: list[UpdateRecord]


class Delivery(_Model):
    update_id: int
    attempt: int
    at: float
    url: str
    status_code: int | None = None
    error: str | None = None
    secret_header: bool
    duration_s: float


class WebhookState(_Model):
    url: str
    secret_token_set: bool
    max_connections: int
    allowed_updates: list[str] | None = None
    pending_update_count: int
    last_error_date: int | None = None
    last_error_message: str | None = None
    deliveries: list[Delivery]


class BotInfo(_Model):
    id: int
    username: str
    first_name: str
    privacy_mode: bool
