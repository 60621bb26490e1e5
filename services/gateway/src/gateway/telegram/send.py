"""Sending an answer: Markdown in, as many Telegram messages as it takes out; and "typing…"
while the answer is being worked on."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from gateway.telegram.api import (
    BotApi,
    CantParseEntities,
    ChatBlocked,
    ChatId,
    ChatMigrated,
    JsonObject,
    Message,
    RetryAfter,
    TelegramError,
)
from gateway.telegram.format import html_to_plain, to_html
from gateway.telegram.split import MAX_MESSAGE_LENGTH, split_html, split_plain

log = logging.getLogger(__name__)

#: Called with (old chat id, new chat id) when a group turned out to be a supergroup now.
OnMigrate = Callable[[ChatId, int], Awaitable[None]]

#: Telegram shows "typing…" for about 5 s or until the next message, whichever comes first.
TYPING_EVERY_S = 4.0


async def send_text(
    api: BotApi,
    chat_id: ChatId,
    markdown: str,
    *,
    thread_id: int | None = None,
    reply_to: int | None = None,
    reply_markup: JsonObject | None = None,
    on_migrate: OnMigrate | None = None,
    limit: int = MAX_MESSAGE_LENGTH,
) -> list[Message]:
    """Send `markdown` as Telegram HTML, split into as many messages as it needs, in order.

    The first message replies to `reply_to`; only the last one carries `reply_markup`, so
    buttons sit under the end of the answer. A chunk whose markup Telegram refuses is sent
    again as plain text. When the group became a supergroup, the rest goes to the new chat
    and `on_migrate` hears of it (the messages' `chat.id` says so too). `ChatBlocked`
    propagates: the caller marks the chat. Nothing to show (empty or blank) sends nothing.
    """
    chunks = split_html(to_html(markdown), limit)
    sent: list[Message] = []
    target = chat_id
    for number, chunk in enumerate(chunks):
        last = number == len(chunks) - 1
        first = number == 0
        try:
            messages = await _send_chunk(
                api,
                target,
                chunk,
                thread_id,
                reply_to if first else None,
                reply_markup if last else None,
                limit,
            )
        except ChatMigrated as exc:
            log.info(
                "telegram chat migrated",
                extra={"chat_id": target, "migrate_to_chat_id": exc.migrate_to_chat_id},
            )
            old, target = target, exc.migrate_to_chat_id
            if on_migrate is not None:
                await on_migrate(old, target)
            # Once: a second migration answer would mean Telegram is confused, not us.
            messages = await _send_chunk(
                api,
                target,
                chunk,
                thread_id,
                reply_to if first else None,
                reply_markup if last else None,
                limit,
            )
        sent.extend(messages)
    return sent


async def _send_chunk(
    api: BotApi,
    chat_id: ChatId,
    chunk: str,
    thread_id: int | None,
    reply_to: int | None,
    reply_markup: JsonObject | None,
    limit: int,
) -> list[Message]:
    reply = _reply_parameters(reply_to)
    try:
        return [
            await api.send_message(
                chat_id,
                chunk,
                parse_mode="HTML",
                message_thread_id=thread_id,
                reply_markup=reply_markup,
                reply_parameters=reply,
            )
        ]
    except CantParseEntities as exc:
        # Our formatter's output should always parse; if Telegram disagrees, the words
        # still reach the user, only without formatting.
        log.warning(
            "telegram refused markup, sending plain text",
            extra={"chat_id": chat_id, "error": exc.description},
        )
    # Spelled-out link targets can make the plain text longer than the chunk was.
    pieces = split_plain(html_to_plain(chunk), limit)
    messages: list[Message] = []
    for number, piece in enumerate(pieces):
        messages.append(
            await api.send_message(
                chat_id,
                piece,
                message_thread_id=thread_id,
                reply_markup=reply_markup if number == len(pieces) - 1 else None,
                reply_parameters=reply if number == 0 else None,
            )
        )
    return messages


def _reply_parameters(reply_to: int | None) -> dict[str, Any] | None:
    if reply_to is None:
        return None
    # The question may have been deleted meanwhile; the answer is still worth sending.
    return {"message_id": reply_to, "allow_sending_without_reply": True}


@dataclass(slots=True)
class _Chat:
    #: `keep` blocks open for this chat (two turns of one chat can overlap briefly).
    holders: int = 1
    #: No renewal before this (the loop's clock): Telegram asked to wait.
    not_before: float = 0.0
    blocked: bool = False
    sending: asyncio.Task[None] | None = None
    #: The context of the turn that asked for the indicator: its calls belong to that
    #: turn's trace, whichever task makes them.
    context: contextvars.Context = field(default_factory=contextvars.copy_context)


_Key = tuple[ChatId, int | None]


class TypingIndicators:
    """ "typing…" in every chat whose answer is being worked on, for one bot.

    Telegram shows the indicator for about 5 s or until the next message, so it is renewed
    every `every_s`. The first indicator of a chat goes out at once; the renewals of all
    chats are made by one task, in turn, evenly spaced (`every_s` / number of chats apart),
    rather than by a timer per chat: questions that arrive together (a burst, a morning of
    briefings) would otherwise renew together, and a burst of Bot API calls stalls the
    process's event loop, webhook answers included, for tens of milliseconds.

    The indicator is a courtesy: failures are logged and never reach the block, a flood
    wait only holds back that chat's renewals, and a chat that blocked the bot is left
    alone. A block's exit cancels its chat's indicator call in flight.
    """

    def __init__(self, api: BotApi, *, every_s: float = TYPING_EVERY_S) -> None:
        self.api = api
        self.every_s = every_s
        self._chats: dict[_Key, _Chat] = {}
        #: Renewal order: the chat renewed longest ago first.
        self._rotation: OrderedDict[_Key, None] = OrderedDict()
        self._changed = asyncio.Event()
        self._renewer: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def keep(self, chat_id: ChatId, thread_id: int | None = None) -> AsyncIterator[None]:
        """Show "typing…" in the chat from now until the block exits."""
        key = (chat_id, thread_id)
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = _Chat()
            self._send(key, chat)
            self._rotation[key] = None
            self._changed.set()
            if self._renewer is None or self._renewer.done():
                # A context of its own: the renewer serves every chat, not the first turn.
                self._renewer = asyncio.create_task(
                    self._renew(), name="keep-typing-renewer", context=contextvars.Context()
                )
        else:
            chat.holders += 1
        try:
            yield
        finally:
            chat.holders -= 1
            if chat.holders == 0:
                await self._drop(key, chat)

    async def _drop(self, key: _Key, chat: _Chat) -> None:
        if self._chats.get(key) is chat:
            del self._chats[key]
            self._rotation.pop(key, None)
            self._changed.set()
        stopping = [chat.sending] if chat.sending is not None else []
        if not self._chats and self._renewer is not None:
            stopping.append(self._renewer)
            self._renewer = None
        for task in stopping:
            task.cancel()
        if stopping:
            # `wait` rather than `await`: a cancellation of the caller itself still
            # propagates instead of being taken for the task's.
            await asyncio.wait(stopping)

    async def _renew(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while self._chats:
            wait = last + self.every_s / len(self._chats) - loop.time()
            if wait > 0:
                # Woken early when chats come or go: the spacing changes with their number.
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self._changed.wait()
                continue
            last = loop.time()
            key = self._next(last)
            if key is not None:
                self._send(key, self._chats[key])

    def _next(self, now: float) -> _Key | None:
        """The chat due a renewal: the one renewed longest ago that may be renewed now."""
        for _ in range(len(self._rotation)):
            key, _none = self._rotation.popitem(last=False)
            chat = self._chats.get(key)
            if chat is None or chat.blocked:
                continue
            self._rotation[key] = None
            in_flight = chat.sending is not None and not chat.sending.done()
            if chat.not_before <= now and not in_flight:
                return key
        return None

    def _send(self, key: _Key, chat: _Chat) -> None:
        chat.sending = asyncio.create_task(
            self._indicate(key, chat), name=f"keep-typing-{key[0]}", context=chat.context
        )

    async def _indicate(self, key: _Key, chat: _Chat) -> None:
        chat_id, thread_id = key
        try:
            await self.api.send_chat_action(chat_id, "typing", message_thread_id=thread_id)
        except ChatBlocked:
            log.info("telegram typing stopped: chat blocked", extra={"chat_id": chat_id})
            chat.blocked = True
        except RetryAfter as exc:
            chat.not_before = asyncio.get_running_loop().time() + exc.retry_after
        except TelegramError as exc:
            log.warning(
                "telegram typing failed",
                extra={"chat_id": chat_id, "error_code": exc.error_code, "error": exc.description},
            )
        except Exception:
            log.exception("telegram typing failed", extra={"chat_id": chat_id})


def keep_typing(
    api: BotApi,
    chat_id: ChatId,
    thread_id: int | None = None,
    every_s: float = TYPING_EVERY_S,
) -> AbstractAsyncContextManager[None]:
    """Show "typing…" in one chat until the block exits (indicators of its own; a process
    shares one `TypingIndicators` across its chats)."""
    return TypingIndicators(api, every_s=every_s).keep(chat_id, thread_id)
