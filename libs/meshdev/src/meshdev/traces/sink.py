"""The local trace sink: each service appends its spans to `.data/traces/<service>.jsonl`,
one JSON object a line, and `mesh traces show` reads them all back as one waterfall.

Several processes of one service (a web process and its workers) append to the same file:
each batch is one `write` on a file opened with O_APPEND, so lines never interleave. A file
past its size limit is set aside as `<service>.1.jsonl` (the one before is dropped)."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from meshdev.localenv import data_dir
from meshdev.traces.records import SpanRecord

log = logging.getLogger(__name__)

#: Past this a file is rotated; two generations per service stay on disk.
MAX_FILE_BYTES = 32 * 1024 * 1024


def traces_dir() -> Path:
    path = data_dir() / "traces"
    path.mkdir(parents=True, exist_ok=True)
    return path


def local_span_exporter(service: str) -> JsonlSpanExporter:
    return JsonlSpanExporter(traces_dir() / f"{service}.jsonl")


class JsonlSpanExporter(SpanExporter):
    def __init__(self, path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        path.parent.mkdir(parents=True, exist_ok=True)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        data = "".join(
            json.dumps(SpanRecord.from_span(span).to_json(), ensure_ascii=False, default=str) + "\n"
            for span in spans
        ).encode()
        try:
            self._rotate_if_full()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError:
            log.warning("could not write spans", extra={"path": str(self.path)})
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def _rotate_if_full(self) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size > self.max_bytes:
            os.replace(self.path, self.path.with_name(f"{self.path.stem}.1.jsonl"))

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:  # noqa: ARG002
        return True
