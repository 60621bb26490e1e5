"""Messages as the API returns them, built from demo replies and scripted steps."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from meshdev.offline_model import demo
from meshdev.offline_model.checks import Turn
from meshdev.offline_model.protocol import (
    CacheCreation,
    ContentOut,
    MessageOut,
    MessagesRequest,
    StopReason,
    TextOut,
    ToolUseOut,
    Usage,
    id_from_digest,
    new_id,
)
from meshdev.offline_model.scripted import ScriptedResponse, ScriptedToolUse
from meshdev.offline_model.usage import PromptCache, output_tokens


def _request_digest(body: dict[str, Any]) -> bytes:
    stable = {key: value for key, value in body.items() if key != "stream"}
    return hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).digest()


def limit(
    content: list[ContentOut], max_tokens: int, stops: list[str]
) -> tuple[list[ContentOut], StopReason | None, str | None]:
    """Cut content at a stop sequence or at `max_tokens`, where generation would stop."""
    budget = max_tokens * 4
    kept: list[ContentOut] = []
    for block in content:
        if isinstance(block, TextOut):
            hits = [(block.text.find(s), s) for s in stops if s in block.text]
            if hits:
                at, sequence = min(hits)
                text = block.text[:at]
                if len(text) > budget:
                    return [*kept, TextOut(text=text[:budget])], "max_tokens", None
                if text:
                    kept.append(TextOut(text=text))
                return kept, "stop_sequence", sequence
            if len(block.text) > budget:
                if budget > 0:
                    kept.append(TextOut(text=block.text[:budget]))
                return kept, "max_tokens", None
            budget -= len(block.text)
            kept.append(block)
        else:
            cost = len(block.name) + len(json.dumps(block.input))
            if cost > budget:
                return kept, "max_tokens", None
            budget -= cost
            kept.append(block)
    return kept, None, None


def demo_message(
    body: dict[str, Any],
    request: MessagesRequest,
    turns: list[Turn],
    cache: PromptCache,
    today: date,
    *,
    pinned: bool,
) -> MessageOut:
    reply = demo.respond(request, turns, today, pinned=pinned)
    # Tool ids derive from the request, so the same request streamed or not (or sent
    # again) gets the same content, ids included.
    digest = _request_digest(body)
    content: list[ContentOut] = []
    for index, part in enumerate(reply.parts):
        if isinstance(part, str):
            content.append(TextOut(text=part))
        else:
            call_digest = hashlib.sha256(digest + index.to_bytes(4, "big")).digest()
            call_id = id_from_digest("toolu", call_digest)
            content.append(ToolUseOut(id=call_id, name=part.name, input=part.input))
    content, cut, sequence = limit(content, request.max_tokens, request.stop_sequences)
    stop: StopReason = cut or ("tool_use" if reply.calls_tools else "end_turn")
    return MessageOut(
        id=new_id("msg"),
        model=request.model,
        content=content,
        stop_reason=stop,
        stop_sequence=sequence,
        usage=cache.account(request, output_tokens(content) if content else 0),
    )


def scripted_message(
    request: MessagesRequest, step: ScriptedResponse, cache: PromptCache
) -> MessageOut:
    content: list[ContentOut] = [
        ToolUseOut(id=block.id or new_id("toolu"), name=block.name, input=block.input)
        if isinstance(block, ScriptedToolUse)
        else TextOut(text=block.text)
        for block in step.content
    ]
    calls = any(isinstance(block, ToolUseOut) for block in content)
    stop = step.stop_reason or ("tool_use" if calls else "end_turn")
    if step.usage is not None:
        usage = Usage(
            input_tokens=step.usage.input_tokens,
            output_tokens=step.usage.output_tokens,
            cache_creation_input_tokens=step.usage.cache_creation_input_tokens,
            cache_read_input_tokens=step.usage.cache_read_input_tokens,
            cache_creation=CacheCreation(
                ephemeral_5m_input_tokens=step.usage.cache_creation_input_tokens
            ),
        )
    else:
        usage = cache.account(request, output_tokens(content))
    return MessageOut(
        id=new_id("msg"),
        model=request.model,
        content=content,
        stop_reason=stop,
        stop_sequence=step.stop_sequence,
        usage=usage,
    )
