"""OTLP/HTTP with the JSON encoding (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`), scrubbed.

Why our own: the official protobuf exporter builds a message object for every attribute of
every span in Python, about 60 µs a span here, and the scrubber then scanned each span's text
for secrets, another 20-25 µs; both run on the export thread, which holds the GIL the
requests need. Here a batch becomes plain dictionaries, `json.dumps` (C) writes it, and the
scrubber reads the finished text once: about 32 + 13 µs a span (docs/scaling.md).

The encoding follows the OTLP specification's JSON mapping: trace and span ids in hex,
64-bit integers as strings, enums as numbers, lowerCamelCase field names. The OpenTelemetry
Collector and Jaeger v2 take it on the same `/v1/traces` endpoint as protobuf.

Configuration is the standard one, read the way the Python SDK's own OTLP exporter reads it:
`OTEL_EXPORTER_OTLP[_TRACES]_ENDPOINT`, `_HEADERS` (`key=value,…`, URL-encoded values),
`_TIMEOUT` (seconds) and `_COMPRESSION` (`gzip` or none). Failed exports (connection errors,
429, 502, 503, 504) are retried with backoff inside the timeout; nothing is retried once the
provider is shutting down.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import os
import random
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote

import urllib3
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import SpanContext
from opentelemetry.util.types import AttributeValue

from meshkit.scrub import Scrubber, is_secret_header

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "http://localhost:4318/v1/traces"
DEFAULT_TIMEOUT_S = 10.0
RETRYABLE = frozenset({429, 502, 503, 504})

_Json = dict[str, Any]


def _env(name: str) -> str | None:
    """The traces-specific variable, else the general one."""
    value = os.environ.get(f"OTEL_EXPORTER_OTLP_TRACES_{name}")
    if value is None:
        value = os.environ.get(f"OTEL_EXPORTER_OTLP_{name}")
    return value.strip() if value is not None else None


def endpoint_from_environment() -> str:
    traces = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if traces:
        return traces.strip()
    base = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if base:
        return base.strip().rstrip("/") + "/v1/traces"
    return DEFAULT_ENDPOINT


def headers_from_environment() -> dict[str, str]:
    headers: dict[str, str] = {}
    for item in (_env("HEADERS") or "").split(","):
        key, sep, value = item.partition("=")
        if sep and key.strip():
            headers[key.strip().lower()] = unquote(value.strip())
    return headers


class OtlpJsonSpanExporter(SpanExporter):
    """Spans to an OTLP/HTTP endpoint as JSON, with every secret scrubbed from the text."""

    def __init__(
        self,
        scrubber: Scrubber,
        *,
        endpoint: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
        compression: str | None = None,
    ) -> None:
        self.scrubber = scrubber
        self.endpoint = endpoint or endpoint_from_environment()
        self.timeout_s = timeout_s or float(_env("TIMEOUT") or DEFAULT_TIMEOUT_S)
        chosen = (compression or _env("COMPRESSION") or "none").lower()
        self.gzip = chosen == "gzip"
        self.headers = {
            **(headers_from_environment() if headers is None else dict(headers)),
            "content-type": "application/json",
        }
        if self.gzip:
            self.headers["content-encoding"] = "gzip"
        # urllib3 rather than httpx: the httpx instrumentation would trace our own exports.
        self._http = urllib3.PoolManager(num_pools=1, maxsize=1, retries=False)
        self._stopping = threading.Event()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self._stopping.is_set():
            return SpanExportResult.FAILURE
        body = self.scrubber.text(
            json.dumps(encode(spans), ensure_ascii=False, separators=(",", ":"))
        ).encode()
        if self.gzip:
            body = gzip.compress(body, compresslevel=5)
        deadline = time.monotonic() + self.timeout_s
        delay = 0.5
        while True:
            status = self._post(body, deadline)
            if status is not None and 200 <= status < 300:
                return SpanExportResult.SUCCESS
            retryable = status is None or status in RETRYABLE
            wait = delay * (0.8 + 0.4 * random.random())  # noqa: S311 - jitter, not secrets
            if not retryable or self._stopping.is_set() or time.monotonic() + wait >= deadline:
                log.warning(
                    "span export failed",
                    extra={"status": status, "spans": len(spans), "endpoint": self.endpoint},
                )
                return SpanExportResult.FAILURE
            if self._stopping.wait(wait):
                return SpanExportResult.FAILURE
            delay *= 2

    def _post(self, body: bytes, deadline: float) -> int | None:
        """The response status, or None when the endpoint could not be reached."""
        left = max(0.1, deadline - time.monotonic())
        try:
            with suppress_instrumentation():
                response = self._http.request(
                    "POST",
                    self.endpoint,
                    body=body,
                    headers=self.headers,
                    timeout=urllib3.Timeout(total=left),
                    preload_content=True,
                )
        except urllib3.exceptions.HTTPError:
            return None
        status: int = response.status
        return status

    def shutdown(self) -> None:
        self._stopping.set()
        self._http.clear()

    def force_flush(self, timeout_millis: int = 30000) -> bool:  # noqa: ARG002
        return True


def encode(spans: Sequence[ReadableSpan]) -> _Json:
    """An `ExportTraceServiceRequest` in OTLP's JSON mapping, spans grouped by resource and
    instrumentation scope."""
    resources: dict[
        int, tuple[Resource, dict[Any, tuple[InstrumentationScope | None, list[_Json]]]]
    ]
    resources = {}
    for span in spans:
        resource = span.resource
        entry = resources.get(id(resource))
        if entry is None:
            entry = resources[id(resource)] = (resource, {})
        scope = span.instrumentation_scope
        key = (scope.name, scope.version, scope.schema_url) if scope is not None else None
        scoped = entry[1].get(key)
        if scoped is None:
            scoped = entry[1][key] = (scope, [])
        scoped[1].append(_span(span))
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": _attributes(resource.attributes)},
                "schemaUrl": resource.schema_url,
                "scopeSpans": [
                    {
                        "scope": _scope(scope),
                        "schemaUrl": scope.schema_url if scope else "",
                        "spans": encoded,
                    }
                    for scope, encoded in scopes.values()
                ],
            }
            for resource, scopes in resources.values()
        ]
    }


def _scope(scope: InstrumentationScope | None) -> _Json:
    if scope is None:
        return {}
    encoded: _Json = {"name": scope.name}
    if scope.version:
        encoded["version"] = scope.version
    if scope.attributes:
        encoded["attributes"] = _attributes(scope.attributes)
    return encoded


def _span(span: ReadableSpan) -> _Json:
    context = span.context
    assert context is not None
    encoded: _Json = {
        "traceId": f"{context.trace_id:032x}",
        "spanId": f"{context.span_id:016x}",
        "name": span.name,
        # OTLP counts kinds from 1 (0 is "unspecified"); the SDK's SpanKind from 0.
        "kind": span.kind.value + 1,
        "startTimeUnixNano": str(span.start_time or 0),
        "endTimeUnixNano": str(span.end_time or 0),
        "flags": _flags(context, span.parent),
    }
    if context.trace_state:
        encoded["traceState"] = context.trace_state.to_header()
    if span.parent is not None:
        encoded["parentSpanId"] = f"{span.parent.span_id:016x}"
    if span.attributes:
        encoded["attributes"] = _attributes(span.attributes)
    if span.dropped_attributes:
        encoded["droppedAttributesCount"] = span.dropped_attributes
    if span.events:
        encoded["events"] = [
            {
                "timeUnixNano": str(event.timestamp),
                "name": event.name,
                "attributes": _attributes(event.attributes),
            }
            for event in span.events
        ]
    if span.dropped_events:
        encoded["droppedEventsCount"] = span.dropped_events
    if span.links:
        encoded["links"] = [
            {
                "traceId": f"{link.context.trace_id:032x}",
                "spanId": f"{link.context.span_id:016x}",
                "attributes": _attributes(link.attributes),
                "flags": _flags(link.context, None),
            }
            for link in span.links
        ]
    if span.dropped_links:
        encoded["droppedLinksCount"] = span.dropped_links
    status = span.status
    if status.status_code.value:
        encoded["status"] = {"code": status.status_code.value, "message": status.description or ""}
    return encoded


def _flags(context: SpanContext, parent: SpanContext | None) -> int:
    """W3C trace flags, with OTLP's bits saying whether the parent is remote (0x100: known,
    0x200: remote)."""
    flags = int(context.trace_flags) | 0x100
    if parent is not None and parent.is_remote:
        flags |= 0x200
    return flags


def _attributes(attributes: Mapping[str, AttributeValue] | None) -> list[_Json]:
    if not attributes:
        return []
    return [
        {"key": key, "value": _value(value)}
        for key, value in attributes.items()
        # Captured credential headers are dropped whole, never sent.
        if not (key.startswith("http.") and is_secret_header(key))
    ]


def _value(value: AttributeValue) -> _Json:
    # bool before int: True is an int too.
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        # JSON has no NaN or infinities; the proto3 mapping writes them as strings.
        return {
            "doubleValue": value
            if math.isfinite(value)
            else str(value).replace("inf", "Infinity").replace("nan", "NaN")
        }
    if isinstance(value, Sequence):
        return {"arrayValue": {"values": [_value(item) for item in value]}}
    return {"stringValue": str(value)}
