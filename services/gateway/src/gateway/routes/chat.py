"""The web chat: its page, and the API the page (or any client) streams answers from."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from functools import cache
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse

from gateway import webchat
from gateway.deps import GatewayDep, WebUserDep
from gateway.models import ApprovalDecision, ChatHistory, ChatQuestion
from meshkit.errors import NotFound, problem_responses

router = APIRouter(tags=["chat"])

#: The page runs only its own script and style, talks only to this origin, and cannot be
#: framed: whatever a model or a tool says, it has nowhere to send or run it.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
#: No caching anywhere, no buffering in nginx-style proxies, so each event goes out at once.
SSE_HEADERS = {"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"}
_ASSETS = {
    "chat.js": "text/javascript; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
_EVENTS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-sent events: text, tool_started, tool_finished, approval, "
        "message, then done or error.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}


@cache
def _asset(name: str) -> bytes:
    return (files("gateway") / "web" / name).read_bytes()


@router.get("/chat", include_in_schema=False)
async def chat_page() -> Response:
    page = _asset("chat.html")
    return Response(page, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


@router.get("/chat/assets/{name}", include_in_schema=False)
async def chat_asset(name: str) -> Response:
    media_type = _ASSETS.get(name)
    if media_type is None:
        raise NotFound(f"No asset {name!r}.")
    return Response(_asset(name), media_type=media_type, headers=PAGE_HEADERS)


def _event_stream(events: AsyncIterator[bytes]) -> StreamingResponse:
    return StreamingResponse(events, media_type="text/event-stream", headers=SSE_HEADERS)


@router.post(
    "/agent/stream",
    summary="Ask, and watch the answer being written",
    response_class=StreamingResponse,
    responses={**_EVENTS, **problem_responses(401, 422)},
)
async def stream_answer(
    body: ChatQuestion, user: WebUserDep, gateway: GatewayDep
) -> StreamingResponse:
    """Answers a question in the signed-in user's conversation as server-sent events: the
    answer's text as it is written (`text`), each tool call as it starts and finishes
    (`tool_started`, `tool_finished`), changes waiting for the user's approval
    (`approval`), the stored answer with its token usage (`message`), and finally `done`
    or `error`. Closing the connection cancels the answer; it is then not stored."""
    return _event_stream(webchat.stream_turn(gateway, user, body.question))


@router.get(
    "/agent/history",
    summary="The conversation so far",
    responses=problem_responses(401),
)
async def get_chat_history(user: WebUserDep, gateway: GatewayDep) -> ChatHistory:
    """The signed-in user's current conversation, oldest turn first: questions, answers,
    tool calls, and the changes proposed with where each stands."""
    return await webchat.history(gateway, user)


@router.delete(
    "/agent/history",
    summary="Start a new conversation",
    status_code=204,
    responses=problem_responses(401),
)
async def delete_chat_history(user: WebUserDep, gateway: GatewayDep) -> Response:
    """Starts a new conversation for the signed-in user; the assistant forgets the old one
    (it stays stored for diagnosis)."""
    await webchat.reset(gateway, user)
    return Response(status_code=204)


@router.post(
    "/agent/approvals/{approval_id}",
    summary="Approve or cancel a proposed change",
    response_class=StreamingResponse,
    responses={**_EVENTS, **problem_responses(401, 404, 409, 422)},
)
async def decide_approval(
    approval_id: uuid.UUID, body: ApprovalDecision, user: WebUserDep, gateway: GatewayDep
) -> StreamingResponse:
    """Approves or cancels a change the assistant proposed in the signed-in user's
    conversation. An approved change is made at once (once, however often this is
    called). The answer streams like `stream_answer`: first an `approval` event with the
    outcome (done, failed, cancelled or expired), then the assistant telling the user how
    it went."""
    events = await webchat.decide(gateway, user, approval_id, body.decision == "approve")
    return _event_stream(events)
