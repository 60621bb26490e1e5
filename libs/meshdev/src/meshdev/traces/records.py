"""One span as the local tools keep it: plain data, JSON in and out, made from an SDK span
(the file sink) or from an OTLP protobuf span (the test receiver)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, Span, Status
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

Attributes = dict[str, Any]

_KINDS = {
    SpanKind.INTERNAL: "internal",
    SpanKind.SERVER: "server",
    SpanKind.CLIENT: "client",
    SpanKind.PRODUCER: "producer",
    SpanKind.CONSUMER: "consumer",
}
_OTLP_KINDS = {
    Span.SPAN_KIND_INTERNAL: "internal",
    Span.SPAN_KIND_SERVER: "server",
    Span.SPAN_KIND_CLIENT: "client",
    Span.SPAN_KIND_PRODUCER: "producer",
    Span.SPAN_KIND_CONSUMER: "consumer",
}
_STATUSES = {StatusCode.UNSET: "unset", StatusCode.OK: "ok", StatusCode.ERROR: "error"}
_OTLP_STATUSES = {
    Status.STATUS_CODE_UNSET: "unset",
    Status.STATUS_CODE_OK: "ok",
    Status.STATUS_CODE_ERROR: "error",
}


@dataclass(frozen=True, slots=True)
class EventRecord:
    name: str
    time_ns: int
    attributes: Attributes = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LinkRecord:
    trace_id: str
    span_id: str
    attributes: Attributes = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SpanRecord:
    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    kind: str
    service: str
    start_ns: int
    end_ns: int
    status: str = "unset"
    status_message: str | None = None
    attributes: Attributes = field(default_factory=dict)
    events: tuple[EventRecord, ...] = ()
    links: tuple[LinkRecord, ...] = ()
    scope: str | None = None
    #: The process (`service.instance.id`): a gateway's web and worker processes differ.
    instance: str | None = None

    @property
    def duration_ns(self) -> int:
        return max(0, self.end_ns - self.start_ns)

    def to_json(self) -> dict[str, Any]:
        return {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_id": self.parent_id,
            "name": self.name,
            "kind": self.kind,
            "service": self.service,
            "start_ns": self.start_ns,
            "end_ns": self.end_ns,
            "status": self.status,
            "status_message": self.status_message,
            "attributes": self.attributes,
            "events": [
                {"name": e.name, "time_ns": e.time_ns, "attributes": e.attributes}
                for e in self.events
            ],
            "links": [
                {"trace_id": link.trace_id, "span_id": link.span_id, "attributes": link.attributes}
                for link in self.links
            ],
            "scope": self.scope,
            "instance": self.instance,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SpanRecord:
        return cls(
            trace_id=str(data["trace_id"]),
            span_id=str(data["span_id"]),
            parent_id=data.get("parent_id"),
            name=str(data["name"]),
            kind=str(data.get("kind", "internal")),
            service=str(data.get("service", "?")),
            start_ns=int(data["start_ns"]),
            end_ns=int(data["end_ns"]),
            status=str(data.get("status", "unset")),
            status_message=data.get("status_message"),
            attributes=dict(data.get("attributes") or {}),
            events=tuple(
                EventRecord(e["name"], int(e["time_ns"]), dict(e.get("attributes") or {}))
                for e in data.get("events") or ()
            ),
            links=tuple(
                LinkRecord(link["trace_id"], link["span_id"], dict(link.get("attributes") or {}))
                for link in data.get("links") or ()
            ),
            scope=data.get("scope"),
            instance=data.get("instance"),
        )

    @classmethod
    def from_span(cls, span: ReadableSpan) -> SpanRecord:
        """From the SDK's span, as an exporter receives it."""
        context = span.context
        assert context is not None
        return cls(
            trace_id=f"{context.trace_id:032x}",
            span_id=f"{context.span_id:016x}",
            parent_id=f"{span.parent.span_id:016x}" if span.parent else None,
            name=span.name,
            kind=_KINDS.get(span.kind, "internal"),
            service=str(span.resource.attributes.get("service.name", "?")),
            start_ns=span.start_time or 0,
            end_ns=span.end_time or 0,
            status=_STATUSES.get(span.status.status_code, "unset"),
            status_message=span.status.description,
            attributes=_plain(span.attributes or {}),
            events=tuple(
                EventRecord(e.name, e.timestamp, _plain(e.attributes or {})) for e in span.events
            ),
            links=tuple(
                LinkRecord(
                    f"{link.context.trace_id:032x}",
                    f"{link.context.span_id:016x}",
                    _plain(link.attributes or {}),
                )
                for link in span.links
            ),
            scope=span.instrumentation_scope.name if span.instrumentation_scope else None,
            instance=_optional_str(span.resource.attributes.get("service.instance.id")),
        )


def from_otlp(resource_spans: Sequence[ResourceSpans]) -> list[SpanRecord]:
    """Every span of an OTLP export request."""
    records: list[SpanRecord] = []
    for group in resource_spans:
        resource = _otlp_attributes(group.resource.attributes)
        service = str(resource.get("service.name", "?"))
        instance = _optional_str(resource.get("service.instance.id"))
        for scope_spans in group.scope_spans:
            for span in scope_spans.spans:
                records.append(
                    SpanRecord(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_id=span.parent_span_id.hex() or None,
                        name=span.name,
                        kind=_OTLP_KINDS.get(span.kind, "internal"),
                        service=service,
                        start_ns=span.start_time_unix_nano,
                        end_ns=span.end_time_unix_nano,
                        status=_OTLP_STATUSES.get(span.status.code, "unset"),
                        status_message=span.status.message or None,
                        attributes=_otlp_attributes(span.attributes),
                        events=tuple(
                            EventRecord(e.name, e.time_unix_nano, _otlp_attributes(e.attributes))
                            for e in span.events
                        ),
                        links=tuple(
                            LinkRecord(
                                link.trace_id.hex(),
                                link.span_id.hex(),
                                _otlp_attributes(link.attributes),
                            )
                            for link in span.links
                        ),
                        scope=scope_spans.scope.name or None,
                        instance=instance,
                    )
                )
    return records


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _plain(attributes: Mapping[str, Any]) -> Attributes:
    return {
        key: list(value) if isinstance(value, (tuple, list)) else value
        for key, value in attributes.items()
    }


def _otlp_attributes(attributes: Sequence[KeyValue]) -> Attributes:
    return {item.key: _otlp_value(item.value) for item in attributes}


def _otlp_value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_otlp_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return _otlp_attributes(value.kvlist_value.values)
    if kind == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, kind) if kind else None
