"""The contract side of a service: the `x-agent-tool` extension and deterministic export."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import FastAPI

from meshkit.idempotency import HEADER_PARAMETER

Effect = Literal["read", "write", "destructive"]
EXTENSION = "x-agent-tool"


def agent_tool(
    effect: Effect,
    *,
    approval: bool | None = None,
    idempotent: bool | None = None,
    cache_ttl_s: int | None = None,
) -> dict[str, Any]:
    """`openapi_extra` marking an operation as a tool Claude may call.

    Reads default to no approval and idempotent; writes and destructive operations always
    need the user's approval, because text from users or tools must never trigger a write
    on its own.
    """
    if effect != "read" and approval is False:
        raise ValueError(f"a {effect} tool must require approval")
    if cache_ttl_s is not None and (effect != "read" or cache_ttl_s < 0):
        raise ValueError("only read tools can be cached, for a non-negative time")
    extra: dict[str, Any] = {
        EXTENSION: {
            "effect": effect,
            "approval": effect != "read" if approval is None else approval,
            "idempotent": effect == "read" if idempotent is None else idempotent,
            "cache_ttl_s": cache_ttl_s,
        }
    }
    if effect != "read":
        # Honoured by IdempotencyMiddleware; declared so generated clients can send it.
        extra["parameters"] = [dict(HEADER_PARAMETER)]
    return extra


def render_openapi(app: FastAPI) -> str:
    """The app's OpenAPI document as stable text: sorted keys, no timestamps, final newline."""
    return json.dumps(app.openapi(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}


def normalise_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Make the document say what the services send: errors are problem+json only, and
    validation failures (FastAPI's `HTTPValidationError`) are `ProblemDetails` too."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            marker = operation.get(EXTENSION)
            if isinstance(marker, dict):
                # FastAPI drops None values from openapi_extra; the extension's shape is fixed.
                marker.setdefault("cache_ttl_s", None)
            for status, response in operation.get("responses", {}).items():
                if not status.isdigit() or int(status) < 400:
                    continue
                content = response.setdefault("content", {})
                if status == "422" and "application/problem+json" not in content:
                    response["description"] = "Validation failed"
                content.pop("application/json", None)
                content["application/problem+json"] = {"schema": dict(_PROBLEM_REF)}
    schemas = document.get("components", {}).get("schemas", {})
    text = json.dumps(document.get("paths", {}))
    for name in ("HTTPValidationError", "ValidationError"):
        if name in schemas and f"#/components/schemas/{name}" not in text:
            del schemas[name]
    return document


def install_openapi(app: FastAPI) -> None:
    """Wrap `app.openapi` so the published document is normalised once, then cached."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = normalise_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
