"""`Idempotency-Key` for side-effecting operations: a retried call never writes twice.

A write that carries the header is recorded before it runs. The same key again, with the
same request, gets the recorded answer (marked `Idempotent-Replayed: true`) without
running; with a different request it is refused (422); while the first is still running
the second waits its turn (409, retry). Answers that say nothing about the write (401,
403, 429, 5xx) are not kept, so the caller can retry them under the same key.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta
from typing import Any

import asyncpg
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from meshkit.errors import problem_body, problem_response

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
_HEADER_NAME = HEADER.lower().encode()
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,200}$")
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_NOT_KEPT = {401, 403, 408, 429}
#: How long a key is remembered; older records are dropped when the service starts.
RETENTION = timedelta(days=1)

TABLE_SQL = """
CREATE TABLE IF NOT EXISTS meshkit_idempotency (
    key          text NOT NULL,
    method       text NOT NULL,
    path         text NOT NULL,
    fingerprint  text NOT NULL,
    status       integer,
    content_type text,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key, method, path)
)
"""

HEADER_PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "A key unique to this intended write (8 to 200 characters of letters, "
    "digits and `_.:-`). Repeating the call with the same key and request returns the "
    "first answer instead of writing again.",
    "schema": {"type": "string", "minLength": 8, "maxLength": 200, "pattern": _KEY.pattern},
}


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _UNSAFE:
            await self.app(scope, receive, send)
            return
        raw_key = next((value for name, value in scope["headers"] if name == _HEADER_NAME), None)
        pool: asyncpg.Pool | None = scope.get("state", {}).get("pool")
        if raw_key is None or pool is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1")
        path = scope["path"]
        if not _KEY.match(key):
            response = problem_response(
                problem_body(
                    422,
                    "invalid-idempotency-key",
                    "Invalid idempotency key",
                    f"{HEADER} must be 8 to 200 characters of letters, digits and _.:-",
                    path,
                )
            )
            await response(scope, receive, send)
            return

        body = await _read_body(receive)
        fingerprint = hashlib.sha256(
            b"\x1f".join([scope["method"].encode(), path.encode(), scope["query_string"], body])
        ).hexdigest()
        method = scope["method"]
        inserted = await pool.fetchval(
            "INSERT INTO meshkit_idempotency (key, method, path, fingerprint) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true",
            key,
            method,
            path,
            fingerprint,
        )
        if not inserted:
            await _answer_existing(pool, scope, receive, send, key, fingerprint)
            return

        captured = _Captured()

        async def replay_receive() -> Message:
            if not captured.body_sent:
                captured.body_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def capture_send(message: Message) -> None:
            captured.record(message)
            await send(message)

        try:
            await self.app(scope, replay_receive, capture_send)
        except BaseException:
            await pool.execute(
                "DELETE FROM meshkit_idempotency WHERE key = $1 AND method = $2 AND path = $3",
                key,
                method,
                path,
            )
            raise
        if captured.status is None or captured.status >= 500 or captured.status in _NOT_KEPT:
            await pool.execute(
                "DELETE FROM meshkit_idempotency WHERE key = $1 AND method = $2 AND path = $3",
                key,
                method,
                path,
            )
            return
        await pool.execute(
            "UPDATE meshkit_idempotency SET status = $4, content_type = $5, body = $6 "
            "WHERE key = $1 AND method = $2 AND path = $3",
            key,
            method,
            path,
            captured.status,
            captured.content_type,
            bytes(captured.body),
        )


class _Captured:
    def __init__(self) -> None:
        self.status: int | None = None
        self.content_type = "application/json"
        self.body = bytearray()
        self.body_sent = False

    def record(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            for name, value in message.get("headers", []):
                if name.lower() == b"content-type":
                    self.content_type = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            self.body.extend(message.get("body", b""))


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _answer_existing(
    pool: asyncpg.Pool,
    scope: Scope,
    receive: Receive,
    send: Send,
    key: str,
    fingerprint: str,
) -> None:
    path = scope["path"]
    row = await pool.fetchrow(
        "SELECT fingerprint, status, content_type, body FROM meshkit_idempotency "
        "WHERE key = $1 AND method = $2 AND path = $3",
        key,
        scope["method"],
        path,
    )
    if row is None:
        # Deleted between our insert attempt and now (the first call failed): retry later.
        body = problem_body(
            409, "request-in-progress", "Request in progress", "Retry shortly.", path
        )
        await problem_response(body, {"Retry-After": "1"})(scope, receive, send)
        return
    if row["fingerprint"] != fingerprint:
        body = problem_body(
            422,
            "idempotency-key-reused",
            "Idempotency key reused",
            f"This {HEADER} was used for a different request.",
            path,
        )
        await problem_response(body)(scope, receive, send)
        return
    if row["status"] is None:
        body = problem_body(
            409,
            "request-in-progress",
            "Request in progress",
            f"A request with this {HEADER} is still running; retry shortly.",
            path,
        )
        await problem_response(body, {"Retry-After": "1"})(scope, receive, send)
        return
    log.info("idempotent replay", extra={"path": path, "status": row["status"]})
    await send(
        {
            "type": "http.response.start",
            "status": row["status"],
            "headers": [
                (b"content-type", row["content_type"].encode("latin-1")),
                (b"content-length", str(len(row["body"])).encode()),
                (b"idempotent-replayed", b"true"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": bytes(row["body"])})
