"""The emulator's memory: users, chats, messages, drafts, updates, webhook, calls and faults.

One re-entrant lock guards every structure (critical sections never await), so the state is
safe to touch from the event loop and from other threads alike. A notifier wakes every waiter
(long polls, transcript watchers, the webhook deliverer) after each change; waiters re-check
their own condition, which keeps wake-ups simple and never lost.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from meshdev.telegram_emulator.faults import Cooldown, FaultPlan, FloodModel
from meshdev.telegram_emulator.models import (
    CallbackEntry,
    Chat,
    ChatActionEntry,
    ChatType,
    Delivery,
    DraftEntry,
    DraftState,
    FloodLimits,
    JsonObject,
    MediaKind,
    MessageEntry,
    RecordedCall,
    Transcript,
    TranscriptEntry,
    TranscriptMessage,
    UpdateRecord,
    UpdateStatus,
    User,
)
from meshdev.telegram_emulator.settings import EmulatorSettings

T = TypeVar("T")

_MAX_CALLS = 20_000
_MAX_DELIVERIES = 5_000
_FIRST_USER_ID = 10_001
_GROUP_BASE = -1_000_000
_SUPERGROUP_BASE = -1_001_000_000_000


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Notifier:
    """Wakes every waiter, on whatever event loop it waits, when the state changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def notify_all(self) -> None:
        with self._lock:
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_resolve, future)

    async def wait_for(self, check: Callable[[], T | None], within_s: float | None) -> T | None:
        """`check()`'s first non-None answer, or None once `within_s` seconds have passed."""
        loop = asyncio.get_running_loop()
        deadline = None if within_s is None else loop.time() + within_s
        while True:
            future: asyncio.Future[None] = loop.create_future()
            entry = (loop, future)
            # Registering before checking means a change between the two still wakes us.
            with self._lock:
                self._waiters.append(entry)
            try:
                result = check()
                if result is not None:
                    return result
                if deadline is None:
                    await future
                    continue
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return None
                try:
                    async with asyncio.timeout(remaining):
                        await future
                except TimeoutError:
                    return check()
            finally:
                with self._lock:
                    if entry in self._waiters:
                        self._waiters.remove(entry)


@dataclass
class UserRecord:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def telegram(self) -> JsonObject:
        out: JsonObject = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    def model(self) -> User:
        return User.model_validate(self.telegram())


@dataclass
class MessageRecord:
    chat_id: int
    message_id: int
    sender: UserRecord
    from_bot: bool
    date: int
    seq: int
    at: float
    version: int = 0
    text: str | None = None
    entities: list[JsonObject] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JsonObject] = field(default_factory=list)
    media: MediaKind | None = None
    media_json: JsonObject | None = None
    reply_markup: JsonObject | None = None
    reply_to: int | None = None
    thread_id: int | None = None
    is_topic_message: bool = False
    link_preview_options: JsonObject | None = None
    edit_date: int | None = None
    edits: int = 0
    deleted: bool = False


@dataclass
class DraftRecord:
    chat_id: int
    draft_id: int
    thread_id: int | None
    seq: int
    at: float
    version: int = 0
    states: list[DraftState] = field(default_factory=list)
    superseded_by: int | None = None


@dataclass
class ActionRecord:
    chat_id: int
    action: str
    thread_id: int | None
    seq: int
    at: float
    version: int = 0


@dataclass
class CallbackRecord:
    id: str
    chat_id: int
    message_id: int
    user: UserRecord
    data: str
    button_text: str
    seq: int
    at: float
    version: int = 0
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False


Item = MessageRecord | DraftRecord | ActionRecord | CallbackRecord


@dataclass
class ChatRecord:
    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False
    blocked: bool = False
    migrated_to: int | None = None
    topics: dict[int, str] = field(default_factory=dict)
    next_message_id: int = 1
    last_user_message_id: int = 0
    items: list[Item] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def telegram(self) -> JsonObject:
        out: JsonObject = {"id": self.id, "type": self.type}
        if self.type == "private":
            out["first_name"] = self.first_name or ""
            if self.last_name:
                out["last_name"] = self.last_name
        else:
            out["title"] = self.title or ""
        if self.username:
            out["username"] = self.username
        if self.is_forum:
            out["is_forum"] = True
        return out

    def model(self) -> Chat:
        return Chat(
            id=self.id,
            type=self.type,
            title=self.title,
            username=self.username,
            first_name=self.first_name,
            last_name=self.last_name,
            is_forum=self.is_forum,
            blocked=self.blocked,
            migrated_to_chat_id=self.migrated_to,
            topics=dict(self.topics),
        )


@dataclass
class PendingUpdate:
    update_id: int
    kind: str
    chat_id: int | None
    payload: JsonObject
    status: UpdateStatus = "pending"
    attempts: int = 0

    def model(self) -> UpdateRecord:
        return UpdateRecord(
            update_id=self.update_id,
            kind=self.kind,
            chat_id=self.chat_id,
            status=self.status,
            attempts=self.attempts,
            update=self.payload,
        )


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int


