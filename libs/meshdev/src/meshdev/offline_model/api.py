"""The API the SDK talks to: `POST /v1/messages`, `POST /v1/messages/count_tokens`,
`GET /v1/models` and `GET /v1/models/{model_id}`, behind API-key checks."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from meshdev.offline_model import sse
from meshdev.offline_model.checks import Turn, check_conversation
from meshdev.offline_model.protocol import (
    ApiError,
    MessageOut,
    MessagesRequest,
    Usage,
    invalid_request,
    new_id,
    parse_request,
)
from meshdev.offline_model.replies import demo_message, scripted_message
from meshdev.offline_model.scripted import Exhausted, ScriptedError, StreamRecord
from meshdev.offline_model.state import ServerState, error_response
from meshdev.offline_model.usage import MAX_BREAKPOINTS, count_input_tokens, prompt_segments

ACCEPTED_PREFIXES = ("sk-ant-", "offline-")
_MODEL_CREATED = datetime(1970, 1, 1, tzinfo=UTC)
_STREAM_HEADERS = {"cache-control": "no-cache"}


def presented_key(request: Request) -> str | None:
    """The API key, from `x-api-key` or, as this SDK sends it, `Authorization: Bearer`."""
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def check_key(key: str | None) -> str:
    """Any `sk-ant-...` or `offline-...` key passes, except one saying "invalid", so a
    service's refusal to boot with a rejected key can be tested."""
    if key is None:
        raise ApiError(401, "authentication_error", "x-api-key header is required")
    if not key.startswith(ACCEPTED_PREFIXES) or "invalid" in key:
        raise ApiError(
            401,
            "authentication_error",
            "invalid x-api-key (the offline model accepts keys that start with "
            f"{' or '.join(ACCEPTED_PREFIXES)})",
        )
    return key


def model_info(model: str) -> dict[str, Any]:
    return {
        "type": "model",
        "id": model,
        "display_name": f"Offline model (bundled stand-in for {model}, not Claude)",
        "created_at": _MODEL_CREATED.isoformat().replace("+00:00", "Z"),
        "lifecycle": "active",
        "max_input_tokens": 200_000,
        "max_tokens": 64_000,
    }


