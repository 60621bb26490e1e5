"""Token counts and prompt caching, close enough to the real API's to exercise accounting.

Tokens are estimated at about four characters each. Prompt caching follows the API's
model: the prompt is read in the order tools, system, messages; a `cache_control` marker
ends a cacheable prefix; a later request whose prompt starts with a cached prefix reads it
from the cache, and the part up to its last marker that was not cached yet is written.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass

from meshdev.offline_model.protocol import (
    CacheControl,
    CacheCreation,
    ContentOut,
    MessagesRequest,
    TextBlockIn,
    TextOut,
    Usage,
    invalid_request,
)

MAX_BREAKPOINTS = 4
_TTL_S = {"5m": 300.0, "1h": 3600.0}


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4) if text else 0


def output_tokens(content: list[ContentOut]) -> int:
    chars = 0
    for block in content:
        if isinstance(block, TextOut):
            chars += len(block.text)
        else:
            chars += len(block.name) + len(json.dumps(block.input))
    return max(1, math.ceil(chars / 4))


@dataclass(frozen=True, slots=True)
class Segment:
    """One cacheable unit of the prompt: a tool, a system block or a message block."""

    text: str
    breakpoint: CacheControl | None


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def prompt_segments(request: MessagesRequest) -> list[Segment]:
    segments = [
        Segment(
            _canonical(tool.model_dump(exclude={"cache_control"}, exclude_none=True)),
            tool.cache_control,
        )
        for tool in request.tools
    ]
    segments.extend(Segment(block.text, block.cache_control) for block in request.system)
    for message in request.messages:
        for block in message.content:
            if isinstance(block, TextBlockIn):
                text = block.text
            else:
                text = _canonical(block.model_dump(exclude={"cache_control"}, exclude_none=True))
            segments.append(Segment(text, block.cache_control))
    if request.cache_control is not None and segments:
        # Top-level cache_control marks the last cacheable block.
        segments[-1] = Segment(segments[-1].text, request.cache_control)
    return segments


def count_input_tokens(request: MessagesRequest) -> int:
    return max(1, sum(estimate_tokens(s.text) for s in prompt_segments(request)))


class PromptCache:
    """The prompt prefixes one API key has cached, with their expiry times."""

    def __init__(self) -> None:
        self._entries: dict[bytes, float] = {}

    def clear(self) -> None:
        self._entries.clear()

    def account(self, request: MessagesRequest, output: int, now: float | None = None) -> Usage:
        """The request's usage; caches the prefixes it marks."""
        now = time.monotonic() if now is None else now
        self._entries = {key: expiry for key, expiry in self._entries.items() if expiry > now}
        segments = prompt_segments(request)
        marks = [index for index, segment in enumerate(segments) if segment.breakpoint]
        if len(marks) > MAX_BREAKPOINTS:
            raise invalid_request(
                f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. "
                f"Found {len(marks)}."
            )
        digests: list[bytes] = []
        cumulative: list[int] = []
        running = hashlib.sha256()
        chars = 0
        for segment in segments:
            running.update(segment.text.encode())
            running.update(b"\x00")
            digests.append(running.copy().digest())
            chars += len(segment.text)
            cumulative.append(math.ceil(chars / 4))
        total = max(1, cumulative[-1] if cumulative else 0)
        if not marks:
            return Usage(input_tokens=total, output_tokens=output)

        last_mark = marks[-1]
        hit = -1
        for index in range(last_mark, -1, -1):
            if digests[index] in self._entries:
                hit = index
                break
        read = cumulative[hit] if hit >= 0 else 0
        created = cumulative[last_mark] - read if last_mark > hit else 0
        for index in marks:
            breakpoint = segments[index].breakpoint
            assert breakpoint is not None
            ttl = _TTL_S[breakpoint.ttl or "5m"]
            self._entries[digests[index]] = max(self._entries.get(digests[index], 0.0), now + ttl)
        if hit >= 0:
            self._entries[digests[hit]] = max(self._entries[digests[hit]], now + _TTL_S["5m"])
        last_ttl = segments[last_mark].breakpoint
        one_hour = last_ttl is not None and last_ttl.ttl == "1h"
        return Usage(
            input_tokens=max(0, total - read - created),
            cache_creation_input_tokens=created,
            cache_read_input_tokens=read,
            cache_creation=CacheCreation(
                ephemeral_5m_input_tokens=0 if one_hour else created,
                ephemeral_1h_input_tokens=created if one_hour else 0,
            ),
            output_tokens=output,
        )
