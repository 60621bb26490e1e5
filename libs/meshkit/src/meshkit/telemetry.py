"""Traces: one OpenTelemetry set-up for every service and worker process.

`setup_telemetry` installs the process's tracer provider, its resource naming the service,
its version and its environment. Spans go over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT`
(or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, as JSON unless `OTEL_EXPORTER_OTLP_PROTOCOL`
says `http/protobuf` (`meshkit.otlp_json` says why); otherwise, in local runs, to the trace
files meshdev writes (`.data/traces/<service>.jsonl`, read by `mesh traces show`); otherwise
nowhere, and then nothing is instrumented at all, so tracing costs nothing. Whatever the
exporter, it sits behind the scrubber (`meshkit.scrub`): no secret leaves the process.

Instrumented once the provider is in place: httpx (calls between agents, the Bot API),
httpx2 (the Anthropic SDK's HTTP client: one span per attempt, so retries and 429s show, and
the trace context reaches the model endpoint), asyncpg, and the Anthropic SDK through the
official OpenTelemetry GenAI instrumentation (`chat <model>` spans). The SDK's own built-in
tracing is switched off on the client `meshkit.model` builds, so a call is never traced
twice. `instrument_app` adds the FastAPI server spans, health probes excluded.

Message content is not recorded unless `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`
says so (`SPAN_ONLY`, `SPAN_AND_EVENT`; `true` is read as `SPAN_ONLY`).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from meshkit.otlp_json import OtlpJsonSpanExporter
from meshkit.scrub import Scrubber, ScrubbingSpanExporter, secret_values
from meshkit.settings import ServiceSettings
from meshkit.spans import CAPTURE_CONTENT

log = logging.getLogger(__name__)

#: Probes answer every few seconds; a trace for each would bury the real ones.
EXCLUDED_URLS = "/healthz,/readyz"


@dataclass
class _Installed:
    provider: TracerProvider
    users: int = 0


_installed: _Installed | None = None


def span_exporter(settings: ServiceSettings) -> SpanExporter | None:
    """Where this process's spans go: OTLP, the local trace files, or nowhere (None)."""
    chosen = settings.otel_traces_exporter
    if settings.otel_sdk_disabled or chosen == "none":
        return None
    if chosen == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter(service_name=settings.service_name)
    if settings.otlp_endpoint or chosen == "otlp":
        # Both read the endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_*.
        if settings.otlp_protocol == "http/json":
            return OtlpJsonSpanExporter(Scrubber(secret_values(settings)))
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    if settings.environment == "local" and importlib.util.find_spec("meshdev") is not None:
        # The dev library is not in production images: there, no endpoint means no traces.
        from meshdev.traces.sink import local_span_exporter

        return local_span_exporter(settings.service_name)
    return None


def resource(settings: ServiceSettings, version: str) -> Resource:
    """Who made the spans. `OTEL_RESOURCE_ATTRIBUTES` adds to it."""
    return Resource.create(
        {
            "service.name": settings.service_name,
            "service.version": version,
            "service.instance.id": f"{socket.gethostname()}:{os.getpid()}",
            "deployment.environment.name": settings.environment,
            # The older name, which most trace viewers still show.
            "deployment.environment": settings.environment,
        }
    )


def tracer_provider(
    settings: ServiceSettings, exporter: SpanExporter, *, version: str
) -> TracerProvider:
    """A provider exporting in batches through the scrubber. The sampler, batch sizes and
    delays follow the standard OTEL_TRACES_SAMPLER and OTEL_BSP_* variables."""
    provider = TracerProvider(resource=resource(settings, version))
    if not isinstance(exporter, OtlpJsonSpanExporter):  # that one scrubs what it encodes
        exporter = ScrubbingSpanExporter(exporter, Scrubber(secret_values(settings)))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def setup_telemetry(settings: ServiceSettings, *, version: str = "0.0.0") -> Callable[[], None]:
    """Install tracing for this process (once: later calls share it) and return the function
    that flushes and shuts it down. Without an exporter nothing is installed."""
    global _installed
    if _installed is None:
        exporter = span_exporter(settings)
        if exporter is None:
            return _nothing
        _normalise_content_setting()
        provider = tracer_provider(settings, exporter, version=version)
        trace.set_tracer_provider(provider)
        _instrument_libraries(provider)
        _installed = _Installed(provider)
        log.info("tracing on", extra={"exporter": type(exporter).__name__})
    installed = _installed
    installed.users += 1
    done = False

    def shutdown() -> None:
        nonlocal done
        if done:
            return
        done = True
        installed.users -= 1
        if installed.users == 0:
            installed.provider.shutdown()
        else:
            installed.provider.force_flush()

    return shutdown


def instrument_app(app: FastAPI) -> None:
    """Server spans for every request but the health probes, when tracing is on."""
    if _installed is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_installed.provider,
        excluded_urls=EXCLUDED_URLS,
        # One span per request, not three: the ASGI receive/send spans add nothing here.
        exclude_spans=["receive", "send"],
    )


def _instrument_libraries(provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.genai.anthropic import AnthropicInstrumentor
    from opentelemetry.instrumentation.httpx import (
        HTTPX2ClientInstrumentor,
        HTTPXClientInstrumentor,
    )

    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    HTTPX2ClientInstrumentor().instrument(tracer_provider=provider)
    # Statements are recorded, their parameters (user data) are not.
    AsyncPGInstrumentor(capture_parameters=False).instrument(  # type: ignore[no-untyped-call]
        tracer_provider=provider
    )
    AnthropicInstrumentor().instrument(tracer_provider=provider)


def _normalise_content_setting() -> None:
    """The GenAI libraries read the capture setting from the environment themselves and know
    only its mode names; the older boolean form means content on spans."""
    value = os.environ.get(CAPTURE_CONTENT, "").strip().lower()
    if value in ("true", "1", "yes"):
        os.environ[CAPTURE_CONTENT] = "SPAN_ONLY"
    elif value in ("false", "0", "no"):
        os.environ[CAPTURE_CONTENT] = "NO_CONTENT"


def _nothing() -> None:
    return None
