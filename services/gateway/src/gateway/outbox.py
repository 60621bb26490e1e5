"""Replies through the one outbound path: each chunk sent once per job, even when the job is
retried, and paced with every other send of the bot token."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from typing import Any

from gateway.outbound import INTERACTIVE, Outbound
from gateway.preview import LivePreview, PreviewMode
from gateway.telegram.api import BotApi, TelegramError
from gateway.telegram.format import to_html
from gateway.telegram.send import TypingIndicators
from gateway.telegram.split import split_html

log = logging.getLogger(__name__)


class TelegramOutbox:
    def __init__(self, api: BotApi, outbound: Outbound) -> None:
        self.api = api
        self.outbound = outbound
        self.typing_indicators = TypingIndicators(api)

    async def reply(
        self,
        job_id: int | None,
        chat_id: int,
        thread_id: int | None,
        markdown: str,
        *,
        reply_markup: dict[str, Any] | None = None,
        first_seq: int = 0,
        priority: int = INTERACTIVE,
    ) -> list[int]:
        chunks = split_html(to_html(markdown))
        sent: list[int] = []
        for index, chunk in enumerate(chunks):
            params: dict[str, Any] = {
                "chat_id": chat_id,
                "text": chunk,
                "parse_mode": "HTML",
                "link_preview_options": {"is_disabled": True},
            }
            if thread_id is not None:
                params["message_thread_id"] = thread_id
            if reply_markup is not None and index == len(chunks) - 1:
                params["reply_markup"] = reply_markup
            outcome = await self.outbound.submit(
                chat_id,
                "sendMessage",
                params,
                job_id=job_id,
                seq=None if job_id is None else first_seq + index,
                priority=priority,
            )
            if outcome.status != "sent" or not isinstance(outcome.result, dict):
                log.info("reply not delivered", extra={"chat_id": chat_id, "error": outcome.error})
                return sent
            sent.append(int(outcome.result["message_id"]))
        return sent

    def typing(self, chat_id: int, thread_id: int | None) -> AbstractAsyncContextManager[None]:
        return self.typing_indicators.keep(chat_id, thread_id)

    def preview(
        self,
        chat_id: int,
        thread_id: int | None,
        *,
        mode: PreviewMode,
        draft_id: int,
        interval_s: float,
    ) -> LivePreview | None:
        return LivePreview(
            self.outbound,
            chat_id,
            thread_id,
            mode=mode,
            draft_id=draft_id,
            interval_s=interval_s,
        )

    async def answer_callback(self, callback_id: str, text: str | None = None) -> None:
        try:
            await self.api.answer_callback_query(callback_id, text=text)
        except TelegramError as exc:
            # Too late (callbacks expire) or answered already: the decision still stands.
            log.info("callback answer failed", extra={"error": exc.description})

    async def edit(self, chat_id: int, message_id: int | None, markdown: str) -> None:
        if message_id is None:
            return
        await self.outbound.submit(
            chat_id,
            "editMessageText",
            {
                "chat_id": chat_id,
                "message_id": message_id,
                "text": to_html(markdown),
                "parse_mode": "HTML",
            },
        )

    async def edit_keyboard(
        self, chat_id: int, message_id: int, reply_markup: dict[str, Any] | None
    ) -> None:
        params: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id}
        if reply_markup is not None:
            params["reply_markup"] = reply_markup
        await self.outbound.submit(chat_id, "editMessageReplyMarkup", params)
