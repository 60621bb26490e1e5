"""Traces from the local sink, printed as a waterfall: every span of one trace, across
services, indented under its parent, with its offset, duration and a bar on the trace's
timeline, the model and tool details that matter, and errors."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from meshdev.traces.records import SpanRecord

log = logging.getLogger(__name__)

BAR_WIDTH = 24
CHAT_ATTRIBUTE = "telegram.chat.id"
UPDATE_ATTRIBUTE = "telegram.update.id"


def load_spans(directory: Path) -> list[SpanRecord]:
    """Every span in the directory's `*.jsonl` files; a damaged line is skipped."""
    spans: list[SpanRecord] = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    spans.append(SpanRecord.from_json(json.loads(line)))
                except (ValueError, KeyError, TypeError):
                    log.debug("skipped a damaged span line", extra={"path": str(path)})
    return spans


@dataclass(frozen=True, slots=True)
class Trace:
    trace_id: str
    spans: tuple[SpanRecord, ...]

    @property
    def start_ns(self) -> int:
        return min(span.start_ns for span in self.spans)

    @property
    def end_ns(self) -> int:
        return max(span.end_ns for span in self.spans)

    @property
    def services(self) -> list[str]:
        return sorted({span.service for span in self.spans})

    @property
    def root(self) -> SpanRecord:
        ids = {span.span_id for span in self.spans}
        roots = [s for s in self.spans if s.parent_id is None or s.parent_id not in ids]
        return min(roots or self.spans, key=lambda s: s.start_ns)

    def attribute(self, key: str) -> Any:
        for span in self.spans:
            if key in span.attributes:
                return span.attributes[key]
        return None


