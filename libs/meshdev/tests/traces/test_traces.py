"""The local trace sink, the OTLP receiver and the waterfall `mesh traces show` prints."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from opentelemetry import propagate
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from typer.testing import CliRunner

from meshdev.cli import app
from meshdev.traces.receiver import TraceReceiver
from meshdev.traces.sink import JsonlSpanExporter
from meshdev.traces.waterfall import find_trace, group_traces, load_spans, render


def provider_for(service: str, exporter: SpanExporter) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def write_message_trace(directory: Path, chat_id: int, update_id: int) -> str:
    """A gateway taking an update and asking sales-agent, each writing its own file."""
    gateway = provider_for("gateway", JsonlSpanExporter(directory / "gateway.jsonl"))
    sales = provider_for("sales-agent", JsonlSpanExporter(directory / "sales-agent.jsonl"))
    g, s = gateway.get_tracer("t"), sales.get_tracer("t")
    attributes = {"telegram.chat.id": chat_id, "telegram.update.id": update_id}
    stored: dict[str, str] = {}
    with g.start_as_current_span("send gateway_jobs", kind=SpanKind.PRODUCER) as producer:
        producer.set_attributes({**attributes, "messaging.operation.type": "send"})
        propagate.inject(stored)
    with g.start_as_current_span(
        "process gateway_jobs",
        context=propagate.extract(stored),
        kind=SpanKind.CONSUMER,
        links=[Link(producer.get_span_context())],
        attributes={"messaging.operation.type": "process"},
    ):
        with g.start_as_current_span(
            "chat claude-sonnet-5-5",
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": "claude-sonnet-5-5",
                "gen_ai.usage.input_tokens": 812,
                "gen_ai.usage.output_tokens": 40,
            },
        ):
            pass
        with g.start_as_current_span(
            "execute_tool sales__ask",
            attributes={"gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.id": "toolu_9"},
        ) as tool:
            tool.add_event("approval.requested", {"approval.id": "ap-1"})
            headers: dict[str, str] = {}
            propagate.inject(headers)
            with s.start_as_current_span(
                "POST /ask", kind=SpanKind.SERVER, context=propagate.extract(headers)
            ) as server:
                server.set_attribute("http.status_code", 500)
                server.set_status(Status(StatusCode.ERROR, "boom"))
                with s.start_as_current_span(
                    "SELECT",
                    kind=SpanKind.CLIENT,
                    attributes={"db.statement": "SELECT 1\n  FROM x"},
                ):
                    time.sleep(0.002)
    return f"{producer.get_span_context().trace_id:032x}"


def test_spans_of_every_service_print_as_one_indented_waterfall(tmp_path: Path) -> None:
    trace_id = write_message_trace(tmp_path, chat_id=7001, update_id=1)
    (trace,) = group_traces(load_spans(tmp_path))
    assert trace.trace_id == trace_id
    assert trace.services == ["gateway", "sales-agent"]
    lines = render(trace)
    text = "\n".join(lines)
    assert lines[0].startswith(f"trace {trace_id}")
    assert "6 spans" in lines[0]
    assert "1 with errors" in lines[0]

    def line(fragment: str) -> str:
        return next(row for row in lines if fragment in row)

    def indent(fragment: str) -> int:
        return line(fragment).index(fragment)

    assert indent("process gateway_jobs") == indent("send gateway_jobs") + 2
    assert indent("chat claude") == indent("process gateway_jobs") + 2
    assert indent("POST /ask") == indent("execute_tool sales__ask") + 2
    assert indent("SELECT 1 FROM x") == indent("POST /ask") + 2
    assert "in=812  out=40" in line("chat claude")
    assert "call=toolu_9" in line("execute_tool")
    assert "linked to send gateway_jobs" in line("process gateway_jobs")
    assert "sales-agent" in line("POST /ask")
    assert "✗ error: boom" in text
    assert "· approval.requested  approval.id=ap-1" in text


def test_traces_are_found_by_chat_by_id_prefix_and_latest_message(tmp_path: Path) -> None:
    first = write_message_trace(tmp_path, chat_id=7001, update_id=1)
    second = write_message_trace(tmp_path, chat_id=7002, update_id=2)
    traces = group_traces(load_spans(tmp_path))
    assert [t.trace_id for t in traces] == [first, second]
    found = find_trace(traces, chat_id=7001)
    assert found is not None
    assert found.trace_id == first
    by_prefix = find_trace(traces, trace_id=second[:12])
    assert by_prefix is not None
    assert by_prefix.trace_id == second
    latest = find_trace(traces)
    assert latest is not None
    assert latest.trace_id == second
    assert find_trace(traces, chat_id=9999) is None


def test_mesh_traces_show_prints_the_waterfall_and_list_one_line_each(tmp_path: Path) -> None:
    trace_id = write_message_trace(tmp_path, chat_id=7001, update_id=1)
    runner = CliRunner()
    shown = runner.invoke(app, ["traces", "show", "--latest", "--dir", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(f"trace {trace_id}")
    by_chat = runner.invoke(app, ["traces", "show", "--chat", "7001", "--dir", str(tmp_path)])
    assert by_chat.output == shown.output
    listed = runner.invoke(app, ["traces", "list", "--dir", str(tmp_path)])
    assert listed.exit_code == 0
    assert trace_id in listed.output
    assert "chat 7001" in listed.output
    missing = runner.invoke(app, ["traces", "show", "--chat", "1", "--dir", str(tmp_path)])
    assert missing.exit_code == 1


def test_a_full_trace_file_is_set_aside_and_still_read(tmp_path: Path) -> None:
    exporter = JsonlSpanExporter(tmp_path / "gateway.jsonl", max_bytes=200)
    tracer = provider_for("gateway", exporter).get_tracer("t")
    for index in range(3):
        with tracer.start_as_current_span(f"span {index}"):
            pass
    assert (tmp_path / "gateway.1.jsonl").exists()
    assert sorted(s.name for s in load_spans(tmp_path))[-1] == "span 2"


async def test_the_receiver_collects_what_the_otlp_exporter_sends() -> None:
    async with TraceReceiver.running() as receiver:
        exporter = OTLPSpanExporter(endpoint=f"{receiver.url}/v1/traces")
        provider = provider_for("sales-agent", exporter)

        def export() -> None:
            with provider.get_tracer("t").start_as_current_span("GET /locations") as span:
                span.set_attribute("http.route", "/locations")
            provider.shutdown()

        await asyncio.to_thread(export)
        spans = await receiver.wait_for(lambda spans: len(spans) == 1, within_s=5)
    assert [(s.service, s.name, s.attributes) for s in spans] == [
        ("sales-agent", "GET /locations", {"http.route": "/locations"})
    ]
