"""The Bot API side as a bot sees it: envelopes, errors, sending, editing, chats' states."""

from __future__ import annotations

import json

import httpx
import pytest

from meshdev.procs import ServiceProcess
from meshdev.telegram_emulator.client import EmulatorClient
from meshdev.telegram_emulator.models import SendSpec, UserSpec

pytestmark = pytest.mark.processes

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


async def _private_chat(emulator: EmulatorClient, user_id: int = 501) -> int:
    chat = await emulator.private_chat(UserSpec(id=user_id, first_name="Ana", username="ana_k"))
    return chat.id


async def test_get_me_answers_in_the_bot_api_envelope(bot: httpx.AsyncClient) -> None:
    response = await bot.get("getMe")

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["result"]["id"] == 424242
    assert body["result"]["is_bot"] is True
    assert body["result"]["username"] == "restaurant_test_bot"


async def test_a_wrong_token_is_unauthorized(
    emulator_process: ServiceProcess, emulator: EmulatorClient
) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.post(f"{emulator_process.url}/bot424242:wrong/getMe")

    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert [call.status for call in await emulator.calls("getMe")] == [401]


async def test_an_unknown_method_is_not_found(bot: httpx.AsyncClient) -> None:
    response = await bot.post("sendTelepathy", json={})

    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_real_methods_the_emulator_lacks_are_refused_and_recorded(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _private_chat(emulator)

    response = await bot.post("sendPhoto", json={"chat_id": chat_id, "photo": "x"})

    assert response.status_code == 400
    assert response.json()["description"] == "Bad Request: method not supported by the emulator"
    [call] = await emulator.calls("sendPhoto")
    assert call.params == {"chat_id": chat_id, "photo": "x"}
    assert call.chat_id == chat_id
    assert not call.ok


async def test_method_names_match_case_insensitively_like_telegram(
    bot: httpx.AsyncClient,
) -> None:
    response = await bot.get("getme")

    assert response.json()["ok"] is True


async def test_parameters_arrive_as_json_form_or_query_string(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _private_chat(emulator)
    keyboard = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}

    as_json = await bot.post("sendMessage", json={"chat_id": chat_id, "text": "json"})
    as_form = await bot.post(
        "sendMessage",
        data={"chat_id": str(chat_id), "text": "form", "reply_markup": json.dumps(keyboard)},
    )
    as_query = await bot.get("sendMessage", params={"chat_id": chat_id, "text": "query"})
    as_multipart = await bot.post(
        "sendMessage", files={"chat_id": (None, str(chat_id)), "text": (None, "multipart")}
    )

    results = [r.json()["result"] for r in (as_json, as_form, as_query, as_multipart)]
    assert [r["text"] for r in results] == ["json", "form", "query", "multipart"]
    assert results[1]["reply_markup"] == keyboard
    assert [r["message_id"] for r in results] == [1, 2, 3, 4]


async def test_send_message_returns_the_message_as_telegram_does(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _private_chat(emulator)

    response = await bot.post("sendMessage", json={"chat_id": chat_id, "text": "Hello, Ana"})

    message = response.json()["result"]
    assert message["chat"] == {
        "id": chat_id,
        "type": "private",
        "first_name": "Ana",
        "username": "ana_k",
    }
    assert message["from"]["is_bot"] is True
    assert message["text"] == "Hello, Ana"
    assert isinstance(message["date"], int)
    assert "entities" not in message


async def test_a_chat_can_be_named_by_its_username(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    group = await emulator.group("Kitchen", kind="supergroup", username="kitchen_team")

    response = await bot.post("sendMessage", json={"chat_id": "@kitchen_team", "text": "hi"})

    assert response.json()["result"]["chat"]["id"] == group.id
    unknown = await bot.post("sendMessage", json={"chat_id": "@nobody_here", "text": "hi"})
    assert unknown.json()["description"] == "Bad Request: chat not found"


async def test_message_length_is_counted_in_utf16_code_units(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _private_chat(emulator)
    # Each emoji is one code point but two UTF-16 code units: 2048 of them fill the limit.
    fits = "😀" * 2048
    too_long = fits + "a"

    ok = await bot.post("sendMessage", json={"chat_id": chat_id, "text": fits})
    refused = await bot.post("sendMessage", json={"chat_id": chat_id, "text": too_long})

    assert ok.json()["ok"] is True
    assert refused.status_code == 400
    assert refused.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message is too long",
    }


async def test_length_is_measured_after_entity_parsing(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _private_chat(emulator)
    text = "<b>" + "x" * 4096 + "</b>"

    response = await bot.post(
        "sendMessage", json={"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
    )

    assert response.json()["ok"] is True


@pytest.mark.parametrize("text", ["", "   \n  "])
async def test_blank_text_is_refused_as_empty(
    bot: httpx.AsyncClient, emulator: EmulatorClient, text: str
) -> None:
    chat_id = await _private_chat(emulator)

    response = await bot.post("sendMessage", json={"chat_id": chat_id, "text": text})

    assert response.json()["description"] == "Bad Request: message text is empty"


async def test_html_entities_get_utf16_offsets(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _private_chat(emulator)
    html = '🍕 <b>Sales</b> &amp; <a href="https://example.com/r">report</a> <code>x&lt;1</code>'

    response = await bot.post(
        "sendMessage", json={"chat_id": chat_id, "text": html, "parse_mode": "HTML"}
    )

    message = response.json()["result"]
    assert message["text"] == "🍕 Sales & report x<1"
    assert message["entities"] == [
        {"type": "bold", "offset": 3, "length": 5},
        {"type": "text_link", "offset": 11, "length": 6, "url": "https://example.com/r"},
        {"type": "code", "offset": 18, "length": 3},
    ]


@pytest.mark.parametrize(
    ("parse_mode", "text", "reason"),
    [
        ("HTML", "line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("HTML", "<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        (
            "HTML",
            "<b><i>x</b></i>",
            'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        ),
        ("HTML", "a < b", 'Unsupported start tag "" at byte offset 2'),
        (
            "MarkdownV2",
            "Total: 12.5",
            "Character '.' is reserved and must be escaped with the preceding '\\'",
        ),
        ("MarkdownV2", "*bold", "Can't find end of Bold entity at byte offset 0"),
        ("Markdown", "snake_case", "Can't find end of the entity starting at byte offset 5"),
    ],
)
async def test_unparsable_formatting_is_refused_like_telegram(
    bot: httpx.AsyncClient,
    emulator: EmulatorClient,
    parse_mode: str,
    text: str,
    reason: str,
) -> None:
    chat_id = await _private_chat(emulator)

    response = await bot.post(
        "sendMessage", json={"chat_id": chat_id, "text": text, "parse_mode": parse_mode}
    )

    assert response.status_code == 400
    assert response.json()["description"] == f"Bad Request: can't parse entities: {reason}"


async def test_escaped_markdown_v2_is_accepted(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _private_chat(emulator)

    response = await bot.post(
        "sendMessage",
        json={"chat_id": chat_id, "text": r"*Total:* 12\.5 \(EUR\)", "parse_mode": "MarkdownV2"},
    )

    message = response.json()["result"]
    assert message["text"] == "Total: 12.5 (EUR)"
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 6}]


async def test_editing_without_changes_is_rejected_as_not_modified(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _private_chat(emulator)
    sent = await bot.post(
        "sendMessage", json={"chat_id": chat_id, "text": "<b>Done</b>", "parse_mode": "HTML"}
    )
    message_id = sent.json()["result"]["message_id"]

    same = await bot.post(
        "editMessageText",
        json={
            "chat_id": chat_id,
            "message_id": message_id,
            "text": "<b>Done</b>",
            "parse_mode": "HTML",
        },
    )
    changed = await bot.post(
        "editMessageText",
        json={"chat_id": chat_id, "message_id": message_id, "text": "Done"},
    )

    assert same.status_code == 400
    assert same.json()["description"] == NOT_MODIFIED
    assert changed.json()["result"]["text"] == "Done"
    assert "edit_date" in changed.json()["result"]


async def test_editing_a_missing_message_is_not_found(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _private_chat(emulator)

    response = await bot.post(
        "editMessageText", json={"chat_id": chat_id, "message_id": 99, "text": "x"}
    )

    assert response.json()["description"] == "Bad Request: message to edit not found"


async def test_an_edit_without_reply_markup_drops_the_keyboard(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _private_chat(emulator)
    keyboard = {"inline_keyboard": [[{"text": "Approve", "callback_data": "approve"}]]}
    sent = await bot.post(
        "sendMessage", json={"chat_id": chat_id, "text": "Refund?", "reply_markup": keyboard}
    )
    message_id = sent.json()["result"]["message_id"]

    edited = await bot.post(
        "editMessageText",
        json={"chat_id": chat_id, "message_id": message_id, "text": "Refund approved"},
    )
    unchanged_markup = await bot.post(
        "editMessageReplyMarkup", json={"chat_id": chat_id, "message_id": message_id}
    )

    assert "reply_markup" not in edited.json()["result"]
    assert unchanged_markup.json()["description"] == NOT_MODIFIED


async def test_deleted_messages_stay_in_the_transcript_marked_deleted(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _private_chat(emulator)
    sent = await bot.post("sendMessage", json={"chat_id": chat_id, "text": "oops"})
    message_id = sent.json()["result"]["message_id"]

    first = await bot.post("deleteMessage", json={"chat_id": chat_id, "message_id": message_id})
    second = await bot.post("deleteMessage", json={"chat_id": chat_id, "message_id": message_id})

    assert first.json() == {"ok": True, "result": True}
    assert second.json()["description"] == "Bad Request: message to delete not found"
    [message] = (await emulator.transcript(chat_id)).messages(include_deleted=True)
    assert message.deleted


async def test_callback_data_longer_than_64_bytes_is_refused(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _private_chat(emulator)
    # 22 three-byte characters: 22 characters but 66 bytes.
    keyboard = {"inline_keyboard": [[{"text": "Go", "callback_data": "€" * 22}]]}

    response = await bot.post(
        "sendMessage", json={"chat_id": chat_id, "text": "x", "reply_markup": keyboard}
    )

    assert response.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"


async def test_a_blocked_user_answers_403(bot: httpx.AsyncClient, emulator: EmulatorClient) -> None:
    chat_id = await _private_chat(emulator)
    await emulator.block(chat_id)

    response = await bot.post("sendMessage", json={"chat_id": chat_id, "text": "still there?"})

    assert response.status_code == 403
    assert response.json() == {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    await emulator.unblock(chat_id)
    again = await bot.post("sendMessage", json={"chat_id": chat_id, "text": "welcome back"})
    assert again.json()["ok"] is True


async def test_a_migrated_group_names_its_supergroup(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    group = await emulator.group("Managers")
    supergroup = await emulator.migrate(group.id)

    response = await bot.post("sendMessage", json={"chat_id": group.id, "text": "weekly sales"})

    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": supergroup.id},
    }
    assert supergroup.type == "supergroup"
    moved = await bot.post("sendMessage", json={"chat_id": supergroup.id, "text": "weekly sales"})
    assert moved.json()["ok"] is True


async def test_replies_and_forum_topics_are_checked(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    forum = await emulator.group("Ops", kind="supergroup", forum=True)
    topic = await emulator.create_topic(forum.id, "Orders")
    sent = await emulator.send(
        SendSpec(chat_id=forum.id, text="any orders today?", user=UserSpec(id=777), thread_id=topic)
    )

    reply = await bot.post(
        "sendMessage",
        json={
            "chat_id": forum.id,
            "text": "12 so far",
            "message_thread_id": topic,
            "reply_parameters": {"message_id": sent.message_id},
        },
    )
    missing_thread = await bot.post(
        "sendMessage", json={"chat_id": forum.id, "text": "x", "message_thread_id": 9999}
    )
    missing_reply = await bot.post(
        "sendMessage", json={"chat_id": forum.id, "text": "x", "reply_to_message_id": 9999}
    )

    message = reply.json()["result"]
    assert message["message_thread_id"] == topic
    assert message["is_topic_message"] is True
    assert message["reply_to_message"]["text"] == "any orders today?"
    assert missing_thread.json()["description"] == "Bad Request: message thread not found"
    assert missing_reply.json()["description"] == "Bad Request: message to be replied not found"


async def test_chat_actions_are_recorded_with_time(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    chat_id = await _private_chat(emulator)

    ok = await bot.post("sendChatAction", json={"chat_id": chat_id, "action": "typing"})
    wrong = await bot.post("sendChatAction", json={"chat_id": chat_id, "action": "dancing"})

    assert ok.json() == {"ok": True, "result": True}
    assert wrong.json()["description"] == "Bad Request: wrong parameter action in request"
    [action] = (await emulator.transcript(chat_id)).chat_actions()
    assert action.action == "typing"
    assert action.at > 0


async def test_commands_are_stored_per_scope_and_language(bot: httpx.AsyncClient) -> None:
    commands = [{"command": "sales", "description": "Today's sales"}]

    await bot.post("setMyCommands", json={"commands": commands})
    await bot.post(
        "setMyCommands",
        json={"commands": [{"command": "ventas", "description": "Ventas"}], "language_code": "es"},
    )
    invalid = await bot.post(
        "setMyCommands", json={"commands": [{"command": "Bad-Name", "description": "x"}]}
    )

    assert (await bot.post("getMyCommands", json={})).json()["result"] == commands
    spanish = await bot.post("getMyCommands", json={"language_code": "es"})
    assert spanish.json()["result"][0]["command"] == "ventas"
    assert invalid.json()["description"] == "Bad Request: BOT_COMMAND_INVALID"


async def test_an_unreadable_body_is_refused_and_recorded(
    bot: httpx.AsyncClient, emulator: EmulatorClient
) -> None:
    response = await bot.post(
        "sendMessage", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["description"] == "Bad Request: can't parse JSON object"
    [call] = await emulator.calls("sendMessage")
    assert call.status == 400
