"""send_text and keep_typing end to end against an in-process Telegram that records calls."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from gateway.telegram.api import BotApi, ChatBlocked, ChatId, ChatMigrated, RetryPolicy
from gateway.telegram.send import TypingIndicators, keep_typing, send_text
from gateway.telegram.split import utf16_len

TOKEN = "42:send-test-token"
KEYBOARD = {"inline_keyboard": [[{"text": "Approve", "callback_data": "approve:1"}]]}


def refused(code: int, description: str, **parameters: int) -> httpx.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return httpx.Response(code, json=body)


class Telegram:
    """Records calls; refuses what it is told to, answers the rest like Telegram."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.refusals: list[tuple[str, Any, httpx.Response]] = []
        self.next_id = 100
        self.called = asyncio.Event()

    def refuse(self, method: str, when: Any, reply: httpx.Response) -> None:
        """Refuse `method` once when `when(params)` holds."""
        self.refusals.append((method, when, reply))

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        params = json.loads(request.content)
        self.calls.append((method, params))
        self.called.set()
        for refusal in self.refusals:
            name, when, reply = refusal
            if name == method and when(params):
                self.refusals.remove(refusal)
                return reply
        if method != "sendMessage":
            return httpx.Response(200, json={"ok": True, "result": True})
        self.next_id += 1
        message = {
            "message_id": self.next_id,
            "date": 1_767_225_600,
            "chat": {"id": params["chat_id"], "type": "supergroup"},
            "text": params["text"],
        }
        return httpx.Response(200, json={"ok": True, "result": message})


@pytest.fixture
def telegram() -> Telegram:
    return Telegram()


@pytest.fixture
async def api(telegram: Telegram) -> AsyncIterator[BotApi]:
    async def no_wait(seconds: float) -> None:
        return None

    async with httpx.AsyncClient(transport=httpx.MockTransport(telegram)) as http:
        yield BotApi(http, TOKEN, sleep=no_wait, retry=RetryPolicy(transient_retries=0))


def long_answer(paragraphs: int) -> str:
    return "\n\n".join(
        f"**Paragraph {n}.** Sales at Riverside & Midtown were up {n}% on the week. " * 12
        for n in range(paragraphs)
    )


async def test_a_short_answer_is_one_html_message(api: BotApi, telegram: Telegram) -> None:
    messages = await send_text(
        api, 7, "**Revenue** up <5%", thread_id=3, reply_to=55, reply_markup=KEYBOARD
    )

    assert [m.message_id for m in messages] == [101]
    assert telegram.sent() == [
        {
            "chat_id": 7,
            "text": "<b>Revenue</b> up &lt;5%",
            "parse_mode": "HTML",
            "message_thread_id": 3,
            "reply_markup": KEYBOARD,
            "reply_parameters": {"message_id": 55, "allow_sending_without_reply": True},
        }
    ]


async def test_a_long_answer_is_sent_in_order_with_buttons_only_on_the_last(
    api: BotApi, telegram: Telegram
) -> None:
    messages = await send_text(
        api, 7, long_answer(12), thread_id=3, reply_to=55, reply_markup=KEYBOARD
    )

    sent = telegram.sent()
    assert len(sent) >= 3
    assert [m.message_id for m in messages] == list(range(101, 101 + len(sent)))
    assert [("reply_markup" in p) for p in sent] == [False] * (len(sent) - 1) + [True]
    assert [("reply_parameters" in p) for p in sent] == [True] + [False] * (len(sent) - 1)
    assert all(p["message_thread_id"] == 3 and p["parse_mode"] == "HTML" for p in sent)
    numbers = [int(n) for p in sent for n in _paragraph_numbers(p["text"])]
    assert numbers == sorted(numbers)
    assert set(numbers) == set(range(12))
    for params in sent:
        assert params["text"].count("<b>") == params["text"].count("</b>")
        text = params["text"].replace("<b>", "").replace("</b>", "").replace("&amp;", "&")
        assert utf16_len(text) <= 4096


def _paragraph_numbers(html: str) -> list[str]:
    return [part.split(".", 1)[0] for part in html.split("<b>Paragraph ")[1:]]


