"""An OTLP/HTTP trace receiver for tests and benchmarks: services export to it with the real
OTLP exporter (`OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url`), and the owner reads what arrived.

It runs in the caller's event loop on a socket bound to 127.0.0.1, and accepts
`POST /v1/traces` with an `ExportTraceServiceRequest` in protobuf or in OTLP's JSON mapping,
gzip or not. `create_app` is
a sink to run as a process of its own (benchmarks): it only counts what arrives.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from google.protobuf import json_format  # type: ignore[import-untyped]
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meshdev.procs import bind
from meshdev.traces.records import SpanRecord, from_otlp

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_ID_FIELDS = ("traceId", "spanId", "parentSpanId")


def _ids_as_base64(request: dict[str, Any]) -> dict[str, Any]:
    """OTLP's JSON writes ids in hex where protobuf's JSON mapping expects base64."""

    def convert(item: dict[str, Any]) -> None:
        for name in _ID_FIELDS:
            if item.get(name):
                item[name] = base64.b64encode(bytes.fromhex(item[name])).decode()

    for resource in request.get("resourceSpans", []):
        for scope in resource.get("scopeSpans", []):
            for span in scope.get("spans", []):
                convert(span)
                for link in span.get("links", []):
                    convert(link)
    return request


class TraceReceiver:
    """Collects every span exported to it, in arrival order."""

    def __init__(self) -> None:
        self.spans: list[SpanRecord] = []
        self.requests = 0
        self.url = ""
        self._arrived = asyncio.Event()
        self.app = Starlette(routes=[Route("/v1/traces", self._export, methods=["POST"])])

    async def _export(self, request: Request) -> Response:
        body = await request.body()
        if request.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        content_type = request.headers.get("content-type", "").split(";")[0]
        message = ExportTraceServiceRequest()
        if content_type == PROTOBUF:
            message.ParseFromString(body)
        elif content_type == JSON:
            json_format.ParseDict(_ids_as_base64(json.loads(body)), message)
        else:
            return Response(status_code=415)
        self.spans.extend(from_otlp(message.resource_spans))
        self.requests += 1
        self._arrived.set()
        if content_type == JSON:
            return JSONResponse({})
        return Response(ExportTraceServiceResponse().SerializeToString(), media_type=PROTOBUF)

    def clear(self) -> None:
        self.spans.clear()

    def trace(self, trace_id: str) -> list[SpanRecord]:
        return [span for span in self.spans if span.trace_id == trace_id]

    async def wait_for(
        self, ready: Callable[[list[SpanRecord]], bool], *, within_s: float = 10.0
    ) -> list[SpanRecord]:
        """Wait until `ready(spans)` holds, then return the spans; fail after `within_s`."""
        deadline = time.monotonic() + within_s
        while not ready(self.spans):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"the expected spans did not arrive ({len(self.spans)} did)")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(left, 0.2)):
                    await self._arrived.wait()
        return list(self.spans)

    @classmethod
    @asynccontextmanager
    async def running(cls) -> AsyncIterator[TraceReceiver]:
        receiver = cls()
        sock = bind()
        host, port = sock.getsockname()[:2]
        receiver.url = f"http://{host}:{port}"
        config = uvicorn.Config(receiver.app, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
            yield receiver
        finally:
            server.should_exit = True
            await task
            sock.close()


def create_app() -> Starlette:
    """A receiver as a process of its own, for benchmarks: it counts what arrives without
    decoding it, so it takes as little as possible of the machine from what is measured."""
    received = {"requests": 0, "bytes": 0}

    async def export(request: Request) -> Response:
        body = await request.body()
        received["requests"] += 1
        received["bytes"] += len(body)
        if request.headers.get("content-type", "").split(";")[0] == JSON:
            return JSONResponse({})
        return Response(ExportTraceServiceResponse().SerializeToString(), media_type=PROTOBUF)

    async def count(_: Request) -> Response:
        return JSONResponse(received)

    async def ready(_: Request) -> Response:
        return JSONResponse({"status": "ready"})

    return Starlette(
        routes=[
            Route("/v1/traces", export, methods=["POST"]),
            Route("/v1/traces/count", count, methods=["GET"]),
            Route("/readyz", ready, methods=["GET"]),
        ]
    )
