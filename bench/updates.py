"""Telegram updates as the Bot API sends them, about 600 bytes each, with distinct ids.

`bench/webhook.lua` builds the same private-chat message for wrk; keep the two alike.
"""

from __future__ import annotations

import json
from typing import Any

#: A manager's question, as long as a typical one (the body comes to about 600 bytes).
QUESTION = (
    "Good morning! Could you compare last week's sales at Riverside with the week before, "
    "tell me which three dishes sold best at Midtown on Saturday, and whether the reviews "
    "mentioning slow service have gone down since we added the second cook on weekends? "
    "A short summary I can forward to the area manager is perfect, thanks."
)
#: Group chatter the bot is not addressed in: stored and queued, then ignored by the worker.
CHATTER = (
    "Morning all, the fish delivery for Riverside is running about twenty minutes late "
    "today, so the lunch special starts at 12:30 instead of noon. Marta is covering the "
    "pass until Rui gets in; please remind the floor team to mention the new dessert to "
    "every table and to log the walk-ins on the tablet by the door, not on paper."
)
DATE = 1_764_000_000


def private_message(update_id: int, chat_id: int, text: str = QUESTION) -> dict[str, Any]:
    """A user writes to the bot in a private chat: the gateway answers it."""
    user = _user(chat_id)
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id % 1_000_000 + 1,
            "from": user,
            "chat": {
                "id": chat_id,
                "first_name": user["first_name"],
                "last_name": user["last_name"],
                "username": user["username"],
                "type": "private",
            },
            "date": DATE + update_id % 86_400,
            "text": text,
        },
    }


def group_chatter(update_id: int, chat_id: int, user_id: int) -> dict[str, Any]:
    """A message in a group that does not address the bot: the worker takes its job and
    finishes it without calling the model, as for most group traffic."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id % 1_000_000 + 1,
            "from": _user(user_id),
            "chat": {"id": chat_id, "title": "Copper Pot Kitchen managers", "type": "group"},
            "date": DATE + update_id % 86_400,
            "text": CHATTER,
        },
    }


def encode(update: dict[str, Any]) -> bytes:
    return json.dumps(update, ensure_ascii=False, separators=(",", ":")).encode()


def _user(user_id: int) -> dict[str, Any]:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": "Marta",
        "last_name": "Silva",
        "username": f"marta_{user_id}",
        "language_code": "pt",
    }