@dataclass
class Poll:
    """One getUpdates request; a newer one terminates it, as on Telegram."""

    generation: int
    terminated: bool = False


PollOutcome = Literal["terminated", "webhook"]


class State:
    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.lock = threading.RLock()
        self.notifier = Notifier()
        self.bot = UserRecord(
            id=settings.bot_id,
            first_name=settings.bot_first_name,
            username=settings.bot_username,
            is_bot=True,
        )
        self.poll: Poll | None = None
        #: Bumped by every reset, so that waits begun before one do not outlive it.
        self.generation = 0
        self.clear()

    def clear(self) -> None:
        """Forget everything but the bot itself."""
        with self.transaction():
            self.users: dict[int, UserRecord] = {}
            self.chats: dict[int, ChatRecord] = {}
            self.messages: dict[tuple[int, int], MessageRecord] = {}
            self.callbacks: dict[str, CallbackRecord] = {}
            self.updates: list[PendingUpdate] = []
            self.pending: list[PendingUpdate] = []
            self.next_update_id = 1
            self.version = 0
            self.seq = 0
            self.webhook: Webhook | None = None
            self.last_error_date: int | None = None
            self.last_error_message: str | None = None
            self.allowed_updates: list[str] | None = None
            self.poll = None
            self.calls: deque[RecordedCall] = deque(maxlen=_MAX_CALLS)
            self.call_seq = 0
            self.faults: list[FaultPlan] = []
            self.next_fault_id = 1
            self.cooldowns: list[Cooldown] = []
            self.flood = FloodModel(FloodLimits(enabled=self.settings.flood_limits))
            self.commands: dict[tuple[str, str], list[JsonObject]] = {}
            self.deliveries: deque[Delivery] = deque(maxlen=_MAX_DELIVERIES)
            self.next_callback = 1
            self.generation += 1

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            yield
        self.notifier.notify_all()

    def stamp(self, item: Item) -> None:
        self.version += 1
        item.version = self.version

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    # Users and chats ---------------------------------------------------------------------

    def new_user_id(self) -> int:
        candidate = _FIRST_USER_ID + len(self.users)
        while candidate in self.users or candidate in self.chats:
            candidate += 1
        return candidate

    def new_group_id(self, kind: ChatType) -> int:
        base = _SUPERGROUP_BASE if kind == "supergroup" else _GROUP_BASE
        candidate = base - 1 - len(self.chats)
        while candidate in self.chats:
            candidate -= 1
        return candidate

    def chat_by_username(self, username: str) -> ChatRecord | None:
        wanted = username.lower()
        for chat in self.chats.values():
            if chat.username and chat.username.lower() == wanted:
                return chat
        return None

    def add_item(self, chat: ChatRecord, item: Item) -> None:
        self.stamp(item)
        chat.items.append(item)

    # Telegram JSON -----------------------------------------------------------------------

    def message_json(self, message: MessageRecord, *, with_reply: bool = True) -> JsonObject:
        chat = self.chats[message.chat_id]
        out: JsonObject = {"message_id": message.message_id}
        if message.thread_id is not None:
            out["message_thread_id"] = message.thread_id
        out["from"] = message.sender.telegram()
        out["chat"] = chat.telegram()
        out["date"] = message.date
        if message.edit_date is not None:
            out["edit_date"] = message.edit_date
        if message.is_topic_message:
            out["is_topic_message"] = True
        if with_reply and message.reply_to is not None:
            replied = self.messages.get((message.chat_id, message.reply_to))
            if replied is not None and not replied.deleted:
                out["reply_to_message"] = self.message_json(replied, with_reply=False)
        if message.text is not None:
            out["text"] = message.text
            if message.entities:
                out["entities"] = message.entities
        if message.media_json:
            out.update(message.media_json)
        if message.caption is not None:
            out["caption"] = message.caption
            if message.caption_entities:
                out["caption_entities"] = message.caption_entities
        if message.link_preview_options is not None:
            out["link_preview_options"] = message.link_preview_options
        # Only inline keyboards are part of a Message; reply keyboards live on the client.
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            out["reply_markup"] = message.reply_markup
        return out

    def chat_instance(self, chat_id: int) -> str:
        digest = hashlib.sha256(f"{self.bot.id}:{chat_id}".encode()).digest()
        return str(int.from_bytes(digest[:8], "big") >> 1)

    # Updates -----------------------------------------------------------------------------

    def enqueue(
        self, kind: str, chat_id: int | None, body: JsonObject, *, addressed: bool
    ) -> PendingUpdate:
        update_id = self.next_update_id
        self.next_update_id += 1
        update = PendingUpdate(update_id, kind, chat_id, {"update_id": update_id, kind: body})
        chat = self.chats.get(chat_id) if chat_id is not None else None
        hidden_by_privacy = (
            self.settings.privacy_mode
            and kind == "message"
            and chat is not None
            and chat.is_group
            and not addressed
        )
        if (self.allowed_updates and kind not in self.allowed_updates) or hidden_by_privacy:
            update.status = "filtered"
        else:
            self.pending.append(update)
        self.updates.append(update)
        return update

    def settle(self, update: PendingUpdate, status: UpdateStatus) -> None:
        update.status = status
        if update in self.pending:
            self.pending.remove(update)

    def confirm(self, offset: int) -> None:
        """getUpdates' offset: forget updates below it; a negative one keeps the last -offset."""
        if offset > 0:
            confirmed = [u for u in self.pending if u.update_id < offset]
        elif offset < 0:
            confirmed = self.pending[: max(len(self.pending) + offset, 0)]
        else:
            confirmed = []
        for update in confirmed:
            self.settle(update, "confirmed")

    def drop_pending(self) -> None:
        for update in list(self.pending):
            self.settle(update, "dropped")

    def begin_poll(self) -> Poll:
        if self.poll is not None:
            self.poll.terminated = True
        self.poll = Poll(self.generation)
        return self.poll

    def end_poll(self, poll: Poll) -> None:
        with self.transaction():
            if self.poll is poll:
                self.poll = None

    def poll_result(self, poll: Poll, limit: int) -> list[JsonObject] | PollOutcome | None:
        with self.lock:
            if poll.generation != self.generation:
                # A reset answers a waiting poll with nothing rather than a conflict.
                return []
            if poll.terminated:
                return "terminated"
            if self.webhook is not None:
                return "webhook"
            if not self.pending:
                return None
            return [update.payload for update in self.pending[:limit]]

    # Webhook delivery --------------------------------------------------------------------

    def webhook_lanes(self) -> set[int | None]:
        """Chats with updates waiting for the webhook (each chat is delivered in order)."""
        with self.lock:
            if self.webhook is None:
                return set()
            return {update.chat_id for update in self.pending}

    def next_delivery(self, lane: int | None) -> tuple[Webhook, PendingUpdate] | None:
        with self.lock:
            if self.webhook is None:
                return None
            for update in self.pending:
                if update.chat_id == lane:
                    return self.webhook, update
            return None

    # Transcript --------------------------------------------------------------------------

    def transcript_message(self, message: MessageRecord) -> TranscriptMessage:
        return TranscriptMessage(
            message_id=message.message_id,
            from_bot=message.from_bot,
            sender=message.sender.model(),
            date=message.date,
            text=message.text,
            entities=message.entities,
            caption=message.caption,
            media=message.media,
            reply_markup=message.reply_markup,
            reply_to_message_id=message.reply_to,
            thread_id=message.thread_id,
            edit_date=message.edit_date,
            edits=message.edits,
            deleted=message.deleted,
            telegram=self.message_json(message),
        )

    def entry(self, item: Item) -> TranscriptEntry:
        if isinstance(item, MessageRecord):
            return MessageEntry(
                seq=item.seq,
                version=item.version,
                at=item.at,
                message=self.transcript_message(item),
            )
        if isinstance(item, DraftRecord):
            return DraftEntry(
                seq=item.seq,
                version=item.version,
                at=item.at,
                draft_id=item.draft_id,
                thread_id=item.thread_id,
                states=list(item.states),
                superseded_by=item.superseded_by,
            )
        if isinstance(item, ActionRecord):
            return ChatActionEntry(
                seq=item.seq,
                version=item.version,
                at=item.at,
                action=item.action,
                thread_id=item.thread_id,
            )
        return CallbackEntry(
            seq=item.seq,
            version=item.version,
            at=item.at,
            callback_query_id=item.id,
            message_id=item.message_id,
            data=item.data,
            button_text=item.button_text,
            user=item.user.model(),
            answered=item.answered,
            answer_text=item.answer_text,
            show_alert=item.show_alert,
        )

    def transcript(self, chat_id: int, after_version: int = 0) -> Transcript | None:
        with self.lock:
            chat = self.chats.get(chat_id)
            if chat is None:
                return None
            changed = [item for item in chat.items if item.version > after_version]
            version = max((item.version for item in chat.items), default=0)
            return Transcript(
                chat=chat.model(),
                version=version,
                entries=[self.entry(item) for item in sorted(changed, key=lambda i: i.seq)],
            )

    # Calls -------------------------------------------------------------------------------

    def record_call(self, call: dict[str, Any]) -> RecordedCall:
        with self.transaction():
            self.call_seq += 1
            recorded = RecordedCall.model_validate({"seq": self.call_seq, **call})
            self.calls.append(recorded)
            return recorded
