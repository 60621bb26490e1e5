"""A model router between the gateway and the offline model, inside the benchmark process.

The offline model scripts per API key and answers a key's calls strictly in arrival order,
and the gateway has one key. With 200 turns under way, a turn's second call can arrive
before another turn's first, and would take a step meant for a first call. The router
gives each call the key for its position in its turn: a call that hands back tool results
(the last message holds a `tool_result`) goes to `<key>-after-tool`, every other call to
`<key>`; so "each turn calls a tool, then answers" holds however the calls interleave.
Everything else passes through unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from http import HTTPStatus
from typing import Any

from bench.load import ConnectionPool

#: Request headers the router sets itself.
_REPLACED = {"host", "content-length", "x-api-key", "authorization"}
#: Response headers that describe the framing, which the router redoes.
_FRAMING = {b"content-length", b"transfer-encoding", b"connection", b"keep-alive"}


def after_tool_key(key: str) -> str:
    return f"{key}-after-tool"


def hands_back_tool_results(body: bytes) -> bool:
    try:
        request: Any = json.loads(body)
    except ValueError:
        return False
    messages = request.get("messages") if isinstance(request, dict) else None
    if not isinstance(messages, list) or not messages:
        return False
    content = messages[-1].get("content") if isinstance(messages[-1], dict) else None
    return isinstance(content, list) and any(
        isinstance(block, dict) and block.get("type") == "tool_result" for block in content
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class ModelRouter:
    """Raw asyncio on both sides, so routing costs well under a millisecond of CPU a call
    (a pooled httpx client costs several times that with hundreds of calls open)."""

    def __init__(self, upstream: str, key: str) -> None:
        self.key = key
        host, _, port = upstream.removeprefix("http://").rstrip("/").partition(":")
        self._host = f"{host}:{port}"
        self._upstream = ConnectionPool(host, int(port))
        self._server: asyncio.Server | None = None
        self._clients: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.url = ""

    async def __aenter__(self) -> ModelRouter:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._server is not None:
            self._server.close()
        # Closing the clients' connections ends their tasks, each at its next read.
        for writer in list(self._clients):
            writer.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        await self._upstream.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._clients.add(writer)
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tasks.discard(task)
            self._clients.discard(writer)
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Forward one request; False when the client has closed the connection."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False
        request_line, *lines = head[:-4].decode("latin-1").split("\r\n")
        kept = [request_line, f"Host: {self._host}"]
        length = 0
        for line in lines:
            name = line.partition(":")[0].strip().lower()
            if name == "content-length":
                length = int(line.partition(":")[2])
            if name not in _REPLACED:
                kept.append(line)
        body = await reader.readexactly(length) if length else b""
        key = after_tool_key(self.key) if hands_back_tool_results(body) else self.key
        kept += [f"x-api-key: {key}", f"Content-Length: {len(body)}"]
        response = await self._upstream.exchange(
            ("\r\n".join(kept) + "\r\n\r\n").encode("latin-1") + body
        )
        out = [f"HTTP/1.1 {response.status} {_phrase(response.status)}".encode()]
        out += [b"%s: %s" % pair for pair in response.headers if pair[0].lower() not in _FRAMING]
        out.append(b"content-length: %d" % len(response.body))
        writer.write(b"\r\n".join(out) + b"\r\n\r\n" + response.body)
        await writer.drain()
        return True
