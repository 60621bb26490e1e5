"""A finished message as the API streams it: the same server-sent events, in the same order."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from meshdev.offline_model.protocol import MessageOut, TextOut, ToolUseOut
from meshdev.offline_model.scripted import StreamRecord

_WORDS_PER_DELTA = 3
_JSON_CHARS_PER_DELTA = 10


def encode_event(event: str, data: dict[str, Any]) -> bytes:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {payload}\n\n".encode()


def text_chunks(text: str) -> list[str]:
    """A few words per delta, so a reader sees the answer arrive in pieces."""
    words = re.findall(r"\s*\S+\s*", text) or [text]
    return [
        "".join(words[i : i + _WORDS_PER_DELTA]) for i in range(0, len(words), _WORDS_PER_DELTA)
    ]


def json_chunks(value: dict[str, Any]) -> list[str]:
    text = json.dumps(value, ensure_ascii=False)
    # The API opens every tool input with an empty fragment before the JSON itself.
    return [""] + [
        text[i : i + _JSON_CHARS_PER_DELTA] for i in range(0, len(text), _JSON_CHARS_PER_DELTA)
    ]


def message_events(message: MessageOut) -> Iterator[tuple[str, dict[str, Any]]]:
    usage = message.usage
    opening = message.model_copy(
        update={
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": usage.model_copy(update={"output_tokens": 1}),
        }
    )
    yield "message_start", {"type": "message_start", "message": opening.model_dump(mode="json")}
    for index, block in enumerate(message.content):
        if isinstance(block, TextOut):
            yield (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "text", "text": ""},
                },
            )
            if index == 0:
                yield "ping", {"type": "ping"}
            for chunk in text_chunks(block.text):
                yield (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "text_delta", "text": chunk},
                    },
                )
        else:
            assert isinstance(block, ToolUseOut)
            yield (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {
                        "type": "tool_use",
                        "id": block.id,
                        "name": block.name,
                        "input": {},
                    },
                },
            )
            if index == 0:
                yield "ping", {"type": "ping"}
            for chunk in json_chunks(block.input):
                yield (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "input_json_delta", "partial_json": chunk},
                    },
                )
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    yield (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": message.stop_reason, "stop_sequence": message.stop_sequence},
            "usage": {
                "input_tokens": usage.input_tokens,
                "cache_creation_input_tokens": usage.cache_creation_input_tokens,
                "cache_read_input_tokens": usage.cache_read_input_tokens,
                "output_tokens": usage.output_tokens,
            },
        },
    )
    yield "message_stop", {"type": "message_stop"}


async def stream_message(
    message: MessageOut, delay_s: float, progress: StreamRecord | None = None
) -> AsyncIterator[bytes]:
    """The message's events, `delay_s` apart after each delta; `progress` records how far
    the stream got (a client that hangs up cancels it)."""
    for event, data in message_events(message):
        if progress is not None and event == "content_block_delta":
            if progress.first_delta_at is None:
                progress.first_delta_at = datetime.now(UTC)
            progress.deltas += 1
        yield encode_event(event, data)
        if delay_s and event == "content_block_delta":
            await asyncio.sleep(delay_s)
    if progress is not None:
        progress.completed = True


async def stream_error(
    message: MessageOut, error_type: str, text: str, request_id: str
) -> AsyncIterator[bytes]:
    """An error after the stream began, as the API sends an overload mid-response."""
    for event, data in message_events(message):
        yield encode_event(event, data)
        if event == "message_start":
            break
    yield encode_event(
        "error",
        {
            "type": "error",
            "error": {"type": error_type, "message": text},
            "request_id": request_id,
        },
    )
