"""Inline buttons pressed by users, and drafts streamed by the bot."""

from __future__ import annotations

import httpx
import pytest

from meshdev.telegram_emulator.client import EmulatorClient, EmulatorError
from meshdev.telegram_emulator.models import UserSpec

pytestmark = pytest.mark.processes

KEYBOARD = {
    "inline_keyboard": [
        [
            {"text": "Approve", "callback_data": "refund:42:approve"},
            {"text": "Cancel", "callback_data": "refund:42:cancel"},
        ]
    ]
}


async def test_pressing_a_button_sends_a_callback_query_answered_once(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat = await emulator.private_chat(UserSpec(id=801, first_name="Ana"))
    sent = await bot.post(
        "sendMessage",
        json={"chat_id": chat.id, "text": "Refund 42 EUR?", "reply_markup": KEYBOARD},
    )
    message_id = sent.json()["result"]["message_id"]

    pressed = await emulator.press(chat.id, message_id, "refund:42:approve")
    [update] = (await bot.post("getUpdates", json={})).json()["result"]
    query = update["callback_query"]
    first = await bot.post(
        "answerCallbackQuery", json={"callback_query_id": query["id"], "text": "Approved"}
    )
    second = await bot.post("answerCallbackQuery", json={"callback_query_id": query["id"]})

    assert update["update_id"] == pressed.update_id
    assert query["id"] == pressed.callback_query_id
    assert query["from"]["id"] == chat.id
    assert query["data"] == "refund:42:approve"
    assert query["message"]["message_id"] == message_id
    assert query["message"]["reply_markup"] == KEYBOARD
    assert isinstance(query["chat_instance"], str)
    assert first.json() == {"ok": True, "result": True}
    assert second.status_code == 400
    assert second.json()["description"] == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    [entry] = [
        e for e in (await emulator.transcript(chat.id)).entries if e.kind == "callback_query"
    ]
    assert entry.answered
    assert entry.answer_text == "Approved"


async def test_a_button_that_is_not_there_cannot_be_pressed(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat = await emulator.private_chat(UserSpec(id=802))
    sent = await bot.post(
        "sendMessage", json={"chat_id": chat.id, "text": "Refund?", "reply_markup": KEYBOARD}
    )
    message_id = sent.json()["result"]["message_id"]
    await bot.post("editMessageReplyMarkup", json={"chat_id": chat.id, "message_id": message_id})

    with pytest.raises(EmulatorError) as refused:
        await emulator.press(chat.id, message_id, "refund:42:approve")

    assert refused.value.status == 409


async def test_drafts_are_recorded_as_a_sequence_of_states(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat = await emulator.private_chat(UserSpec(id=803))

    for text in ("", "Sales today", "Sales today: <b>4 210 EUR</b>"):
        response = await bot.post(
            "sendMessageDraft",
            json={"chat_id": chat.id, "draft_id": 7, "text": text, "parse_mode": "HTML"},
        )
        assert response.json() == {"ok": True, "result": True}
    final = await bot.post(
        "sendMessage", json={"chat_id": chat.id, "text": "Sales today: 4 210 EUR"}
    )

    [draft] = (await emulator.transcript(chat.id)).drafts()
    assert draft.draft_id == 7
    assert [state.text for state in draft.states] == [
        "",
        "Sales today",
        "Sales today: 4 210 EUR",
    ]
    assert draft.states[-1].entities == [{"type": "bold", "offset": 13, "length": 9}]
    assert draft.superseded_by == final.json()["result"]["message_id"]


async def test_drafts_are_refused_outside_private_chats_and_without_an_id(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    group = await emulator.group("Staff")
    chat = await emulator.private_chat(UserSpec(id=804))

    in_group = await bot.post(
        "sendMessageDraft", json={"chat_id": group.id, "draft_id": 1, "text": "x"}
    )
    zero_id = await bot.post(
        "sendMessageDraft", json={"chat_id": chat.id, "draft_id": 0, "text": "x"}
    )

    assert in_group.json()["description"] == "Bad Request: TEXTDRAFT_PEER_INVALID"
    assert zero_id.json()["description"] == "Bad Request: draft_id must be non-zero"
