"""The web chat: the same assistant, conversation and approvals as on Telegram, answered as a
stream of server-sent events.

A turn runs in its own task and reports through a queue, so the model's deltas reach the
client as they come and a client that goes away can cancel the turn. Events, in order:

- `text` `{"text"}`: a piece of the answer as the model writes it;
- `tool_started` `{"id", "tool", "arguments"}` and `tool_finished`
  `{"id", "tool", "ok", "error", "duration_ms"}`: each tool call;
- `approval` `{"id", "tool", "summary", "status"}`: a change waiting for the user
  (`pending`), or, first on a decision's stream, where it ended up;
- `message` `{"text", "turn_id", "stop_reason", "rounds", "model", "latency_ms", "usage"}`:
  the final answer, once stored;
- `done` `{"turn_id"}` or `error` `{"type", "title", "status", "detail"}`, last.

A turn whose client disconnects is cancelled (the model call with it) and not stored: the
conversation only ever holds answered questions, and changes the abandoned turn proposed
are withdrawn (cancelled), so nothing the user never saw can be approved later.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio

from gateway import conversation
from gateway.handling import (
    ApprovalRefused,
    Gateway,
    approval_follow_up,
    approval_requester,
    carry_out_approval,
    decide_approval,
)
from gateway.models import ChatApproval, ChatHistory, ChatToolCall, ChatTurn
from gateway.tools import ApprovalRequest, turn_tools
from meshkit.agent import AgentEvent, TextDelta, ToolFinished, ToolStarted
from meshkit.errors import Conflict, NotFound, Problem

log = logging.getLogger(__name__)

#: Idle streams get a comment line this often, so proxies keep the connection open.
KEEPALIVE_S = 15.0
#: Turns shown when the page loads.
HISTORY_TURNS = 50
_TERMINAL = frozenset({"done", "error"})


@dataclass(frozen=True, slots=True)
class Event:
    """One server-sent event."""

    name: str
    data: dict[str, Any]

    def encode(self) -> bytes:
        payload = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"), default=str)
        return f"event: {self.name}\ndata: {payload}\n\n".encode()


KEEPALIVE = b": keep-alive\n\n"


class ApprovalNotFound(NotFound):
    slug = "approval-not-found"
    title = "No such approval"


class ApprovalDecided(Conflict):
    slug = "approval-decided"
    title = "Already decided"


def chat_key(user: str) -> str:
    return f"web:{user}"


async def stream_turn(
    gw: Gateway,
    user: str,
    question: str,
    *,
    reports_on: uuid.UUID | None = None,
    lead: Iterable[Event] = (),
) -> AsyncIterator[bytes]:
    """Answer `question` in `user`'s conversation, as encoded events (after `lead`)."""
    queue: asyncio.Queue[Event] = asyncio.Queue()
    task = asyncio.create_task(
        _turn(gw, user, question, queue.put_nowait, reports_on), name=f"web-turn-{user}"
    )
    try:
        for event in lead:
            yield event.encode()
        while True:
            try:
                async with asyncio.timeout(KEEPALIVE_S):
                    event = await queue.get()
            except TimeoutError:
                yield KEEPALIVE
                continue
            yield event.encode()
            if event.name in _TERMINAL:
                return
    finally:
        if not task.done():
            # The client went away: the turn (and its model call) stops here.
            task.cancel()
            with anyio.CancelScope(shield=True):
                await asyncio.wait({task}, timeout=10)


async def _turn(
    gw: Gateway,
    user: str,
    question: str,
    emit: Callable[[Event], None],
    reports_on: uuid.UUID | None,
) -> None:
    asked: list[uuid.UUID] = []

    async def announce(approval: ApprovalRequest) -> None:
        asked.append(approval.id)
        emit(
            Event(
                "approval",
                {
                    "id": str(approval.id),
                    "tool": approval.tool_name,
                    "summary": approval.summary,
                    "status": "pending",
                },
            )
        )

    async def on_event(event: AgentEvent) -> None:
        if isinstance(event, TextDelta):
            emit(Event("text", {"text": event.text}))
        elif isinstance(event, ToolStarted):
            emit(
                Event(
                    "tool_started",
                    {"id": event.call_id, "tool": event.name, "arguments": event.input},
                )
            )
        elif isinstance(event, ToolFinished):
            call = event.call
            emit(
                Event(
                    "tool_finished",
                    {
                        "id": call.id,
                        "tool": call.name,
                        "ok": not call.is_error,
                        "error": call.error_type,
                        "duration_ms": call.duration_ms,
                    },
                )
            )

    pool = gw.pool
    try:
        conversation_id = await conversation.open_conversation(pool, "web", chat_key(user))
        history = await conversation.load_history(pool, conversation_id, gw.settings.history_turns)
        requester = approval_requester(gw, conversation_id, None, None, announce=announce)
        started = time.perf_counter()
        result = await gw.loop.run(
            gw.today_prompt(),
            turn_tools(gw.mesh, pool, requester),
            [*history, {"role": "user", "content": question}],
            on_event=on_event,
            stream=True,
            conversation_id=str(conversation_id),
        )
        latency_ms = round((time.perf_counter() - started) * 1000)
        turn_id = await conversation.store_turn(
            pool, conversation_id, None, question, result, latency_ms, reports_on=reports_on
        )
    except asyncio.CancelledError:
        await _withdraw(gw, asked)
        raise
    except Problem as exc:
        await _withdraw(gw, asked)
        emit(Event("error", exc.to_body()))
        return
    except Exception:
        log.exception("web chat turn failed", extra={"user": user})
        await _withdraw(gw, asked)
        emit(
            Event(
                "error",
                {
                    "type": "https://errors.agent-mesh.dev/internal-error",
                    "title": "Internal server error",
                    "status": 500,
                    "detail": "The answer failed on our side; it has been logged.",
                },
            )
        )
        return
    usage = result.usage
    emit(
        Event(
            "message",
            {
                "text": result.answer,
                "turn_id": turn_id,
                "stop_reason": result.stop_reason,
                "rounds": result.rounds,
                "model": result.model,
                "latency_ms": latency_ms,
                "usage": {
                    "input_tokens": usage.input_tokens,
                    "output_tokens": usage.output_tokens,
                    "cache_read_input_tokens": usage.cache_read_input_tokens,
                    "cache_creation_input_tokens": usage.cache_creation_input_tokens,
                },
            },
        )
    )
    emit(Event("done", {"turn_id": turn_id}))


