"""What the conversation so far tells demo mode: the question, the tool calls made for it,
their results, and the things (locations, items, leads) those results named."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from meshdev.offline_model.checks import Turn
from meshdev.offline_model.demo.schema import params
from meshdev.offline_model.demo.text import normalise, split_identifier, stem, words
from meshdev.offline_model.protocol import (
    TextBlockIn,
    ToolIn,
    ToolResultBlockIn,
    ToolUseBlockIn,
)

_GENERIC_KEYS = {"items", "data", "results", "records", "rows", "entries", "page", "values"}
_NAME_KEYS = ("name", "display_name", "title", "label", "company", "company_name")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$")
VERBS = {
    "get",
    "list",
    "compare",
    "create",
    "update",
    "delete",
    "draft",
    "qualify",
    "search",
    "find",
    "fetch",
    "add",
    "set",
    "record",
    "score",
    "ask",
}


def short_name(tool_name: str) -> str:
    """The operation's own name: `sales__get_sales_summary` → `get_sales_summary`."""
    return tool_name.split("__", 1)[1] if "__" in tool_name else tool_name


def agent_of(tool_name: str) -> str | None:
    return tool_name.split("__", 1)[0] if "__" in tool_name else None


def noun_of(tool_name: str) -> str:
    """What the tool is about: `list_menu_items` → `menu items`."""
    parts = words(split_identifier(short_name(tool_name)))
    if parts and parts[0] in VERBS:
        parts = parts[1:]
    return " ".join(parts)


def singular(word: str) -> str:
    return stem(word) if word.endswith("s") else word


@dataclass
class ToolCall:
    id: str
    name: str
    input: dict[str, Any]
    result: ToolResultBlockIn | None = None
    #: Which assistant turn of the conversation made the call.
    turn: int = 0

    @property
    def failed(self) -> bool:
        return self.result is not None and bool(self.result.is_error)

    @property
    def text(self) -> str:
        return self.result.text() if self.result else ""

    @property
    def data(self) -> Any:
        """The result parsed as JSON, or None when it is not JSON."""
        text = self.text.strip()
        if not text or text[0] not in "[{":
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def error_message(self) -> str:
        """What went wrong, from a problem+json body or the raw text."""
        data = self.data
        if isinstance(data, dict):
            for key in ("detail", "message", "title", "error"):
                value = data.get(key)
                if isinstance(value, str) and value:
                    return value
                if isinstance(value, dict) and isinstance(value.get("message"), str):
                    return str(value["message"])
        text = " ".join(self.text.split())
        return text[:300] if text else "the tool returned an error without details"


@dataclass(frozen=True, slots=True)
class Entity:
    """Something with an id the user may name: a location, a menu item, a lead."""

    kind: str
    id: str
    name: str | None = None

    def match_keys(self) -> set[str]:
        found = {normalise(self.id)}
        if self.name:
            found.add(normalise(self.name))
        return {key for key in found if key}


@dataclass
class Conversation:
    question: str
    #: Questions asked before this one, oldest first.
    earlier_questions: list[str]
    #: Calls made since the question, oldest first, with their results.
    calls: list[ToolCall]
    #: Every call in the conversation (for what earlier results revealed).
    history: list[ToolCall]
    #: Whether the last user turn carries tool results (so this is a follow-up turn).
    answering_results: bool
    rounds: int = 0
    entities: list[Entity] = field(default_factory=list)


_ATTACHED = re.compile(r"<(context|documents?|history|data)>.*?</\1>", re.DOTALL | re.IGNORECASE)


def _user_text(turn: Turn) -> str:
    """What the user asked, without material attached in tags (`<context>...</context>`,
    as the agents' `ask` adds): that informs an answer but is not the question."""
    text = "\n".join(block.text for block in turn.blocks if isinstance(block, TextBlockIn))
    return " ".join(_ATTACHED.sub(" ", text).split())


