"""Injected faults and the flood model, as a bot's retry logic meets them."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from meshdev.telegram_emulator.client import EmulatorClient
from meshdev.telegram_emulator.models import FaultKind, UserSpec

pytestmark = pytest.mark.processes


async def _chat(emulator: EmulatorClient, user_id: int) -> int:
    return (await emulator.private_chat(UserSpec(id=user_id))).id


async def test_an_injected_429_is_enforced_until_retry_after_passes(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _chat(emulator, 901)
    await emulator.inject("sendMessage", "too_many_requests", retry_after=1)
    message = {"chat_id": chat_id, "text": "report"}

    limited = await bot.post("sendMessage", json=message)
    too_soon = await bot.post("sendMessage", json=message)
    other_method = await bot.post("sendChatAction", json={"chat_id": chat_id, "action": "typing"})
    await asyncio.sleep(1.05)
    after_waiting = await bot.post("sendMessage", json=message)

    assert limited.status_code == 429
    assert limited.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert too_soon.status_code == 429
    assert too_soon.json()["parameters"] == {"retry_after": 1}
    assert other_method.json()["ok"] is True
    assert after_waiting.json()["ok"] is True
    causes = [call.cause for call in await emulator.calls("sendMessage")]
    assert causes == ["fault", "cooldown", None]


async def test_faults_can_target_one_chat(bot: httpx.AsyncClient, emulator: EmulatorClient) -> None:
    blocked_id = await _chat(emulator, 902)
    other_id = await _chat(emulator, 903)
    await emulator.inject("sendMessage", "forbidden", chat_id=blocked_id, count=2)

    to_other = await bot.post("sendMessage", json={"chat_id": other_id, "text": "x"})
    to_target = await bot.post("sendMessage", json={"chat_id": blocked_id, "text": "x"})

    assert to_other.json()["ok"] is True
    assert to_target.status_code == 403
    assert to_target.json()["description"] == "Forbidden: bot was blocked by the user"
    [fault] = await emulator.faults()
    assert (fault.fired, fault.remaining) == (1, 1)


@pytest.mark.parametrize(
    ("kind", "status", "description"),
    [
        (
            "parse_error",
            400,
            'Bad Request: can\'t parse entities: Unsupported start tag "fault" at byte offset 0',
        ),
        ("server_error", 500, "Internal Server Error"),
    ],
)
async def test_error_faults_answer_once_then_normally(
    bot: httpx.AsyncClient,
    emulator: EmulatorClient,
    kind: FaultKind,
    status: int,
    description: str,
) -> None:
    chat_id = await _chat(emulator, 904)
    await emulator.inject("sendMessage", kind)

    faulty = await bot.post("sendMessage", json={"chat_id": chat_id, "text": "x"})
    normal = await bot.post("sendMessage", json={"chat_id": chat_id, "text": "x"})

    assert faulty.status_code == status
    assert faulty.json() == {"ok": False, "error_code": status, "description": description}
    assert normal.json()["ok"] is True


async def test_latency_delays_the_answer(bot: httpx.AsyncClient, emulator: EmulatorClient) -> None:
    await emulator.inject("getMe", "latency", latency_s=0.5)
    started = time.monotonic()

    response = await bot.get("getMe")

    assert response.json()["ok"] is True
    assert time.monotonic() - started >= 0.45


async def test_a_dropped_connection_may_still_have_sent_the_message(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _chat(emulator, 905)
    await emulator.inject("sendMessage", "drop", executed=True)

    with pytest.raises(httpx.TransportError):
        await bot.post("sendMessage", json={"chat_id": chat_id, "text": "sent twice?"})

    bot_messages = (await emulator.transcript(chat_id)).bot_messages()
    assert [m.text for m in bot_messages] == ["sent twice?"]
    [call] = await emulator.calls("sendMessage")
    assert (call.status, call.cause) == (0, "fault")


async def test_the_flood_model_limits_a_chat_to_its_burst(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _chat(emulator, 906)
    await emulator.set_flood_limits(per_chat_per_second=1.0, per_chat_burst=3)

    answers = [
        await bot.post("sendMessage", json={"chat_id": chat_id, "text": f"line {n}"})
        for n in range(5)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert answers[3].json()["parameters"] == {"retry_after": 1}
    flooded = [c for c in await emulator.calls("sendMessage") if c.cause == "flood"]
    assert len(flooded) == 2


async def test_the_flood_model_limits_groups_per_minute(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    group = await emulator.group("Managers")
    await emulator.set_flood_limits(per_chat_burst=100, per_chat_per_second=100, group_per_minute=3)

    answers = [
        await bot.post("sendMessage", json={"chat_id": group.id, "text": f"n{n}"}) for n in range(4)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].json()["parameters"]["retry_after"] == 20
