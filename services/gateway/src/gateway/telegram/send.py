"""Sending an answer: Markdown in, as many Telegram messages as it takes out; and "typing…"
while the answer is being worked on."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
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


@asynccontextmanager
async def keep_typing(
    api: BotApi,
    chat_id: ChatId,
    thread_id: int | None = None,
    every_s: float = TYPING_EVERY_S,
) -> AsyncIterator[None]:
    """Show "typing…" in the chat from now until the block exits.

    The indicator is a courtesy: failures are logged and never reach the block, a flood
    wait only delays the next one, and a chat that blocked the bot is left alone.
    """
    task = asyncio.create_task(
        _typing(api, chat_id, thread_id, every_s), name=f"keep-typing-{chat_id}"
    )
    try:
        yield
    finally:
        task.cancel()
        # `wait` rather than `await task`: a cancellation of the caller itself still
        # propagates instead of being taken for the task's.
        await asyncio.wait({task})


async def _typing(api: BotApi, chat_id: ChatId, thread_id: int | None, every_s: float) -> None:
    while True:
        # Spread over the last third of the interval: chats that started together (a burst
        # of questions, a morning of briefings) do not renew their indicators in lockstep,
        # which would stall everything else in the process for a moment every few seconds.
        pause = every_s * random.uniform(2 / 3, 1.0)  # noqa: S311 - not for security
        try:
            await api.send_chat_action(chat_id, "typing", message_thread_id=thread_id)
        except ChatBlocked:
            log.info("telegram typing stopped: chat blocked", extra={"chat_id": chat_id})
            return
        except RetryAfter as exc:
            pause = max(pause, exc.retry_after)
        except TelegramError as exc:
            log.warning(
                "telegram typing failed",
                extra={"chat_id": chat_id, "error_code": exc.error_code, "error": exc.description},
            )
        except Exception:
            log.exception("telegram typing failed", extra={"chat_id": chat_id})
        await asyncio.sleep(pause)