async def test_a_chunk_whose_markup_is_refused_is_sent_again_as_plain_text(
    api: BotApi, telegram: Telegram
) -> None:
    telegram.refuse(
        "sendMessage",
        lambda p: "Paragraph 1." in p["text"],
        refused(400, 'Bad Request: can\'t parse entities: Unsupported start tag "b"'),
    )

    messages = await send_text(api, 7, long_answer(3), reply_markup=KEYBOARD, limit=1200)

    sent = telegram.sent()
    assert len(sent) == 4
    refused_html, plain = sent[1], sent[2]
    assert refused_html["parse_mode"] == "HTML"
    assert "parse_mode" not in plain
    assert plain["text"].startswith("Paragraph 1. Sales at Riverside & Midtown")
    assert "<b>" not in plain["text"]
    assert "reply_markup" not in plain
    assert sent[3]["reply_markup"] == KEYBOARD
    assert len(messages) == 3


async def test_a_plain_resend_spells_out_links_and_still_fits(
    api: BotApi, telegram: Telegram
) -> None:
    for _ in range(50):
        telegram.refuse(
            "sendMessage",
            lambda p: p.get("parse_mode") == "HTML",
            refused(400, "Bad Request: can't parse entities: whatever"),
        )
    markdown = " ".join(f"[report {n}](https://reports.example/{n})" for n in range(30))

    await send_text(api, 7, markdown, reply_markup=KEYBOARD, limit=200)

    plain = [p for p in telegram.sent() if "parse_mode" not in p]
    assert len(plain) > 1
    assert plain[0]["text"].startswith("report 0 (https://reports.example/0)")
    assert all(utf16_len(p["text"]) <= 200 for p in plain)
    assert ["reply_markup" in p for p in plain] == [False] * (len(plain) - 1) + [True]


async def test_a_blocked_chat_propagates(api: BotApi, telegram: Telegram) -> None:
    telegram.refuse(
        "sendMessage", lambda p: True, refused(403, "Forbidden: bot was blocked by the user")
    )

    with pytest.raises(ChatBlocked):
        await send_text(api, 7, "hello")
    assert len(telegram.sent()) == 1


async def test_a_migrated_group_gets_the_rest_at_its_new_id(
    api: BotApi, telegram: Telegram
) -> None:
    telegram.refuse(
        "sendMessage",
        lambda p: p["chat_id"] == -55,
        refused(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            migrate_to_chat_id=-100555,
        ),
    )
    migrations: list[tuple[ChatId, int]] = []

    async def on_migrate(old: ChatId, new: int) -> None:
        migrations.append((old, new))

    messages = await send_text(api, -55, long_answer(8), on_migrate=on_migrate)

    assert migrations == [(-55, -100555)]
    assert [p["chat_id"] for p in telegram.sent()] == [-55] + [-100555] * len(messages)
    assert {m.chat.id for m in messages} == {-100555}


async def test_a_second_migration_answer_propagates(api: BotApi, telegram: Telegram) -> None:
    for old, new in ((-55, -100555), (-100555, -100777)):
        telegram.refuse(
            "sendMessage",
            lambda p, old=old: p["chat_id"] == old,
            refused(400, "Bad Request: group chat was upgraded", migrate_to_chat_id=new),
        )

    with pytest.raises(ChatMigrated) as caught:
        await send_text(api, -55, "hello")
    assert caught.value.migrate_to_chat_id == -100777


async def test_nothing_to_show_sends_nothing(api: BotApi, telegram: Telegram) -> None:
    assert await send_text(api, 7, "  \n\n ") == []
    assert telegram.calls == []


