"""Accepting an update, from the webhook or long polling: store it (with its job) once.

Storing is the producer side of the queue hop: a `send gateway_jobs` span whose trace
context is stored with the update, so the worker that handles it continues the same trace."""

from __future__ import annotations

from typing import Any

import asyncpg

from gateway import queue
from gateway.inbound import HANDLED, parse_update
from meshkit import spans

#: The queue's name in traces (`messaging.destination.name`): the jobs' NOTIFY channel.
QUEUE = "gateway_jobs"


async def accept(pool: asyncpg.Pool, payload: dict[str, Any]) -> bool:
    """Store the update and, for the kinds the gateway acts on, its job. False for a
    duplicate delivery. Raises `UnusableUpdate` for a body that is not an update."""
    update = parse_update(payload)
    attributes: spans.Attributes = {
        "telegram.update.id": update.update_id,
        "telegram.update.kind": update.kind,
        "telegram.chat.id": update.chat_id,
    }
    with spans.send(QUEUE, message_id=str(update.update_id), attributes=attributes) as context:
        stored = await queue.accept_update(
            pool,
            update.update_id,
            update.kind,
            update.chat_id,
            payload,
            update.ordering_key,
            make_job=update.kind in HANDLED,
            trace_context=context,
        )
        spans.set_attributes({"gateway.duplicate": not stored})
        return stored
