"""The OTLP/JSON exporter: what it sends is what the spans held, in OTLP's JSON mapping, with
every secret gone; failures are retried only when retrying can help."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from meshdev.traces.receiver import TraceReceiver
from meshkit import telemetry
from meshkit.otlp_json import OtlpJsonSpanExporter, encode
from meshkit.scrub import REDACTED, Scrubber
from meshkit.settings import ServiceSettings, load_settings

BOT_TOKEN = "7351862410:AAF0b7r3ZkQx9vYp2Lm8NcWd4Hs6Tj1Ue5Q"
#: A configured secret with the characters JSON escapes.
ODD_SECRET = 'pa"ss\\word-with-quotes-0123'


class DemoSettings(ServiceSettings):
    service_name: ClassVar[str] = "demo-agent"


def finished_spans() -> list[ReadableSpan]:
    """A parent and a child with every kind of attribute, an event, a link and an error."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "sales-agent"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("demo", "1.0")
    with tracer.start_as_current_span("GET /sales/summary", kind=SpanKind.SERVER) as parent:
        parent.set_attributes(
            {
                "http.route": "/sales/summary",
                "http.status_code": 200,
                "ratio": 0.25,
                "cached": False,
                "tags": ["a", "b"],
                "ids": [1, 2],
                "url.full": f"https://api.telegram.org/bot{BOT_TOKEN}/sendMessage?x=1",
                "odd": f"it is {ODD_SECRET} here",
                "note": f"bot token {BOT_TOKEN} in a log line",
                "http.request.header.authorization": "Bearer abc.def",
                "not.finite": float("nan"),
            }
        )
        linked = parent.get_span_context()
        with tracer.start_as_current_span(
            "SELECT", kind=SpanKind.CLIENT, links=[Link(linked, {"why": "batch"})]
        ) as child:
            child.add_event("retry", {"attempt": 2})
            child.set_status(Status(StatusCode.ERROR, "Bearer sk-ant-api03-secretvalue"))
    return list(memory.get_finished_spans())


def test_the_encoding_follows_otlps_json_mapping() -> None:
    child, parent = finished_spans()
    request = encode([child, parent])
    (resource,) = request["resourceSpans"]
    assert {"key": "service.name", "value": {"stringValue": "sales-agent"}} in (
        resource["resource"]["attributes"]
    )
    (scope,) = resource["scopeSpans"]
    assert scope["scope"] == {"name": "demo", "version": "1.0"}
    by_name = {span["name"]: span for span in scope["spans"]}
    server, client = by_name["GET /sales/summary"], by_name["SELECT"]
    assert parent.context is not None
    assert child.parent is not None
    assert server["traceId"] == f"{parent.context.trace_id:032x}"
    assert client["parentSpanId"] == server["spanId"] == f"{parent.context.span_id:016x}"
    assert (server["kind"], client["kind"]) == (2, 3)
    assert int(server["endTimeUnixNano"]) >= int(server["startTimeUnixNano"]) > 0
    values = {a["key"]: a["value"] for a in server["attributes"]}
    assert values["http.status_code"] == {"intValue": "200"}
    assert values["ratio"] == {"doubleValue": 0.25}
    assert values["cached"] == {"boolValue": False}
    assert values["tags"] == {
        "arrayValue": {"values": [{"stringValue": "a"}, {"stringValue": "b"}]}
    }
    assert values["not.finite"] == {"doubleValue": "NaN"}
    assert "http.request.header.authorization" not in values
    assert client["status"]["code"] == 2
    assert client["events"][0]["attributes"] == [{"key": "attempt", "value": {"intValue": "2"}}]
    assert client["links"][0]["spanId"] == server["spanId"]


async def test_the_receiver_gets_every_span_whole_and_no_secret() -> None:
    scrubber = Scrubber([ODD_SECRET])
    async with TraceReceiver.running() as receiver:
        exporter = OtlpJsonSpanExporter(scrubber, endpoint=f"{receiver.url}/v1/traces")
        result = await asyncio.to_thread(exporter.export, finished_spans())
        assert result is SpanExportResult.SUCCESS
        spans = await receiver.wait_for(lambda spans: len(spans) == 2, within_s=5)
    server = next(s for s in spans if s.name == "GET /sales/summary")
    client = next(s for s in spans if s.name == "SELECT")
    assert client.parent_id == server.span_id
    assert client.trace_id == server.trace_id
    assert server.service == "sales-agent"
    assert server.attributes["http.status_code"] == 200
    assert server.attributes["url.full"] == (
        f"https://api.telegram.org/bot{REDACTED}/sendMessage?x=1"
    )
    assert server.attributes["odd"] == f"it is {REDACTED} here"
    assert server.attributes["note"] == f"bot token 7351862410:{REDACTED} in a log line"
    text = json.dumps([s.to_json() for s in spans], default=str)
    for secret in (BOT_TOKEN, "sk-ant-api03-secretvalue", "abc.def", 'pa\\"ss'):
        assert secret not in text


class _Scripted(BaseHTTPRequestHandler):
    statuses: ClassVar[list[int]] = []
    seen: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        type(self).seen.append(dict(self.headers))
        status = type(self).statuses.pop(0) if type(self).statuses else 200
        self.send_response(status)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_: object) -> None:
        return None


@pytest.fixture
def scripted() -> Iterator[tuple[str, type[_Scripted]]]:
    class Handler(_Scripted):
        statuses: ClassVar[list[int]] = []
        seen: ClassVar[list[dict[str, str]]] = []

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/traces", Handler
    finally:
        server.shutdown()
        server.server_close()


def test_overload_is_retried_and_a_refusal_is_not(
    scripted: tuple[str, type[_Scripted]],
) -> None:
    url, handler = scripted
    exporter = OtlpJsonSpanExporter(
        Scrubber(), endpoint=url, headers={"x-tenant": "mesh"}, timeout_s=5
    )
    handler.statuses[:] = [503, 429, 200]
    assert exporter.export(finished_spans()) is SpanExportResult.SUCCESS
    assert len(handler.seen) == 3
    assert handler.seen[0]["x-tenant"] == "mesh"
    assert handler.seen[0]["content-type"] == "application/json"
    handler.statuses[:] = [400]
    assert exporter.export(finished_spans()) is SpanExportResult.FAILURE
    assert len(handler.seen) == 4
    exporter.shutdown()
    assert exporter.export(finished_spans()) is SpanExportResult.FAILURE
    assert len(handler.seen) == 4


def test_an_unreachable_endpoint_fails_within_the_timeout() -> None:
    exporter = OtlpJsonSpanExporter(
        Scrubber(), endpoint="http://127.0.0.1:9/v1/traces", timeout_s=1
    )
    assert exporter.export(finished_spans()) is SpanExportResult.FAILURE


def test_json_is_the_default_protocol_and_protobuf_can_be_chosen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)

    def exporter(**values: object) -> object:
        chosen = load_settings(DemoSettings, MESH_ENV="test", **values)
        return telemetry.span_exporter(chosen)

    json_exporter = exporter()
    assert isinstance(json_exporter, OtlpJsonSpanExporter)
    assert json_exporter.endpoint == "http://127.0.0.1:4318/v1/traces"
    assert isinstance(exporter(OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf"), OTLPSpanExporter)
    with pytest.raises(Exception, match="OTEL_EXPORTER_OTLP"):
        exporter(OTEL_EXPORTER_OTLP_PROTOCOL="grpc")
