"""Secrets never leave the process in a span.

Every exporter a service configures sits behind `ScrubbingSpanExporter`, which rewrites
what it is about to send: the bot token in Telegram Bot API URLs (`/bot<token>/method`),
bearer and service tokens, API keys, passwords in connection URLs and the literal values of
the service's own secrets, wherever they appear (attributes, events, links, names, status);
and it drops captured secret headers (`Authorization`, cookies, the webhook secret) whole.
It runs on the export thread, off the request path, and passes clean spans through as they
are. `Scrubber.text` also cleans a whole encoded batch at once (`meshkit.otlp_json`): no
pattern reaches across a quote or a backslash, so it never breaks out of a JSON string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from urllib.parse import quote, urlsplit

from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Link, Status
from opentelemetry.util.types import Attributes, AttributeValue
from pydantic import SecretStr

REDACTED = "<redacted>"

#: Captured request and response headers that carry credentials; dropped, never rewritten.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "anthropic-api-key",
        "x-telegram-bot-api-secret-token",
        "idempotency-key",
    }
)
_HEADER_PREFIXES = ("http.request.header.", "http.response.header.")


def _bot_token(match: re.Match[str]) -> str:
    """The secret half of `<bot id>:<35 characters>`. The pattern starts at the colon, a
    literal the regex engine can scan for; starting at the digits, it was 25 times slower
    over an encoded batch full of timestamps. (The bot id itself is public.)"""
    start = match.start()
    if start >= 5 and match.string[start - 5 : start].isdigit():
        return ":" + REDACTED
    return match.group(0)


# Each pattern with substrings one of which every match contains: a scan for those (`in`,
# in C) rules most patterns out at once, and a span is only rebuilt when one matches.
_PATTERNS: tuple[
    tuple[tuple[str, ...], re.Pattern[str], str | Callable[[re.Match[str]], str]], ...
] = (
    # The Bot API puts the token in the path: /bot<token>/sendMessage, /file/bot<token>/...
    (("/bot",), re.compile(r'/bot[^/\s?#"\\]+'), "/bot" + REDACTED),
    # A Telegram bot token on its own: <bot id>:<35 characters>.
    ((":",), re.compile(r":[A-Za-z0-9_-]{30,}"), _bot_token),
    (
        ("earer", "EARER", "asic", "ASIC"),
        re.compile(r"\b((?i:bearer|basic))(?:\s|\\[nrt])+[A-Za-z0-9._~+/=-]+"),
        r"\1 " + REDACTED,
    ),
    # Service tokens are JWTs.
    (("eyJ",), re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), REDACTED),
    (("sk-ant-",), re.compile(r"\bsk-ant-[A-Za-z0-9_-]+"), REDACTED),
    # user:password@ in any URL (DATABASE_URL, proxies).
    (("@",), re.compile(r'(://[^:/@\s"\\]+):[^@/\s"\\]+@'), r"\1:" + REDACTED + "@"),
    (
        ("=",),
        re.compile(r'([?&](?i:token|key|api_key|apikey|secret|password|signature)=)[^&#\s"\\]+'),
        r"\1" + REDACTED,
    ),
)


def _suspect(text: str) -> bool:
    return any(
        any(guard in text for guard in guards) and pattern.search(text) is not None
        for guards, pattern, _ in _PATTERNS
    )


class Scrubber:
    """Rewrites text and attributes so that no secret survives. `secrets` are literal values
    to remove wherever they appear (the service's own secrets, as configured)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        for secret in secrets:
            # Short values would blank out ordinary words; they are not real secrets anyway.
            if len(secret) >= 8:
                # As written, URL-encoded, and escaped inside a JSON string.
                forms.update(
                    {secret, quote(secret, safe=""), quote(secret), json.dumps(secret)[1:-1]}
                )
        self._literals = tuple(sorted(forms, key=len, reverse=True))

    def text(self, value: str) -> str:
        for literal in self._literals:
            if literal in value:
                value = value.replace(literal, REDACTED)
        for guards, pattern, replacement in _PATTERNS:
            if any(guard in value for guard in guards):
                value = pattern.sub(replacement, value)
        return value

    def _clean(self, span: ReadableSpan) -> bool:
        """Whether nothing in the span needs scrubbing, decided with one scan of its text."""
        texts = [span.name, span.status.description or ""]
        for attributes in (
            span.attributes,
            *(event.attributes for event in span.events),
            *(link.attributes for link in span.links),
        ):
            for key, value in (attributes or {}).items():
                if key.startswith(_HEADER_PREFIXES):
                    return False
                if isinstance(value, str):
                    texts.append(value)
                elif isinstance(value, Sequence) and value and isinstance(value[0], str):
                    texts.extend(item for item in value if isinstance(item, str))
        texts.extend(event.name for event in span.events)
        blob = "\n".join(texts)
        return not any(s in blob for s in self._literals) and not _suspect(blob)

    def attributes(self, attributes: Attributes) -> dict[str, AttributeValue] | None:
        """The attributes with secrets removed, or None when there was nothing to remove."""
        if not attributes:
            return None
        changed = False
        clean: dict[str, AttributeValue] = {}
        for key, value in attributes.items():
            if is_secret_header(key):
                changed = True
                continue
            new = self._value(value)
            changed = changed or new is not value
            clean[key] = new
        return clean if changed else None

    def _value(self, value: AttributeValue) -> AttributeValue:
        if isinstance(value, str):
            new = self.text(value)
            return value if new == value else new
        if isinstance(value, Sequence) and value and isinstance(value[0], str):
            items = [self.text(item) if isinstance(item, str) else item for item in value]
            return value if items == list(value) else items
        return value

    def span(self, span: ReadableSpan) -> ReadableSpan:
        """The span itself when it is clean, else a copy without the secrets."""
        if self._clean(span):
            return span
        name = self.text(span.name)
        attributes = self.attributes(span.attributes)
        events = [self._event(event) for event in span.events]
        links = [self._link(link) for link in span.links]
        status = span.status
        if status.description:
            description = self.text(status.description)
            if description != status.description:
                status = Status(status.status_code, description)
        if (
            name == span.name
            and attributes is None
            and all(new is old for new, old in zip(events, span.events, strict=True))
            and all(new is old for new, old in zip(links, span.links, strict=True))
            and status is span.status
        ):
            return span
        return ReadableSpan(
            name=name,
            context=span.context,
            parent=span.parent,
            resource=span.resource,
            attributes=attributes if attributes is not None else span.attributes,
            events=events,
            links=links,
            kind=span.kind,
            status=status,
            start_time=span.start_time,
            end_time=span.end_time,
            instrumentation_scope=span.instrumentation_scope,
        )

    def _event(self, event: Event) -> Event:
        name = self.text(event.name)
        attributes = self.attributes(event.attributes)
        if name == event.name and attributes is None:
            return event
        return Event(
            name, attributes if attributes is not None else event.attributes, event.timestamp
        )

    def _link(self, link: Link) -> Link:
        attributes = self.attributes(link.attributes)
        return link if attributes is None else Link(link.context, attributes)


def is_secret_header(key: str) -> bool:
    for prefix in _HEADER_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :].replace("_", "-").lower() in SECRET_HEADERS
    return False


class ScrubbingSpanExporter(SpanExporter):
    """Passes spans to `inner` with every secret removed."""

    def __init__(self, inner: SpanExporter, scrubber: Scrubber) -> None:
        self.inner = inner
        self.scrubber = scrubber

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([self.scrubber.span(span) for span in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


def secret_values(settings: object) -> list[str]:
    """Every secret a settings object holds: its `SecretStr` fields, and the password of any
    URL among them."""
    values: list[str] = []
    fields: Mapping[str, object] = getattr(type(settings), "model_fields", {})
    for name in fields:
        value = getattr(settings, name, None)
        if not isinstance(value, SecretStr):
            continue
        raw = value.get_secret_value()
        values.append(raw)
        if "://" in raw:
            password = urlsplit(raw).password
            if password:
                values.append(password)
    return values
