"""Accepting an update, from the webhook or long polling: store it (with its job) once."""

from __future__ import annotations

from typing import Any

import asyncpg

from gateway import queue
from gateway.inbound import HANDLED, parse_update


async def accept(pool: asyncpg.Pool, payload: dict[str, Any]) -> bool:
    """Store the update and, for the kinds the gateway acts on, its job. False for a
    duplicate delivery. Raises `UnusableUpdate` for a body that is not an update."""
    update = parse_update(payload)
    return await queue.accept_update(
        pool,
        update.update_id,
        update.kind,
        update.chat_id,
        payload,
        update.ordering_key,
        make_job=update.kind in HANDLED,
    )