async def until(telegram: Telegram, condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():
            telegram.called.clear()
            await telegram.called.wait()


async def test_typing_is_sent_at_once_and_then_repeatedly_until_exit(
    api: BotApi, telegram: Telegram
) -> None:
    async with keep_typing(api, 7, thread_id=3, every_s=0.01):
        await asyncio.sleep(0)
        assert telegram.sent("sendChatAction") == [
            {"chat_id": 7, "action": "typing", "message_thread_id": 3}
        ]
        await until(telegram, lambda: len(telegram.sent("sendChatAction")) >= 3)
    during = len(telegram.sent("sendChatAction"))
    await asyncio.sleep(0.05)

    assert during >= 3
    assert len(telegram.sent("sendChatAction")) == during


async def test_typing_failures_never_reach_the_block(api: BotApi, telegram: Telegram) -> None:
    for _ in range(3):
        telegram.refuse("sendChatAction", lambda p: True, httpx.Response(502, text="down"))
    telegram.refuse(
        "sendChatAction",
        lambda p: True,
        refused(429, "Too Many Requests: retry after 1", retry_after=1),
    )

    async with keep_typing(api, 7, every_s=0.005):
        await until(telegram, lambda: len(telegram.sent("sendChatAction")) >= 4)
        await asyncio.sleep(0.05)

    # Three failures, then a flood wait that holds the indicator back past the block.
    assert len(telegram.sent("sendChatAction")) == 4


async def test_typing_stops_for_a_chat_that_blocked_the_bot(
    api: BotApi, telegram: Telegram
) -> None:
    telegram.refuse(
        "sendChatAction", lambda p: True, refused(403, "Forbidden: bot was blocked by the user")
    )

    async with keep_typing(api, 7, every_s=0.005):
        await until(telegram, lambda: len(telegram.sent("sendChatAction")) >= 1)
        await asyncio.sleep(0.03)

    assert len(telegram.sent("sendChatAction")) == 1


async def test_typing_stops_when_the_block_raises(api: BotApi, telegram: Telegram) -> None:
    async def answer() -> None:
        async with keep_typing(api, 7, every_s=0.005):
            await asyncio.sleep(0.01)
            raise RuntimeError("model down")

    with pytest.raises(RuntimeError, match="model down"):
        await answer()
    stopped = len(telegram.sent("sendChatAction"))
    await asyncio.sleep(0.02)

    assert len(telegram.sent("sendChatAction")) == stopped
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("keep-typing")]


async def test_renewals_of_many_chats_are_spread_evenly(telegram: Telegram) -> None:
    """One renewer for every chat, one renewal at a time: chats that started together (a
    burst of questions) do not renew together, and each is still renewed every interval."""
    loop = asyncio.get_running_loop()
    stamps: list[float] = []

    def timed(request: httpx.Request) -> httpx.Response:
        stamps.append(loop.time())
        return telegram(request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(timed)) as http:
        indicators = TypingIndicators(BotApi(http, TOKEN), every_s=0.2)
        async with contextlib.AsyncExitStack() as stack:
            for chat_id in range(10):
                await stack.enter_async_context(indicators.keep(chat_id))
            await asyncio.sleep(0.65)
        done = len(stamps)
        await asyncio.sleep(0.05)

    assert len(stamps) == done  # nothing after the blocks ended
    calls = telegram.sent("sendChatAction")
    assert sorted(c["chat_id"] for c in calls[:10]) == list(range(10))  # the first, at once
    renewed = Counter(c["chat_id"] for c in calls[10:])
    assert set(renewed) == set(range(10))
    assert all(2 <= n <= 4 for n in renewed.values()), renewed  # every 0.2 s for 0.65 s
    renewals = stamps[10:]
    # 20 ms apart by construction; a slow machine may run two sends close together, never a
    # burst.
    assert max(sum(1 for t in renewals if s <= t < s + 0.015) for s in renewals) <= 2
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("keep-typing")]


async def test_two_turns_of_one_chat_share_its_indicator(api: BotApi, telegram: Telegram) -> None:
    indicators = TypingIndicators(api, every_s=0.1)
    async with indicators.keep(7):
        async with indicators.keep(7):
            await asyncio.sleep(0.03)
            assert len(telegram.sent("sendChatAction")) == 1  # one first indicator, not two
        # The outer turn still shows it.
        await until(telegram, lambda: len(telegram.sent("sendChatAction")) >= 3)
    ended = len(telegram.sent("sendChatAction"))
    await asyncio.sleep(0.15)

    assert len(telegram.sent("sendChatAction")) == ended


TURN: contextvars.ContextVar[int | None] = contextvars.ContextVar("turn", default=None)


async def test_each_chats_indicator_is_sent_in_its_own_turns_context(telegram: Telegram) -> None:
    """Renewals are made by one task for all chats, but each call runs in the context of
    the turn that asked for it (so its span lands in that turn's trace)."""
    seen: list[tuple[int, int | None]] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append((json.loads(request.content)["chat_id"], TURN.get()))
        return telegram(request)

    async def turn(indicators: TypingIndicators, chat_id: int) -> None:
        TURN.set(chat_id)
        async with indicators.keep(chat_id):
            await asyncio.sleep(0.1)

    async with httpx.AsyncClient(transport=httpx.MockTransport(recording)) as http:
        indicators = TypingIndicators(BotApi(http, TOKEN), every_s=0.02)
        await asyncio.gather(turn(indicators, 1), turn(indicators, 2))

    assert len(seen) > 4  # the first indicators and renewals
    assert all(chat_id == turn_id for chat_id, turn_id in seen), seen
