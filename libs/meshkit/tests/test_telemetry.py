"""Tracing set-up, the scrubber in front of every exporter, and our own spans."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode

from meshdev.traces.sink import JsonlSpanExporter
from meshkit import spans, telemetry
from meshkit.scrub import REDACTED, Scrubber, ScrubbingSpanExporter, secret_values
from meshkit.settings import ServiceSettings, load_settings

BOT_TOKEN = "7351862410:AAF0b7r3ZkQx9vYp2Lm8NcWd4Hs6Tj1Ue5Q"
SERVICE_SECRET = "s3rvice-secret-" + "x" * 24


class DemoSettings(ServiceSettings):
    service_name: ClassVar[str] = "demo-agent"


def settings(**values: object) -> DemoSettings:
    # Explicit, so the test session's own OTEL_TRACES_EXPORTER=none does not decide.
    defaults = {"MESH_ENV": "test", "OTEL_TRACES_EXPORTER": None}
    return load_settings(DemoSettings, **{**defaults, **values})


@pytest.fixture
def exported() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exported: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    return provider


def one_span(provider: TracerProvider, exported: InMemorySpanExporter) -> ReadableSpan:
    (span,) = exported.get_finished_spans()
    return span


def test_the_bot_token_is_redacted_from_urls_events_and_statuses(
    provider: TracerProvider, exported: InMemorySpanExporter
) -> None:
    url = f"https://api.telegram.org/bot{BOT_TOKEN}/sendMessage"
    with provider.get_tracer("t").start_as_current_span("POST") as span:
        span.set_attributes({"url.full": url, "http.url": url, "url.path": f"/bot{BOT_TOKEN}/x"})
        span.add_event("exception", {"exception.message": f"ConnectError for {url}"})
        span.set_status(Status(StatusCode.ERROR, f"failed: {url}"))
    clean = Scrubber().span(one_span(provider, exported))
    text = repr(
        (clean.name, dict(clean.attributes or {}), [dict(e.attributes or {}) for e in clean.events])
    ) + str(clean.status.description)
    assert BOT_TOKEN not in text
    assert clean.attributes is not None
    assert clean.attributes["url.full"] == f"https://api.telegram.org/bot{REDACTED}/sendMessage"
    assert clean.events[0].attributes is not None
    assert REDACTED in str(clean.events[0].attributes["exception.message"])


def test_secret_headers_are_dropped_and_tokens_and_passwords_redacted() -> None:
    scrubber = Scrubber()
    cleaned = scrubber.attributes(
        {
            "http.request.header.authorization": ("Bearer abc",),
            "http.request.header.x_telegram_bot_api_secret_token": ("hook-secret",),
            "http.request.header.accept": ("application/json",),
            "note": "sent Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
            "db.connection_string": "postgresql://mesh:hunter2pass@db:5432/mesh",
            "anthropic": "key sk-ant-api03-abcdefghijklmnop",
        }
    )
    assert cleaned == {
        "http.request.header.accept": ("application/json",),
        "note": f"sent Bearer {REDACTED}",
        "db.connection_string": f"postgresql://mesh:{REDACTED}@db:5432/mesh",
        "anthropic": f"key {REDACTED}",
    }


def test_the_services_own_secrets_are_redacted_by_value() -> None:
    values = secret_values(
        settings(
            MESH_SERVICE_SECRET=SERVICE_SECRET,
            DATABASE_URL="postgresql://mesh:plain-password-9@db/mesh",
        )
    )
    assert SERVICE_SECRET in values
    assert "plain-password-9" in values
    scrubber = Scrubber(values)
    assert scrubber.text(f"token={SERVICE_SECRET}!") == f"token={REDACTED}!"
    assert scrubber.text("plain-password-9 in a message") == f"{REDACTED} in a message"


def test_a_clean_span_is_exported_as_it_is(
    provider: TracerProvider, exported: InMemorySpanExporter
) -> None:
    with provider.get_tracer("t").start_as_current_span("GET /sales/summary") as span:
        span.set_attribute("http.route", "/sales/summary")
    original = one_span(provider, exported)
    assert Scrubber([SERVICE_SECRET]).span(original) is original


def test_the_provider_exports_through_the_scrubber_with_the_services_identity() -> None:
    inner = InMemorySpanExporter()
    provider = telemetry.tracer_provider(
        settings(MESH_SERVICE_SECRET=SERVICE_SECRET), inner, version="1.2.3"
    )
    with provider.get_tracer("t").start_as_current_span("call") as span:
        span.set_attribute("note", f"secret is {SERVICE_SECRET}")
    provider.force_flush()
    (span_out,) = inner.get_finished_spans()
    assert span_out.attributes == {"note": f"secret is {REDACTED}"}
    resource = span_out.resource.attributes
    assert resource["service.name"] == "demo-agent"
    assert resource["service.version"] == "1.2.3"
    assert resource["deployment.environment.name"] == "test"
    assert resource["deployment.environment"] == "test"
    provider.shutdown()


def test_local_runs_write_trace_files_and_tests_and_production_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESH_DATA_DIR", str(tmp_path))
    local = telemetry.span_exporter(settings(MESH_ENV="local"))
    assert isinstance(local, JsonlSpanExporter)
    assert local.path == tmp_path / "traces" / "demo-agent.jsonl"
    assert telemetry.span_exporter(settings(OTEL_SDK_DISABLED=False)) is None
    disabled = settings(OTEL_SDK_DISABLED=True, OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4318")
    assert telemetry.span_exporter(disabled) is None


def test_without_an_exporter_nothing_is_installed() -> None:
    shutdown = telemetry.setup_telemetry(settings(MESH_ENV="local", OTEL_TRACES_EXPORTER="none"))
    shutdown()
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)


def test_the_boolean_capture_setting_is_read_as_content_on_spans(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(spans.CAPTURE_CONTENT, "true")
    assert spans.content_captured()
    telemetry._normalise_content_setting()
    assert spans.content_captured()
    import os

    assert os.environ[spans.CAPTURE_CONTENT] == "SPAN_ONLY"
    monkeypatch.delenv(spans.CAPTURE_CONTENT)
    assert not spans.content_captured()


def test_a_queue_hop_continues_the_trace_as_the_producers_child_with_a_link(
    provider: TracerProvider, exported: InMemorySpanExporter
) -> None:
    tracer = provider.get_tracer("t")
    with spans.send("jobs", message_id="42", tracer=tracer) as stored:
        pass
    assert "traceparent" in stored
    with spans.untraced(), spans.process("jobs", stored, message_id="42", tracer=tracer):
        # A job claimed by an untraced polling loop is traced all the same.
        assert spans.tracing()
    producer, consumer = exported.get_finished_spans()
    assert (producer.name, producer.kind) == ("send jobs", SpanKind.PRODUCER)
    assert (consumer.name, consumer.kind) == ("process jobs", SpanKind.CONSUMER)
    assert producer.context is not None
    assert consumer.parent is not None
    assert consumer.parent.span_id == producer.context.span_id
    assert consumer.context is not None
    assert consumer.context.trace_id == producer.context.trace_id
    assert [link.context.span_id for link in consumer.links] == [producer.context.span_id]
    assert consumer.attributes is not None
    assert consumer.attributes["messaging.operation.type"] == "process"
    assert consumer.attributes["messaging.message.id"] == "42"


def test_nothing_is_traced_inside_untraced_and_a_new_trace_has_no_parent(
    provider: TracerProvider, exported: InMemorySpanExporter
) -> None:
    tracer = provider.get_tracer("t")
    with spans.untraced():
        with spans.send("jobs", tracer=tracer) as stored:
            assert stored == {}
        with spans.span(tracer, "work") as span:
            assert not span.is_recording()
        with spans.new_trace(), tracer.start_as_current_span("fresh"):
            pass
    (fresh,) = exported.get_finished_spans()
    assert fresh.name == "fresh"
    assert fresh.parent is None


def test_a_handled_error_marks_the_current_span(
    provider: TracerProvider, exported: InMemorySpanExporter
) -> None:
    with provider.get_tracer("t").start_as_current_span("job"):
        spans.record_error(ValueError("bad update"))
        spans.add_event("approval.requested", {"approval.id": "a1", "skipped": None})
    span = one_span(provider, exported)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes == {"error.type": "ValueError"}
    assert [(e.name, dict(e.attributes or {})) for e in span.events][1] == (
        "approval.requested",
        {"approval.id": "a1"},
    )


@pytest.mark.parametrize("key", ["Authorization", "authorization"])
def test_the_scrubbing_exporter_passes_clean_spans_on(
    exported: InMemorySpanExporter, key: str
) -> None:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(ScrubbingSpanExporter(exported, Scrubber())))
    with provider.get_tracer("t").start_as_current_span("GET") as span:
        span.set_attribute(f"http.request.header.{key}", "Bearer abc")
        span.set_attribute("http.route", "/x")
    (out,) = exported.get_finished_spans()
    assert out.attributes == {"http.route": "/x"}
