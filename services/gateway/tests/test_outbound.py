"""The one outbound path: paced, prioritised, in order per chat, one sender per token."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from gateway.limits import Limits
from gateway.outbound import BULK, INTERACTIVE, PREVIEW, Outbound, Sender
from gateway.telegram.api import BotApi, RetryPolicy


class FakeTelegram:
    """Records sends with their time; can refuse the first send to a chat with a 429."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, int, str]] = []
        self.flood_once: set[int] = set()
        self.blocked: set[int] = set()

    def handle(self, request: httpx.Request) -> httpx.Response:
        import json

        body: dict[str, Any] = json.loads(request.content)
        chat_id = int(body["chat_id"])
        if chat_id in self.flood_once:
            self.flood_once.discard(chat_id)
            return httpx.Response(
                429,
                json={
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
            )
        if chat_id in self.blocked:
            return httpx.Response(
                403,
                json={"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"},
            )
        self.sent.append((time.monotonic(), chat_id, body.get("text", "")))
        message = {
            "message_id": len(self.sent),
            "date": 1764000000,
            "chat": {"id": chat_id, "type": "private"},
            "text": body.get("text"),
        }
        return httpx.Response(200, json={"ok": True, "result": message})


@pytest.fixture
def telegram() -> FakeTelegram:
    return FakeTelegram()


def bot(telegram: FakeTelegram) -> BotApi:
    return BotApi.create(
        "123456:test-token",
        api_base_url="http://telegram.test",
        transport=httpx.MockTransport(telegram.handle),
        retry=RetryPolicy(max_flood_wait_s=0),
    )


@pytest.fixture
async def outbound(pool: asyncpg.Pool) -> AsyncIterator[Outbound]:
    queue = Outbound(pool, poll_s=0.05)
    await queue.start()
    yield queue
    await queue.stop()


async def run_sender(
    pool: asyncpg.Pool, telegram: FakeTelegram, limits: Limits, stop: asyncio.Event
) -> tuple[Sender, asyncio.Task[None], BotApi]:
    api = bot(telegram)
    sender = Sender(pool, api, limits)
    return sender, asyncio.create_task(sender.run(stop)), api


def message(chat_id: int, text: str) -> dict[str, Any]:
    return {"chat_id": chat_id, "text": text}


async def test_every_send_is_delivered_once_in_order_per_chat(
    pool: asyncpg.Pool, outbound: Outbound, telegram: FakeTelegram
) -> None:
    stop = asyncio.Event()
    _, task, api = await run_sender(pool, telegram, Limits(), stop)

    async def reply(chat: int) -> list[Any]:
        # One reply's chunks go in order; different chats at once.
        return [
            await outbound.submit(
                chat, "sendMessage", message(chat, f"{chat}-{n}"), job_id=chat, seq=n
            )
            for n in range(3)
        ]

    outcomes = [o for chunk in await asyncio.gather(*map(reply, range(1, 6))) for o in chunk]
    stop.set()
    await task
    await api.aclose()
    assert {o.status for o in outcomes} == {"sent"}
    assert len(telegram.sent) == 15
    for chat in range(1, 6):
        texts = [text for _, c, text in telegram.sent if c == chat]
        assert texts == [f"{chat}-0", f"{chat}-1", f"{chat}-2"]
    # The same job chunk again is the same row: not sent a second time.
    again = await outbound.submit(1, "sendMessage", message(1, "1-0"), job_id=1, seq=0)
    assert again.status == "sent"
    assert len(telegram.sent) == 15


async def test_one_chat_is_paced_to_its_rate_after_a_burst(
    pool: asyncpg.Pool, outbound: Outbound, telegram: FakeTelegram
) -> None:
    stop = asyncio.Event()
    limits = Limits(chat_per_s=5.0, chat_burst=2.0)
    _, task, api = await run_sender(pool, telegram, limits, stop)
    await asyncio.gather(*(outbound.submit(9, "sendMessage", message(9, str(n))) for n in range(6)))
    stop.set()
    await task
    await api.aclose()
    times = [t for t, _, _ in telegram.sent]
    # Two at once, then one every 0.2 s.
    assert times[-1] - times[0] >= 0.75


async def test_interactive_replies_overtake_queued_bulk_sends(
    pool: asyncpg.Pool, outbound: Outbound, telegram: FakeTelegram
) -> None:
    limits = Limits(global_per_s=10.0)
    bulk = [
        asyncio.create_task(
            outbound.submit(100 + n, "sendMessage", message(100 + n, "bulk"), priority=BULK)
        )
        for n in range(30)
    ]
    await asyncio.sleep(0.2)
    stop = asyncio.Event()
    _, task, api = await run_sender(pool, telegram, limits, stop)
    await asyncio.sleep(0.3)
    urgent = await outbound.submit(7, "sendMessage", message(7, "urgent"), priority=INTERACTIVE)
    assert urgent.status == "sent"
    position = [text for _, _, text in telegram.sent].index("urgent")
    await asyncio.gather(*bulk)
    stop.set()
    await task
    await api.aclose()
    assert position < 20, f"the interactive reply waited behind {position} bulk sends"


async def test_a_flood_wait_is_honoured_and_the_send_retried(
    pool: asyncpg.Pool, outbound: Outbound, telegram: FakeTelegram
) -> None:
    telegram.flood_once.add(5)
    stop = asyncio.Event()
    sender, task, api = await run_sender(pool, telegram, Limits(), stop)
    started = time.monotonic()
    outcome = await outbound.submit(5, "sendMessage", message(5, "after the wait"))
    stop.set()
    await task
    await api.aclose()
    assert outcome.status == "sent"
    assert time.monotonic() - started >= 1.0
    assert sender.flood_waits == 1
    assert await pool.fetchval("SELECT flood_waits FROM outbound") == 1


async def test_a_blocked_chat_fails_the_send_and_is_remembered(
    pool: asyncpg.Pool, outbound: Outbound, telegram: FakeTelegram
) -> None:
    telegram.blocked.add(6)
    stop = asyncio.Event()
    _, task, api = await run_sender(pool, telegram, Limits(), stop)
    outcome = await outbound.submit(6, "sendMessage", message(6, "hello?"))
    stop.set()
    await task
    await api.aclose()
    assert outcome.status == "failed"
    assert await pool.fetchval("SELECT blocked_at IS NOT NULL FROM chats WHERE chat_id = 6")


async def test_only_one_sender_sends_and_a_replacement_takes_over(
    pool: asyncpg.Pool, outbound: Outbound, telegram: FakeTelegram
) -> None:
    first_stop, second_stop = asyncio.Event(), asyncio.Event()
    _, first_task, first_api = await run_sender(pool, telegram, Limits(), first_stop)
    await asyncio.sleep(0.3)
    _, second_task, second_api = await run_sender(pool, telegram, Limits(), second_stop)
    await asyncio.gather(
        *(outbound.submit(n, "sendMessage", message(n, "a")) for n in range(1, 11))
    )
    first_stop.set()
    await first_task
    await asyncio.gather(
        *(outbound.submit(n, "sendMessage", message(n, "b")) for n in range(1, 11))
    )
    second_stop.set()
    await second_task
    for api in (first_api, second_api):
        await api.aclose()
    assert len(telegram.sent) == 20
    assert len({(c, text) for _, c, text in telegram.sent}) == 20


async def test_a_withdrawn_preview_is_never_sent_and_previews_go_after_replies(
    pool: asyncpg.Pool, outbound: Outbound, telegram: FakeTelegram
) -> None:
    stale = await outbound.enqueue(8, "sendMessage", message(8, "stale preview"), priority=PREVIEW)
    assert await outbound.withdraw(stale) == "withdrawn"
    preview = await outbound.enqueue(8, "sendMessage", message(8, "preview"), priority=PREVIEW)
    answer = await outbound.enqueue(8, "sendMessage", message(8, "answer"))
    stop = asyncio.Event()
    _, task, api = await run_sender(pool, telegram, Limits(), stop)
    outcomes = [await outbound.wait(answer), await outbound.wait(preview)]
    stop.set()
    await task
    await api.aclose()
    assert [o.status for o in outcomes] == ["sent", "sent"]
    assert [text for _, _, text in telegram.sent] == ["answer", "preview"]
    assert await outbound.withdraw(stale) == "failed"
    assert await outbound.withdraw(answer) == "sent"
