"""Replies through the Bot API, each chunk sent once per job even when the job is retried."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from typing import Any

import asyncpg

from gateway.telegram.api import (
    BotApi,
    CantParseEntities,
    ChatBlocked,
    ChatMigrated,
    MessageNotModified,
    TelegramError,
)
from gateway.telegram.format import html_to_plain, to_html
from gateway.telegram.send import keep_typing
from gateway.telegram.split import split_html

log = logging.getLogger(__name__)


class TelegramOutbox:
    def __init__(self, api: BotApi, pool: asyncpg.Pool) -> None:
        self.api = api
        self.pool = pool

    async def reply(
        self,
        job_id: int | None,
        chat_id: int,
        thread_id: int | None,
        markdown: str,
        *,
        reply_markup: dict[str, Any] | None = None,
        first_seq: int = 0,
    ) -> list[int]:
        chunks = split_html(to_html(markdown))
        sent: list[int] = []
        for index, chunk in enumerate(chunks):
            seq = first_seq + index
            if job_id is not None:
                done = await self.pool.fetchval(
                    "SELECT message_id FROM replies WHERE job_id = $1 AND seq = $2", job_id, seq
                )
                if done is not None:
                    sent.append(done)
                    continue
            markup = reply_markup if index == len(chunks) - 1 else None
            message_id = await self._send(chat_id, thread_id, chunk, markup)
            if message_id is None:
                return sent
            sent.append(message_id)
            if job_id is not None:
                await self.pool.execute(
                    "INSERT INTO replies (job_id, seq, chat_id, message_id) "
                    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    job_id,
                    seq,
                    chat_id,
                    message_id,
                )
        return sent

    async def _send(
        self, chat_id: int, thread_id: int | None, html: str, markup: dict[str, Any] | None
    ) -> int | None:
        target = chat_id
        for _ in range(2):
            try:
                try:
                    message = await self.api.send_message(
                        target,
                        html,
                        parse_mode="HTML",
                        message_thread_id=thread_id,
                        reply_markup=markup,
                        link_preview_options={"is_disabled": True},
                    )
                except CantParseEntities:
                    message = await self.api.send_message(
                        target,
                        html_to_plain(html),
                        message_thread_id=thread_id,
                        reply_markup=markup,
                    )
                return message.message_id
            except ChatBlocked:
                await self.pool.execute(
                    "INSERT INTO chats (chat_id, blocked_at) VALUES ($1, now()) "
                    "ON CONFLICT (chat_id) DO UPDATE SET blocked_at = now(), updated_at = now()",
                    chat_id,
                )
                log.info("chat blocked the bot", extra={"chat_id": chat_id})
                return None
            except ChatMigrated as exc:
                await self.pool.execute(
                    "INSERT INTO chats (chat_id, migrated_to) VALUES ($1, $2) "
                    "ON CONFLICT (chat_id) DO UPDATE SET migrated_to = $2, updated_at = now()",
                    chat_id,
                    exc.migrate_to_chat_id,
                )
                target = exc.migrate_to_chat_id
        return None

    def typing(self, chat_id: int, thread_id: int | None) -> AbstractAsyncContextManager[None]:
        return keep_typing(self.api, chat_id, thread_id)

    async def answer_callback(self, callback_id: str, text: str | None = None) -> None:
        try:
            await self.api.answer_callback_query(callback_id, text=text)
        except TelegramError as exc:
            # Too late (callbacks expire) or answered already: the decision still stands.
            log.info("callback answer failed", extra={"error": exc.description})

    async def edit(self, chat_id: int, message_id: int | None, markdown: str) -> None:
        if message_id is None:
            return
        try:
            await self.api.edit_message_text(
                chat_id, message_id, to_html(markdown), parse_mode="HTML", reply_markup=None
            )
        except MessageNotModified:
            pass
        except TelegramError as exc:
            log.info("edit failed", extra={"chat_id": chat_id, "error": exc.description})
