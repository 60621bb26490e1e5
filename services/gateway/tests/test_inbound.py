"""Parsing an update from its JSON text agrees with parsing the decoded dictionary, on
well-formed, odd and malformed updates alike."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway.inbound import UnusableUpdate, parse_update, parse_update_json

PAYLOADS: list[dict[str, Any]] = [
    {
        "update_id": 1,
        "message": {
            "message_id": 5,
            "date": 1764000000,
            "chat": {"id": -100123, "type": "supergroup", "is_forum": True},
            "message_thread_id": 77,
            "from": {"id": 9, "is_bot": False, "first_name": "Ana"},
            "text": "/help@mesh_bot",
            "entities": [{"type": "bot_command", "offset": 0, "length": 14}],
        },
    },
    {
        "update_id": 2,
        "callback_query": {
            "id": "cb",
            "from": {"id": 9, "is_bot": False, "first_name": "Ana"},
            "data": "approve:1",
            "message": {"message_id": 6, "date": 1, "chat": {"id": 9, "type": "private"}},
        },
    },
    {"update_id": 3, "message": {"message_id": "not-a-number"}},
    {"update_id": 4, "poll": {"id": "p", "question": "?", "options": []}, "brand_new": True},
    {"update_id": 5, "my_chat_member": {"chat": {"id": 12, "type": "group"}}},
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: str(p["update_id"]))
def test_text_and_dictionary_parse_alike(payload: dict[str, Any]) -> None:
    from_text = parse_update_json(json.dumps(payload))
    from_dict = parse_update(payload)
    assert (from_text.update_id, from_text.kind, from_text.chat_id, from_text.ordering_key) == (
        from_dict.update_id,
        from_dict.kind,
        from_dict.chat_id,
        from_dict.ordering_key,
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("not json", ValueError),
        ("[1, 2]", UnusableUpdate),
        ('{"update_id": "seven"}', UnusableUpdate),
        ('{"update_id": -1}', UnusableUpdate),
    ],
)
def test_what_is_not_an_update_is_refused(text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_update_json(text)