def group_traces(spans: Iterable[SpanRecord]) -> list[Trace]:
    """Traces, oldest first."""
    by_trace: dict[str, list[SpanRecord]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for span in spans:
        if (span.trace_id, span.span_id) in seen:
            continue
        seen.add((span.trace_id, span.span_id))
        by_trace[span.trace_id].append(span)
    traces = [Trace(trace_id, tuple(items)) for trace_id, items in by_trace.items()]
    return sorted(traces, key=lambda t: t.start_ns)


def find_trace(
    traces: Sequence[Trace], *, trace_id: str | None = None, chat_id: int | None = None
) -> Trace | None:
    """By id (or a unique prefix of it); else the latest trace of a chat; else the latest
    trace of any Telegram message, falling back to the latest trace of all."""
    if trace_id:
        wanted = trace_id.lower()
        matches = [t for t in traces if t.trace_id.startswith(wanted)]
        return matches[0] if len(matches) == 1 else None
    if chat_id is not None:
        of_chat = [t for t in traces if _same_id(t.attribute(CHAT_ATTRIBUTE), chat_id)]
        return of_chat[-1] if of_chat else None
    messages = [t for t in traces if t.attribute(UPDATE_ATTRIBUTE) is not None]
    if messages:
        return messages[-1]
    return traces[-1] if traces else None


def _same_id(value: Any, wanted: int) -> bool:
    try:
        return value is not None and int(value) == wanted
    except (TypeError, ValueError):
        return False


def render(trace: Trace) -> list[str]:
    """The waterfall, one line per span (and per event or error under it)."""
    start, end = trace.start_ns, trace.end_ns
    total = max(1, end - start)
    children: dict[str | None, list[SpanRecord]] = defaultdict(list)
    ids = {span.span_id for span in trace.spans}
    for span in trace.spans:
        parent = span.parent_id if span.parent_id in ids else None
        children[parent].append(span)
    for items in children.values():
        items.sort(key=lambda s: (s.start_ns, s.name))
    when = datetime.fromtimestamp(start / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    errors = sum(1 for span in trace.spans if span.status == "error")
    lines = [
        f"trace {trace.trace_id}  {when}  {_duration(total)}  {len(trace.spans)} spans"
        f"  {', '.join(trace.services)}" + (f"  {errors} with errors" if errors else ""),
        "",
        f"{'start':>8} {'duration':>9}  {'':{BAR_WIDTH}}  {'service':<14} span",
    ]
    service_width = 14

    names = {span.span_id: span.name for span in trace.spans}

    def walk(span: SpanRecord, depth: int) -> None:
        offset = span.start_ns - start
        bar = _bar(offset, span.duration_ns, total)
        statement = _statement(span)
        details = _details(span, names)
        label = statement or span.name
        name = "  " * depth + label + (f"  {details}" if details else "")
        lines.append(
            f"{_offset(offset):>8} {_duration(span.duration_ns):>9}  {bar}  "
            f"{span.service[:service_width]:<{service_width}} {name}"
        )
        pad = " " * (8 + 1 + 9 + 2 + BAR_WIDTH + 2 + service_width + 1) + "  " * (depth + 1)
        if span.status == "error":
            lines.append(f"{pad}✗ error: {_error(span)}")
        for event in span.events:
            lines.append(f"{pad}· {event.name}{_event_details(event.attributes)}")
        for child in children.get(span.span_id, []):
            walk(child, depth + 1)

    for root in children.get(None, []):
        walk(root, 0)
    return lines


def summary(trace: Trace) -> str:
    """One line per trace for `mesh traces list`."""
    when = datetime.fromtimestamp(trace.start_ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S")
    chat = trace.attribute(CHAT_ATTRIBUTE)
    errors = sum(1 for span in trace.spans if span.status == "error")
    return (
        f"{trace.trace_id}  {when}  {_duration(trace.end_ns - trace.start_ns):>8}  "
        f"{len(trace.spans):>4} spans  {trace.root.service}: {trace.root.name}"
        + (f"  chat {chat}" if chat is not None else "")
        + (f"  {errors} errors" if errors else "")
    )


def _bar(offset: int, duration: int, total: int) -> str:
    first = min(BAR_WIDTH - 1, int(offset / total * BAR_WIDTH))
    length = max(1, round(duration / total * BAR_WIDTH))
    length = min(length, BAR_WIDTH - first)
    return " " * first + "█" * length + " " * (BAR_WIDTH - first - length)


def _offset(ns: int) -> str:
    return f"+{_duration(ns)}"


def _duration(ns: int) -> str:
    ms = ns / 1e6
    if ms < 1:
        return f"{ms:.2f}ms"
    if ms < 1000:
        return f"{ms:.0f}ms" if ms >= 10 else f"{ms:.1f}ms"
    return f"{ms / 1000:.2f}s"


def _first(attributes: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in attributes:
            return attributes[key]
    return None


def _statement(span: SpanRecord) -> str | None:
    """A database span is shown as its statement (one line, cut)."""
    statement = _first(span.attributes, "db.query.text", "db.statement")
    if not statement:
        return None
    text = " ".join(str(statement).split())
    return text[:90] + ("…" if len(text) > 90 else "")


def _details(span: SpanRecord, names: Mapping[str, str]) -> str:
    a = span.attributes
    parts: list[str] = []
    operation = a.get("gen_ai.operation.name")
    if operation in ("chat", "text_completion", "generate_content"):
        parts.append(f"model={_first(a, 'gen_ai.response.model', 'gen_ai.request.model')}")
        parts.extend(_tokens(a))
        reasons = a.get("gen_ai.response.finish_reasons")
        if reasons:
            parts.append(f"finish={','.join(map(str, reasons))}")
    elif operation == "invoke_agent":
        parts.append(f"model={a.get('gen_ai.request.model')}")
        parts.extend(_tokens(a))
        if "meshkit.agent.rounds" in a:
            parts.append(f"rounds={a['meshkit.agent.rounds']}")
        if a.get("gen_ai.conversation.id"):
            parts.append(f"conversation={a['gen_ai.conversation.id']}")
    elif operation == "execute_tool":
        parts.append(f"call={a.get('gen_ai.tool.call.id')}")
    elif "messaging.operation.type" in a:
        for key, label in (
            (UPDATE_ATTRIBUTE, "update"),
            (CHAT_ATTRIBUTE, "chat"),
            ("gateway.job.id", "job"),
            ("gateway.job.attempt", "attempt"),
        ):
            if key in a:
                parts.append(f"{label}={a[key]}")
        for link in span.links:
            parts.append(f"linked to {names.get(link.span_id, 'span')} {link.span_id[:8]}")
    elif span.kind == "server" and _first(a, "http.response.status_code", "http.status_code"):
        parts.append(str(_first(a, "http.response.status_code", "http.status_code")))
    elif span.kind == "client" and _first(a, "url.full", "http.url"):
        status = _first(a, "http.response.status_code", "http.status_code")
        parts.append(f"{_first(a, 'url.full', 'http.url')}" + (f" → {status}" if status else ""))
    return "  ".join(parts)


def _tokens(attributes: Mapping[str, Any]) -> list[str]:
    parts = []
    if "gen_ai.usage.input_tokens" in attributes:
        parts.append(f"in={attributes['gen_ai.usage.input_tokens']}")
    if "gen_ai.usage.output_tokens" in attributes:
        parts.append(f"out={attributes['gen_ai.usage.output_tokens']}")
    return parts


def _error(span: SpanRecord) -> str:
    kind = span.attributes.get("error.type")
    message = span.status_message
    for event in span.events:
        if event.name == "exception":
            kind = kind or event.attributes.get("exception.type")
            message = event.attributes.get("exception.message") or message
    text = " ".join(part for part in (str(kind or ""), str(message or "")) if part)
    return text or "(no detail)"


def _event_details(attributes: Mapping[str, Any]) -> str:
    shown = {k: v for k, v in attributes.items() if k != "exception.stacktrace"}
    if not shown:
        return ""
    return "  " + "  ".join(f"{k}={v}" for k, v in shown.items())