def api_routes(state: ServerState) -> list[Route]:
    settings = state.settings

    def known_model(model: str) -> bool:
        return model in settings.models or model.startswith("claude-")

    async def read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        too_large = ApiError(413, "request_too_large", "Request exceeds the maximum allowed size.")
        if declared and declared.isdigit() and int(declared) > settings.max_body_bytes:
            raise too_large
        raw = await request.body()
        if len(raw) > settings.max_body_bytes:
            raise too_large
        return raw

    def validated(body: Any) -> tuple[MessagesRequest, list[Turn]]:
        parsed = parse_request(body)
        if not known_model(parsed.model):
            raise ApiError(404, "not_found_error", f"model: {parsed.model}")
        turns = check_conversation(parsed)
        marks = sum(1 for segment in prompt_segments(parsed) if segment.breakpoint)
        if marks > MAX_BREAKPOINTS:
            raise invalid_request(
                f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. "
                f"Found {marks}."
            )
        return parsed, turns

    def error_mid_stream(
        request: MessagesRequest, action: ScriptedError, request_id: str
    ) -> Response:
        opening = MessageOut(
            id=new_id("msg"),
            model=request.model,
            content=[],
            stop_reason=None,
            usage=Usage(input_tokens=count_input_tokens(request), output_tokens=1),
        )
        return StreamingResponse(
            sse.stream_error(opening, action.error_type, action.message, request_id),
            media_type="text/event-stream",
            headers={"request-id": request_id, **_STREAM_HEADERS},
        )

    async def messages(request: Request) -> Response:
        request_id = new_id("req")
        presented = presented_key(request)
        raw = b""
        step_index: int | None = None
        delay_s = settings.stream_delay_ms / 1000
        try:
            key = check_key(presented)
            raw = await read_body(request)
            body = parse_json(raw)
            parsed, turns = validated(body)
            cache = state.store.state(key).cache
            step = state.store.take_step(key)
            if isinstance(step, Exhausted):
                raise ApiError(
                    500,
                    "api_error",
                    f"The offline model's script for this API key is used up: all {step.steps} "
                    "scripted steps have been answered. Load more steps or reset the key.",
                    # Retrying cannot help, so the SDK is told not to.
                    {"x-should-retry": "false"},
                )
            if step is None:
                today, pinned = state.today(key)
                message = demo_message(body, parsed, turns, cache, today, pinned=pinned)
            else:
                step_index, action = step
                if isinstance(action, ScriptedError):
                    if action.during_stream and parsed.stream:
                        state.record(request, presented, raw, 200, step_index)
                        return error_mid_stream(parsed, action, request_id)
                    raise ApiError(
                        action.status, action.error_type, action.message, _headers(action)
                    )
                message = scripted_message(parsed, action, cache)
                if action.stream_delay_s is not None:
                    delay_s = action.stream_delay_s
                if action.delay_s:
                    await asyncio.sleep(action.delay_s)
        except ApiError as error:
            state.record(request, presented, raw, error.status, step_index)
            return error_response(error, request_id)
        recorded = state.record(request, presented, raw, 200, step_index)
        if parsed.stream:
            progress = StreamRecord()
            if recorded is not None:
                recorded.stream = progress
            return StreamingResponse(
                sse.stream_message(message, delay_s, progress),
                media_type="text/event-stream",
                headers={"request-id": request_id, **_STREAM_HEADERS},
            )
        return JSONResponse(message.model_dump(mode="json"), headers={"request-id": request_id})

    async def count_tokens(request: Request) -> Response:
        request_id = new_id("req")
        presented = presented_key(request)
        raw = b""
        try:
            check_key(presented)
            raw = await read_body(request)
            body = parse_json(raw)
            if isinstance(body, dict):
                # Counting takes a request without max_tokens; the checks want one.
                body = {"max_tokens": 1, **body}
            parsed, _ = validated(body)
        except ApiError as error:
            state.record(request, presented, raw, error.status)
            return error_response(error, request_id)
        state.record(request, presented, raw, 200)
        return JSONResponse(
            {"input_tokens": count_input_tokens(parsed)}, headers={"request-id": request_id}
        )

    async def list_models(request: Request) -> Response:
        request_id = new_id("req")
        presented = presented_key(request)
        limit = request.query_params.get("limit", "20")
        try:
            check_key(presented)
            if not limit.isdigit() or not 1 <= int(limit) <= 1000:
                raise invalid_request("limit: Input should be between 1 and 1000")
        except ApiError as error:
            state.record(request, presented, b"", error.status)
            return error_response(error, request_id)
        state.record(request, presented, b"", 200)
        ids = list(settings.models)
        after = request.query_params.get("after_id")
        before = request.query_params.get("before_id")
        if after in ids:
            ids = ids[ids.index(after) + 1 :]
        if before in ids:
            ids = ids[: ids.index(before)]
        page = ids[: int(limit)]
        return JSONResponse(
            {
                "data": [model_info(model) for model in page],
                "has_more": len(ids) > len(page),
                "first_id": page[0] if page else None,
                "last_id": page[-1] if page else None,
            },
            headers={"request-id": request_id},
        )

    async def get_model(request: Request) -> Response:
        request_id = new_id("req")
        presented = presented_key(request)
        model = request.path_params["model_id"]
        try:
            check_key(presented)
            if not known_model(model):
                raise ApiError(404, "not_found_error", f"model: {model}")
        except ApiError as error:
            state.record(request, presented, b"", error.status)
            return error_response(error, request_id)
        state.record(request, presented, b"", 200)
        return JSONResponse(model_info(model), headers={"request-id": request_id})

    return [
        Route("/v1/messages", messages, methods=["POST"]),
        Route("/v1/messages/count_tokens", count_tokens, methods=["POST"]),
        Route("/v1/models", list_models, methods=["GET"]),
        Route("/v1/models/{model_id:path}", get_model, methods=["GET"]),
    ]


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise invalid_request(f"The request body is not valid JSON: {exc}") from None


def _headers(action: ScriptedError) -> dict[str, str]:
    headers = dict(action.headers)
    if action.retry_after is not None:
        headers["retry-after"] = f"{action.retry_after:g}"
    if action.should_retry is not None:
        headers["x-should-retry"] = "true" if action.should_retry else "false"
    return headers
