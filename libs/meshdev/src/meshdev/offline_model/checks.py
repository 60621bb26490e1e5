"""The conversation rules the API enforces beyond field types.

These are the mistakes an agent loop makes in practice (a `tool_result` whose `tool_use` was
trimmed from the history, a history that starts with the assistant), so the offline model
refuses them with the same 400 the real API sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meshdev.offline_model.protocol import (
    ContentBlockIn,
    MessagesRequest,
    TextBlockIn,
    ToolResultBlockIn,
    ToolUseBlockIn,
    invalid_request,
)


@dataclass
class Turn:
    """Consecutive messages of one role, which the API reads as a single turn."""

    role: str
    blocks: list[ContentBlockIn] = field(default_factory=list)
    #: For each block, where it was: (message index, content index).
    places: list[tuple[int, int]] = field(default_factory=list)

    @property
    def first_message(self) -> int:
        return self.places[0][0] if self.places else 0


def merge_turns(request: MessagesRequest) -> list[Turn]:
    turns: list[Turn] = []
    for index, message in enumerate(request.messages):
        if not turns or turns[-1].role != message.role:
            turns.append(Turn(message.role))
        turn = turns[-1]
        for position, block in enumerate(message.content):
            turn.blocks.append(block)
            turn.places.append((index, position))
    return turns


def _check_blocks(request: MessagesRequest) -> None:
    last = len(request.messages) - 1
    for index, message in enumerate(request.messages):
        if not message.content and not (index == last and message.role == "assistant"):
            raise invalid_request(
                f"messages.{index}: all messages must have non-empty content except for "
                "the optional final assistant message"
            )
        for position, block in enumerate(message.content):
            where = f"messages.{index}.content.{position}"
            if isinstance(block, TextBlockIn) and not block.text:
                raise invalid_request(f"{where}.text: text content blocks must be non-empty")
            if isinstance(block, ToolUseBlockIn) and message.role != "assistant":
                raise invalid_request(
                    f"{where}: `tool_use` blocks can only be in `assistant` messages"
                )
            if isinstance(block, ToolResultBlockIn) and message.role != "user":
                raise invalid_request(
                    f"{where}: `tool_result` blocks can only be in `user` messages"
                )


def _check_tool_pairs(turns: list[Turn]) -> None:
    seen_ids: set[str] = set()
    for number, turn in enumerate(turns):
        if turn.role == "assistant":
            for block, (index, position) in zip(turn.blocks, turn.places, strict=True):
                if isinstance(block, ToolUseBlockIn):
                    if block.id in seen_ids:
                        raise invalid_request(
                            f"messages.{index}.content.{position}: `tool_use` ids must be "
                            f"unique; `{block.id}` repeats"
                        )
                    seen_ids.add(block.id)
            continue
        previous = turns[number - 1] if number > 0 else None
        offered = (
            {b.id for b in previous.blocks if isinstance(b, ToolUseBlockIn)} if previous else set()
        )
        answered: set[str] = set()
        text_seen = False
        for block, (index, position) in zip(turn.blocks, turn.places, strict=True):
            if isinstance(block, ToolResultBlockIn):
                if block.tool_use_id not in offered:
                    raise invalid_request(
                        f"messages.{index}.content.{position}: unexpected `tool_use_id` found "
                        f"in `tool_result` blocks: {block.tool_use_id}. Each `tool_result` "
                        "block must have a corresponding `tool_use` block in the previous "
                        "message."
                    )
                if text_seen:
                    raise invalid_request(
                        f"messages.{index}.content.{position}: `tool_result` blocks must come "
                        "before any other content in a user message"
                    )
                answered.add(block.tool_use_id)
            else:
                text_seen = True
        missing = offered - answered
        if missing and previous is not None:
            raise invalid_request(
                f"messages.{previous.first_message}: `tool_use` ids were found without "
                f"`tool_result` blocks immediately after: {', '.join(sorted(missing))}. Each "
                "`tool_use` block must have a corresponding `tool_result` block in the next "
                "message."
            )


def check_conversation(request: MessagesRequest) -> list[Turn]:
    """Apply the API's conversation rules; return the turns for whoever answers."""
    if not request.messages:
        raise invalid_request("messages: at least one message is required")
    if request.messages[0].role != "user":
        raise invalid_request('messages: first message must use the "user" role')
    _check_blocks(request)
    uses_tools = any(
        isinstance(block, ToolUseBlockIn | ToolResultBlockIn)
        for message in request.messages
        for block in message.content
    )
    if uses_tools and not request.tools:
        raise invalid_request(
            "Requests which include `tool_use` or `tool_result` blocks must define tools."
        )
    final = request.messages[-1]
    if final.role == "assistant" and final.content:
        tail = final.content[-1]
        if isinstance(tail, TextBlockIn) and tail.text != tail.text.rstrip():
            raise invalid_request(
                "messages: final assistant content cannot end with trailing whitespace"
            )
    turns = merge_turns(request)
    _check_tool_pairs(turns)
    return turns
