"""getUpdates as Telegram runs it: offsets confirm, long polls wait, conflicts answer 409."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from meshdev.telegram_emulator.client import EmulatorClient
from meshdev.telegram_emulator.models import SendSpec, UserSpec

pytestmark = pytest.mark.processes


async def test_updates_stay_until_an_offset_confirms_them(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat = await emulator.private_chat(UserSpec(id=601))
    first = await emulator.send_text(chat.id, "one")
    second = await emulator.send_text(chat.id, "two")

    unconfirmed = (await bot.post("getUpdates", json={})).json()["result"]
    again = (await bot.post("getUpdates", json={})).json()["result"]
    after_first = (await bot.post("getUpdates", json={"offset": first + 1})).json()["result"]
    after_all = (await bot.post("getUpdates", json={"offset": second + 1})).json()["result"]

    assert [u["update_id"] for u in unconfirmed] == [first, second]
    assert second == first + 1
    assert [u["message"]["text"] for u in again] == ["one", "two"]
    assert [u["update_id"] for u in after_first] == [second]
    assert after_all == []


async def test_limit_and_negative_offset_pick_from_the_queue(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat = await emulator.private_chat(UserSpec(id=602))
    ids = [await emulator.send_text(chat.id, f"m{n}") for n in range(4)]

    limited = (await bot.get("getUpdates", params={"limit": 2})).json()["result"]
    last_one = (await bot.get("getUpdates", params={"offset": -1})).json()["result"]
    remaining = (await bot.get("getUpdates")).json()["result"]

    assert [u["update_id"] for u in limited] == ids[:2]
    assert [u["update_id"] for u in last_one] == ids[-1:]
    # A negative offset forgets everything before the updates it returns.
    assert [u["update_id"] for u in remaining] == ids[-1:]


async def test_a_long_poll_returns_as_soon_as_a_user_writes(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat = await emulator.private_chat(UserSpec(id=603))
    started = time.monotonic()
    poll = asyncio.create_task(bot.post("getUpdates", json={"timeout": 10}))
    await asyncio.sleep(0.2)
    assert not poll.done()

    update_id = await emulator.send_text(chat.id, "are you there?")
    response = await poll

    assert [u["update_id"] for u in response.json()["result"]] == [update_id]
    assert time.monotonic() - started < 5


async def test_a_long_poll_with_nothing_new_waits_its_timeout(bot: httpx.AsyncClient) -> None:
    started = time.monotonic()

    response = await bot.post("getUpdates", json={"timeout": 1})

    assert response.json() == {"ok": True, "result": []}
    assert time.monotonic() - started >= 0.9


async def test_a_second_get_updates_terminates_the_pending_one(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    first = asyncio.create_task(bot.post("getUpdates", json={"timeout": 10}))
    await asyncio.sleep(0.2)

    second = await bot.post("getUpdates", json={"timeout": 0})
    terminated = await first

    assert second.json() == {"ok": True, "result": []}
    assert terminated.status_code == 409
    assert terminated.json() == {
        "ok": False,
        "error_code": 409,
        "description": "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
    }


async def test_get_updates_conflicts_while_a_webhook_is_set(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    await bot.post("setWebhook", json={"url": "http://127.0.0.1:9/telegram"})

    response = await bot.post("getUpdates", json={})

    assert response.status_code == 409
    assert response.json()["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    await bot.post("deleteWebhook", json={})
    assert (await bot.post("getUpdates", json={})).json()["ok"] is True


async def test_allowed_updates_filters_later_updates(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat = await emulator.private_chat(UserSpec(id=604))
    sent = await bot.post(
        "sendMessage",
        json={
            "chat_id": chat.id,
            "text": "Approve?",
            "reply_markup": {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]},
        },
    )
    await bot.post("getUpdates", json={"allowed_updates": ["callback_query"]})

    await emulator.send_text(chat.id, "ignored text")
    pressed = await emulator.press(chat.id, sent.json()["result"]["message_id"], "yes")
    updates = (await bot.post("getUpdates", json={})).json()["result"]

    assert [u["update_id"] for u in updates] == [pressed.update_id]
    assert [u.status for u in await emulator.updates()] == ["filtered", "pending"]


async def test_user_messages_carry_detected_entities(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    group = await emulator.group("Staff", kind="supergroup")
    await emulator.send(
        SendSpec(
            chat_id=group.id,
            text="/report@restaurant_test_bot for @ana_k #lunch https://pos.example/x",
            user=UserSpec(id=605, first_name="Luis"),
        )
    )

    [update] = (await bot.post("getUpdates", json={})).json()["result"]

    message = update["message"]
    assert message["chat"]["type"] == "supergroup"
    assert message["from"]["first_name"] == "Luis"
    assert [(e["type"], e["offset"], e["length"]) for e in message["entities"]] == [
        ("bot_command", 0, 27),
        ("mention", 32, 6),
        ("hashtag", 39, 6),
        ("url", 46, 21),
    ]


async def test_media_messages_and_other_bots_reach_the_bot(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    group = await emulator.group("Staff")
    await emulator.send_media(
        group.id, "photo", caption="receipt", user=UserSpec(id=606, first_name="Eva")
    )
    await emulator.send(
        SendSpec(
            chat_id=group.id,
            text="automated ping",
            user=UserSpec(id=607, first_name="PingBot", username="ping_bot", is_bot=True),
        )
    )

    photo, ping = (await bot.post("getUpdates", json={})).json()["result"]

    assert "text" not in photo["message"]
    assert photo["message"]["caption"] == "receipt"
    assert [size["width"] for size in photo["message"]["photo"]] == [90, 320, 1280]
    assert ping["message"]["from"]["is_bot"] is True


async def test_a_reset_answers_a_waiting_long_poll_with_no_updates(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    poll = asyncio.create_task(bot.post("getUpdates", json={"timeout": 10}))
    await asyncio.sleep(0.2)

    await emulator.reset()
    response = await asyncio.wait_for(poll, 5)

    assert response.json() == {"ok": True, "result": []}
