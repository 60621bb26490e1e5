"""Which approvals get a prompt of their own after an answer: every write the model proposed,
whatever its tool, and none of a briefing's reply drafts, whose buttons are on the briefing."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import anthropic
import asyncpg
import pytest

from gateway import briefing, conversation
from gateway.config import Settings
from gateway.handling import Gateway, send_approval_prompts
from gateway.queue import Job
from gateway.tools import Mesh
from meshdev.testing import NO_MODEL, service_settings
from meshkit.agent import AgentLoop, LoopLimits

CHAT = 5150


class RecordingOutbox:
    """The Telegram side, recording what would be sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any] | None]] = []

    async def reply(
        self,
        job_id: int | None,
        chat_id: int,
        thread_id: int | None,
        markdown: str,
        *,
        reply_markup: dict[str, Any] | None = None,
        first_seq: int = 0,
        priority: int = 0,
    ) -> list[int]:
        self.sent.append((markdown, reply_markup))
        return [len(self.sent)]

    def typing(self, chat_id: int, thread_id: int | None) -> AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()

    def preview(self, *_: object, **__: object) -> None:
        return None

    async def answer_callback(self, callback_id: str, text: str | None = None) -> None:
        return None

    async def edit(self, chat_id: int, message_id: int | None, markdown: str) -> None:
        return None

    async def edit_keyboard(
        self, chat_id: int, message_id: int, reply_markup: dict[str, Any] | None
    ) -> None:
        return None


@pytest.fixture
async def gateway(database_url: str, pool: asyncpg.Pool) -> AsyncIterator[Gateway]:
    settings = service_settings(Settings, database_url, TELEGRAM_MODE="off")
    async with anthropic.AsyncAnthropic(api_key="unused", base_url=NO_MODEL) as client:
        yield Gateway(
            settings=settings,
            pool=pool,
            loop=AgentLoop(client, "claude-sonnet-5-5", LoopLimits()),
            mesh=Mesh(tools={}),
            outbox=RecordingOutbox(),
        )


async def test_a_post_the_model_proposes_gets_its_prompt_and_briefing_drafts_do_not(
    gateway: Gateway, pool: asyncpg.Pool
) -> None:
    conversation_id = await conversation.open_conversation(pool, "telegram", f"tg:{CHAT}:0")
    proposed = uuid.uuid4()
    await conversation.record_approval(
        pool,
        proposed,
        conversation_id,
        CHAT,
        None,
        briefing.POST,
        {"review_id": str(uuid.uuid4()), "text": "Thank you!"},
        "Post the reply to a review.",
        3600,
    )
    draft = briefing.ReplyDraft(1, str(uuid.uuid4()), 2, "Riverside", "Ana M.", "Cold", "Sorry!")
    await briefing.offer_drafts(pool, conversation_id, CHAT, None, "briefing-9", [draft], 3600)
    job = Job(
        id=1, kind="update", ordering_key=f"tg:{CHAT}:0", update_id=None, payload={}, attempts=1
    )
    await send_approval_prompts(gateway, job, CHAT)
    outbox = gateway.outbox
    assert isinstance(outbox, RecordingOutbox)
    assert [text for text, _ in outbox.sent] == [
        "**Approve this change?**\nPost the reply to a review."
    ]
    ((_, markup),) = outbox.sent
    assert markup is not None
    assert markup["inline_keyboard"][0][0]["callback_data"] == f"ap:{proposed}:y"
    # The draft waits on the briefing's own button.
    offered = await briefing.offered(pool, key="briefing-9", drafts=3)
    assert offered == [(1, briefing.approval_id("briefing-9", 1))]