def read(turns: list[Turn]) -> Conversation:
    calls_by_id: dict[str, ToolCall] = {}
    history: list[ToolCall] = []
    question_turn = 0
    questions: list[tuple[int, str]] = []
    for number, turn in enumerate(turns):
        if turn.role == "assistant":
            for block in turn.blocks:
                if isinstance(block, ToolUseBlockIn):
                    call = ToolCall(block.id, block.name, dict(block.input), turn=number)
                    calls_by_id[block.id] = call
                    history.append(call)
            continue
        has_results = False
        for block in turn.blocks:
            if isinstance(block, ToolResultBlockIn):
                has_results = True
                if block.tool_use_id in calls_by_id:
                    calls_by_id[block.tool_use_id].result = block
        text = _user_text(turn)
        if text and not has_results:
            questions.append((number, text))
    if questions:
        question_turn, question = questions[-1]
    else:
        question = next((_user_text(t) for t in reversed(turns) if t.role == "user"), "")
    since = [
        call
        for number, turn in enumerate(turns)
        if number > question_turn and turn.role == "assistant"
        for block in turn.blocks
        if isinstance(block, ToolUseBlockIn)
        for call in [calls_by_id[block.id]]
    ]
    rounds = sum(
        1
        for number, turn in enumerate(turns)
        if number > question_turn
        and turn.role == "assistant"
        and any(isinstance(b, ToolUseBlockIn) for b in turn.blocks)
    )
    last_user = next((t for t in reversed(turns) if t.role == "user"), None)
    answering = last_user is not None and any(
        isinstance(b, ToolResultBlockIn) for b in last_user.blocks
    )
    return Conversation(
        question=question,
        earlier_questions=[text for _, text in questions[:-1]],
        calls=since,
        history=history,
        answering_results=answering and turns[-1].role == "user",
        rounds=rounds,
        entities=list(_dedupe([*history_entities(history)])),
    )


def _kind_of_key(key: str) -> str:
    return singular(key) if key not in _GENERIC_KEYS else ""


def _walk(value: Any, kind: str) -> Iterator[Entity]:
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, kind)
        return
    if not isinstance(value, dict):
        return
    ident = value.get("id")
    if isinstance(ident, str | int) and not isinstance(ident, bool):
        name = next((value[k] for k in _NAME_KEYS if isinstance(value.get(k), str)), None)
        yield Entity(kind, str(ident), name)
    for key, item in value.items():
        if key.endswith("_id") and isinstance(item, str) and _SLUG.match(item):
            prefix = key[: -len("_id")]
            name = value.get(f"{prefix}_name")
            yield Entity(prefix, item, name if isinstance(name, str) else None)
    for key, item in value.items():
        if isinstance(item, dict | list):
            yield from _walk(item, _kind_of_key(key) or kind)


def history_entities(history: list[ToolCall]) -> Iterator[Entity]:
    for call in history:
        if call.failed:
            continue
        noun = noun_of(call.name).split()
        kind = singular(noun[-1]) if noun else ""
        yield from _walk(call.data, kind)


def schema_entities(tools: list[ToolIn]) -> Iterator[Entity]:
    """Ids a tool's schema reveals: enum values, examples, and `backticked` values in a
    parameter's description (`A location's slug, such as `riverside`.`)."""
    for tool in tools:
        for param in params(tool.input_schema or {}):
            if not (param.name == "id" or param.name.endswith("_id")):
                continue
            kind = param.name[: -len("_id")] if param.name != "id" else noun_of(tool.name)
            kind = singular(kind.split()[-1]) if kind else ""
            candidates: list[Any] = []
            candidates += param.enum or []
            examples = param.schema.get("examples")
            if isinstance(examples, list):
                candidates += examples
            candidates += re.findall(r"`([^`]+)`", param.description)
            pattern = param.schema.get("pattern")
            for candidate in candidates:
                if not isinstance(candidate, str) or not _SLUG.match(candidate):
                    continue
                if isinstance(pattern, str) and re.search(pattern, candidate) is None:
                    continue
                if candidate == param.name:
                    continue
                # Only the id is known; its words, capitalised, are the best guess at a name.
                yield Entity(kind, candidate, candidate.replace("-", " ").replace("_", " ").title())


def _dedupe(entities: list[Entity]) -> Iterator[Entity]:
    """One entity per (kind, id), with the first name known for it: a name a tool returned
    comes before one guessed from the id."""
    seen: dict[tuple[str, str], Entity] = {}
    for entity in entities:
        known = seen.get((entity.kind, entity.id))
        if known is None or (known.name is None and entity.name is not None):
            seen[(entity.kind, entity.id)] = entity
    yield from seen.values()


def known_entities(conversation: Conversation, tools: list[ToolIn]) -> list[Entity]:
    return list(_dedupe([*conversation.entities, *schema_entities(tools)]))


def kinds_match(kind: str, wanted: str) -> bool:
    if not kind or not wanted:
        return False
    return kind == wanted or kind.endswith(wanted) or wanted.endswith(kind)
