"""Reading back a chat: its order, edits applied, and waiting for the bot's reply."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from meshdev.telegram_emulator.client import EmulatorClient, NoBotReply
from meshdev.telegram_emulator.models import (
    CallbackEntry,
    ChatActionEntry,
    DraftEntry,
    MessageEntry,
    UserSpec,
)

pytestmark = pytest.mark.processes


async def test_the_transcript_lists_the_conversation_in_order(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat = await emulator.private_chat(UserSpec(id=1001, first_name="Ana"))
    await emulator.send_text(chat.id, "refund table 4?")
    await bot.post("sendChatAction", json={"chat_id": chat.id, "action": "typing"})
    await bot.post("sendMessageDraft", json={"chat_id": chat.id, "draft_id": 1, "text": "Check"})
    sent = await bot.post(
        "sendMessage",
        json={
            "chat_id": chat.id,
            "text": "Refund 18 EUR?",
            "reply_markup": {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]},
        },
    )
    message_id = sent.json()["result"]["message_id"]
    await emulator.press(chat.id, message_id, "yes")
    await bot.post(
        "editMessageText",
        json={"chat_id": chat.id, "message_id": message_id, "text": "Refunded 18 EUR"},
    )

    transcript = await emulator.transcript(chat.id)

    kinds = [type(entry) for entry in transcript.entries]
    assert kinds == [MessageEntry, ChatActionEntry, DraftEntry, MessageEntry, CallbackEntry]
    assert [m.text for m in transcript.messages()] == ["refund table 4?", "Refunded 18 EUR"]
    edited = transcript.bot_messages()[0]
    assert edited.edits == 1
    assert edited.reply_markup is None
    assert edited.telegram["text"] == "Refunded 18 EUR"
    assert [entry.seq for entry in transcript.entries] == sorted(e.seq for e in transcript.entries)


async def test_waiting_returns_the_bot_reply_as_soon_as_it_is_sent(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat = await emulator.private_chat(UserSpec(id=1002))
    await emulator.send_text(chat.id, "sales today?")

    async def reply_later() -> None:
        await asyncio.sleep(0.2)
        await bot.post("sendMessage", json={"chat_id": chat.id, "text": "4 210 EUR"})

    replying = asyncio.create_task(reply_later())
    reply = await emulator.wait_for_bot_message(chat.id, timeout=5)
    await replying

    assert reply.from_bot
    assert reply.text == "4 210 EUR"


async def test_waiting_without_a_reply_times_out(emulator: EmulatorClient) -> None:
    chat = await emulator.private_chat(UserSpec(id=1003))
    await emulator.send_text(chat.id, "hello?")

    with pytest.raises(NoBotReply):
        await emulator.wait_for_bot_message(chat.id, timeout=0.3)


async def test_a_transcript_long_poll_wakes_on_a_change(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat = await emulator.private_chat(UserSpec(id=1004))
    before = await emulator.transcript(chat.id)

    watching = asyncio.create_task(
        emulator.transcript(chat.id, after_version=before.version, timeout=5)
    )
    await asyncio.sleep(0.1)
    await bot.post("sendChatAction", json={"chat_id": chat.id, "action": "typing"})
    changed = await watching

    assert [entry.kind for entry in changed.entries] == ["chat_action"]


async def test_every_bot_call_is_recorded_and_filterable(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat = await emulator.private_chat(UserSpec(id=1005))
    await bot.get("getMe")
    await bot.post("sendMessage", json={"chat_id": chat.id, "text": "a"})
    await bot.post("sendMessage", json={"chat_id": chat.id, "text": ""})

    everything = await emulator.calls()
    sends = await emulator.calls("sendMessage", chat_id=chat.id)

    assert [c.method for c in everything] == ["getMe", "sendMessage", "sendMessage"]
    assert [(c.ok, c.status) for c in sends] == [(True, 200), (False, 400)]
    assert sends[0].result["text"] == "a"
    assert sends[1].description == "Bad Request: message text is empty"
