"""Conversations and their turns in PostgreSQL: history for the model, transcripts for
people diagnosing an answer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
from anthropic.types import MessageParam

from meshkit.agent import TurnResult
from meshkit.db import Executor


async def open_conversation(db: Executor, channel: str, chat_key: str) -> uuid.UUID:
    """The chat's current conversation, started if there is none."""
    existing: uuid.UUID | None = await db.fetchval(
        "SELECT id FROM conversations WHERE chat_key = $1 AND ended_at IS NULL", chat_key
    )
    if existing is not None:
        return existing
    created: uuid.UUID | None = await db.fetchval(
        "INSERT INTO conversations (id, channel, chat_key) VALUES ($1, $2, $3) "
        "ON CONFLICT (chat_key) WHERE ended_at IS NULL DO NOTHING RETURNING id",
        uuid.uuid4(),
        channel,
        chat_key,
    )
    if created is not None:
        return created
    # Another worker started it between our two statements.
    raced: uuid.UUID = await db.fetchval(
        "SELECT id FROM conversations WHERE chat_key = $1 AND ended_at IS NULL", chat_key
    )
    return raced


async def end_conversation(db: Executor, chat_key: str) -> bool:
    ended = await db.fetchval(
        "UPDATE conversations SET ended_at = now() WHERE chat_key = $1 AND ended_at IS NULL "
        "RETURNING true",
        chat_key,
    )
    return bool(ended)


async def load_history(db: Executor, conversation_id: uuid.UUID, turns: int) -> list[MessageParam]:
    """The last `turns` whole turns. A turn starts with the user's question and ends with
    the assistant's answer, so a `tool_use` is never separated from its `tool_result`."""
    if turns <= 0:
        return []
    rows = await db.fetch(
        "SELECT messages FROM (SELECT id, messages FROM turns WHERE conversation_id = $1 "
        "ORDER BY id DESC LIMIT $2) recent ORDER BY id",
        conversation_id,
        turns,
    )
    history: list[MessageParam] = []
    for row in rows:
        history.extend(row["messages"])
    return history


@dataclass(frozen=True, slots=True)
class StoredTurn:
    id: int
    answer: str


async def turn_for_job(db: Executor, job_id: int) -> StoredTurn | None:
    row = await db.fetchrow("SELECT id, answer FROM turns WHERE job_id = $1", job_id)
    return StoredTurn(row["id"], row["answer"]) if row else None


def _tool_calls(result: TurnResult) -> list[dict[str, Any]]:
    return [
        {
            "id": call.id,
            "name": call.name,
            "input": call.input,
            "output": call.output
            if isinstance(call.output, (dict, list, str, int, float))
            else str(call.output),
            "is_error": call.is_error,
            "error_type": call.error_type,
            "duration_ms": call.duration_ms,
        }
        for call in result.tool_calls
    ]


async def store_turn(
    db: Executor,
    conversation_id: uuid.UUID,
    job_id: int | None,
    question: str,
    result: TurnResult,
    latency_ms: int,
    *,
    reports_on: uuid.UUID | None = None,
) -> int:
    """Store the whole exchange; `reports_on` names the approval the turn tells of."""
    user: MessageParam = {"role": "user", "content": question}
    turn_id: int = await db.fetchval(
        """
        INSERT INTO turns (conversation_id, job_id, question, answer, messages, tool_calls,
                           model, stop_reason, rounds, input_tokens, output_tokens,
                           cache_read_tokens, cache_creation_tokens, latency_ms, reports_on)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
        RETURNING id
        """,
        conversation_id,
        job_id,
        question,
        result.answer,
        [user, *result.new_messages],
        _tool_calls(result),
        result.model,
        result.stop_reason,
        result.rounds,
        result.usage.input_tokens,
        result.usage.output_tokens,
        result.usage.cache_read_input_tokens,
        result.usage.cache_creation_input_tokens,
        latency_ms,
        reports_on,
    )
    return turn_id


async def record_approval(
    db: Executor,
    approval_id: uuid.UUID,
    conversation_id: uuid.UUID,
    chat_id: int | None,
    thread_id: int | None,
    tool_name: str,
    arguments: dict[str, Any],
    summary: str,
    ttl_s: float,
    *,
    briefing_button: int | None = None,
) -> None:
    """A write waiting for the user's decision; recording the same id again changes nothing,
    so a retried job never asks twice. `briefing_button` numbers a briefing's Post reply
    button; other approvals get a prompt of their own."""
    await db.execute(
        """
        INSERT INTO approvals (id, conversation_id, chat_id, thread_id, tool_name, input,
                               summary, expires_at, briefing_button)
        VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8), $9)
        ON CONFLICT (id) DO NOTHING
        """,
        approval_id,
        conversation_id,
        chat_id,
        thread_id,
        tool_name,
        arguments,
        summary,
        float(ttl_s),
        briefing_button,
    )


async def recent_turns(db: Executor, chat_key: str, limit: int) -> list[asyncpg.Record]:
    """The open conversation's last `limit` turns, oldest first, for a person to read: the
    question, the answer, the tool calls, and the approval a turn tells of."""
    rows: list[asyncpg.Record] = await db.fetch(
        """
        SELECT * FROM (
            SELECT t.id, t.question, t.answer, t.tool_calls, t.created_at, t.reports_on,
                   r.status AS reported_status, r.summary AS reported_summary,
                   r.tool_name AS reported_tool
            FROM turns t
            JOIN conversations c ON c.id = t.conversation_id
            LEFT JOIN approvals r ON r.id = t.reports_on
            WHERE c.chat_key = $1 AND c.ended_at IS NULL
            ORDER BY t.id DESC
            LIMIT $2
        ) recent ORDER BY id
        """,
        chat_key,
        limit,
    )
    return rows


async def conversation_approvals(db: Executor, chat_key: str) -> list[asyncpg.Record]:
    """Every approval asked for in the open conversation."""
    rows: list[asyncpg.Record] = await db.fetch(
        """
        SELECT a.id, a.tool_name, a.summary, a.status, a.expires_at, a.created_at
        FROM approvals a JOIN conversations c ON c.id = a.conversation_id
        WHERE c.chat_key = $1 AND c.ended_at IS NULL
        ORDER BY a.created_at
        """,
        chat_key,
    )
    return rows


async def usage_for(db: Executor, chat_key: str) -> asyncpg.Record:
    row = await db.fetchrow(
        """
        SELECT count(t.id) AS turns,
               coalesce(sum(t.input_tokens), 0) AS input_tokens,
               coalesce(sum(t.output_tokens), 0) AS output_tokens,
               coalesce(sum(t.cache_read_tokens), 0) AS cache_read_tokens,
               coalesce(sum(t.cache_creation_tokens), 0) AS cache_creation_tokens
        FROM conversations c LEFT JOIN turns t ON t.conversation_id = c.id
        WHERE c.chat_key = $1
        """,
        chat_key,
    )
    assert row is not None
    return row
