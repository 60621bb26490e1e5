"""Our own spans, where no library makes them, and the context switches every process needs.

- `untraced()`: nothing inside creates spans. Background loops (queue polling, lease
  renewals, the outbound sender), start-up housekeeping and health probes run untraced, so
  an idle service produces no traces at all.
- `new_trace()`: what runs inside starts a trace of its own (an update fetched by long
  polling is a new message, not part of the poll).
- `send()` / `process()`: a hop through a durable queue, after the OpenTelemetry messaging
  conventions. The producer span's context (W3C `traceparent`) is stored with the message;
  the consumer span continues that trace as the producer's child and links to it.

The GenAI spans of the agent loop live with the loop, in `meshkit.agent`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import context, propagate, trace
from opentelemetry.instrumentation.utils import (
    is_instrumentation_enabled,
    suppress_instrumentation,
)
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.util.types import AttributeValue

#: The standard GenAI switch for recording prompts, answers, tool arguments and results.
CAPTURE_CONTENT = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
_CONTENT_ON_SPANS = frozenset({"SPAN_ONLY", "SPAN_AND_EVENT", "TRUE"})

#: The queue is a PostgreSQL table; there is no well-known `messaging.system` for that.
MESSAGING_SYSTEM = "postgresql"

_TRACER_NAME = "meshkit"

#: Attributes as callers pass them; None values are left out.
Attributes = Mapping[str, AttributeValue | None]


def default_tracer() -> Tracer:
    return trace.get_tracer(_TRACER_NAME)


def content_captured() -> bool:
    """Whether spans may carry message content (off unless the standard setting says so)."""
    return os.environ.get(CAPTURE_CONTENT, "").strip().upper() in _CONTENT_ON_SPANS


def tracing() -> bool:
    """False inside `untraced()`."""
    return is_instrumentation_enabled()


def _recording(tracer: Tracer | None) -> bool:
    """Whether a span made here would be recorded: not inside `untraced()`, and a tracer
    provider installed (without one, skipping the no-op span and the context injection
    saves a few percent of a webhook request)."""
    if not is_instrumentation_enabled():
        return False
    if tracer is not None and not isinstance(tracer, trace.ProxyTracer):
        return True
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


@contextmanager
def span(
    tracer: Tracer,
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Attributes | None = None,
) -> Iterator[Span]:
    """A span made current inside, unless tracing is suppressed here (then a non-recording
    placeholder, so callers need no second code path)."""
    if not _recording(tracer):
        yield trace.INVALID_SPAN
        return
    clean = {k: v for k, v in (attributes or {}).items() if v is not None}
    with tracer.start_as_current_span(name, kind=kind, attributes=clean) as current:
        yield current


@contextmanager
def untraced() -> Iterator[None]:
    """Nothing inside creates spans, ours or any instrumentation's; tasks started inside
    inherit that."""
    with suppress_instrumentation():
        yield


@contextmanager
def new_trace() -> Iterator[None]:
    """What runs inside starts its own trace, with no parent and no suppression."""
    token = context.attach(context.Context())
    try:
        yield
    finally:
        context.detach(token)


def set_attributes(attributes: Attributes) -> None:
    """Annotate the current span (a no-op when there is none); None values are left out."""
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attributes({k: v for k, v in attributes.items() if v is not None})


def add_event(name: str, attributes: Attributes) -> None:
    """Record something that happened during the current span, such as an approval."""
    span = trace.get_current_span()
    if span.is_recording():
        span.add_event(name, {k: v for k, v in attributes.items() if v is not None})


def record_error(error: BaseException, *, error_type: str | None = None) -> None:
    """Mark the current span failed by `error`, which was handled rather than raised."""
    span = trace.get_current_span()
    if span.is_recording():
        kind = error_type or type(error).__qualname__
        span.record_exception(error)
        span.set_attribute("error.type", kind)
        span.set_status(Status(StatusCode.ERROR, kind))


def _messaging_attributes(
    operation: str, destination: str, message_id: str | None
) -> dict[str, AttributeValue]:
    attributes: dict[str, AttributeValue] = {
        "messaging.system": MESSAGING_SYSTEM,
        "messaging.operation.type": operation,
        "messaging.operation.name": operation,
        "messaging.destination.name": destination,
    }
    if message_id is not None:
        attributes["messaging.message.id"] = message_id
    return attributes


@contextmanager
def send(
    destination: str,
    *,
    message_id: str | None = None,
    attributes: Attributes | None = None,
    tracer: Tracer | None = None,
) -> Iterator[dict[str, str]]:
    """A PRODUCER span around storing a message; yields the trace context to store with it
    (empty when tracing is off)."""
    carrier: dict[str, str] = {}
    if not _recording(tracer):
        yield carrier
        return
    span_attributes = _messaging_attributes("send", destination, message_id)
    span_attributes.update({k: v for k, v in (attributes or {}).items() if v is not None})
    with (tracer or default_tracer()).start_as_current_span(
        f"send {destination}", kind=SpanKind.PRODUCER, attributes=span_attributes
    ):
        propagate.inject(carrier)
        yield carrier


@contextmanager
def process(
    destination: str,
    carrier: Mapping[str, str],
    *,
    message_id: str | None = None,
    attributes: Attributes | None = None,
    tracer: Tracer | None = None,
) -> Iterator[Span]:
    """A CONSUMER span around handling a message, continuing the trace stored with it: the
    producer span is its parent and its link. A message stored without a trace context
    starts a new trace. Whatever ran before (an untraced polling loop) does not leak in."""
    parent = propagate.extract(carrier, context=context.Context())
    producer = trace.get_current_span(parent).get_span_context()
    links = [Link(producer)] if producer.is_valid else []
    span_attributes = _messaging_attributes("process", destination, message_id)
    span_attributes.update({k: v for k, v in (attributes or {}).items() if v is not None})
    token = context.attach(parent)
    try:
        with (tracer or default_tracer()).start_as_current_span(
            f"process {destination}",
            kind=SpanKind.CONSUMER,
            links=links,
            attributes=span_attributes,
        ) as span:
            yield span
    finally:
        context.detach(token)