async def _withdraw(gw: Gateway, approvals: list[uuid.UUID]) -> None:
    """Cancel the changes an unanswered turn proposed: the user never saw its answer."""
    if approvals:
        await gw.pool.execute(
            "UPDATE approvals SET status = 'cancelled', decided_at = now() "
            "WHERE id = ANY($1) AND status = 'pending'",
            approvals,
        )


async def decide(
    gw: Gateway, user: str, approval_id: uuid.UUID, approve: bool
) -> AsyncIterator[bytes]:
    """Decide a change `user` was asked about, make it when approved, and return the stream
    that reports it: an `approval` event with the outcome, then (when a call was made) the
    turn in which the assistant tells the user how it went. The decision and the call are
    made before this returns, so a client that goes away cannot leave them half done.
    Raises `ApprovalNotFound` or `ApprovalDecided`."""
    key = chat_key(user)
    try:
        row, status = await decide_approval(
            gw, approval_id, approve, lambda row: row["chat_key"] == key
        )
    except ApprovalRefused as refused:
        if refused.status is None:
            raise ApprovalNotFound(
                f"There is no approval {approval_id} in your conversation."
            ) from None
        raise ApprovalDecided(
            f"This change was already decided: {refused.status}.", decided=refused.status
        ) from None
    decided = Event(
        "approval",
        {"id": str(approval_id), "tool": row["tool_name"], "summary": row["summary"]},
    )
    if status != "approved":
        return _events(Event("approval", {**decided.data, "status": status}), Event("done", {}))
    ok, result = await carry_out_approval(gw, row)
    outcome = Event("approval", {**decided.data, "status": "done" if ok else "failed"})
    return stream_turn(
        gw,
        user,
        approval_follow_up(row, ok, result),
        reports_on=approval_id,
        lead=[outcome],
    )


async def _events(*events: Event) -> AsyncIterator[bytes]:
    for event in events:
        yield event.encode()


async def history(gw: Gateway, user: str) -> ChatHistory:
    """The user's current conversation as they saw it."""
    key = chat_key(user)
    turns = await conversation.recent_turns(gw.pool, key, HISTORY_TURNS)
    now = datetime.now(UTC)
    approvals = {
        row["id"]: ChatApproval(
            id=row["id"],
            tool=row["tool_name"],
            summary=row["summary"],
            status="expired"
            if row["status"] == "pending" and row["expires_at"] <= now
            else row["status"],
        )
        for row in await conversation.conversation_approvals(gw.pool, key)
    }
    out: list[ChatTurn] = []
    for row in turns:
        calls = row["tool_calls"] or []
        proposed = [
            approvals[ref]
            for ref in (_approval_ref(call.get("output")) for call in calls)
            if ref is not None and ref in approvals
        ]
        out.append(
            ChatTurn(
                id=row["id"],
                question=None if row["reports_on"] is not None else row["question"],
                answer=row["answer"],
                created_at=row["created_at"],
                tool_calls=[
                    ChatToolCall(
                        id=call["id"],
                        tool=call["name"],
                        arguments=call.get("input"),
                        ok=not call.get("is_error", False),
                        duration_ms=float(call.get("duration_ms") or 0),
                    )
                    for call in calls
                ],
                approvals=proposed,
                decision=approvals.get(row["reports_on"]) if row["reports_on"] else None,
            )
        )
    return ChatHistory(user=user, turns=out)


def _approval_ref(output: object) -> uuid.UUID | None:
    if isinstance(output, dict) and output.get("status") == "awaiting_approval":
        try:
            return uuid.UUID(str(output.get("approval_id")))
        except ValueError:
            return None
    return None


async def reset(gw: Gateway, user: str) -> None:
    """Start a new conversation; the old one stays stored."""
    await conversation.end_conversation(gw.pool, chat_key(user))
