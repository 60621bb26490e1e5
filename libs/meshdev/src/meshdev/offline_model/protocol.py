"""The slice of the Messages API the offline model speaks: requests, responses, errors.

Requests are parsed the way the real API parses them (unknown top-level fields, wrong
types and missing fields are `invalid_request_error`s naming the field), so code that
passes here is not surprised in production. Content blocks are read leniently: the SDK may
send fields this model has no use for.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

StopReason = Literal["end_turn", "max_tokens", "stop_sequence", "tool_use"]

#: Largest `max_tokens` the offline model accepts, like a current Sonnet model.
MAX_OUTPUT_TOKENS = 64_000

_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class ApiError(Exception):
    """An error the API answers with, rendered as `{"type": "error", "error": {...}}`."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message
        self.headers = dict(headers or {})


def invalid_request(message: str) -> ApiError:
    return ApiError(400, "invalid_request_error", message)


def error_body(error_type: str, message: str, request_id: str) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": request_id,
    }


def new_id(prefix: str) -> str:
    """An id shaped like the API's (`msg_01...`, `req_01...`)."""
    return f"{prefix}_01" + "".join(secrets.choice(_BASE62) for _ in range(22))


def id_from_digest(prefix: str, digest: bytes) -> str:
    """A stable API-shaped id, for ids that must repeat when the request repeats."""
    number = int.from_bytes(digest[:17], "big")
    chars = []
    for _ in range(22):
        number, rest = divmod(number, 62)
        chars.append(_BASE62[rest])
    return f"{prefix}_01" + "".join(chars)


# --- requests -------------------------------------------------------------------------


class CacheControl(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["ephemeral"]
    ttl: Literal["5m", "1h"] | None = None


class _Block(BaseModel):
    model_config = ConfigDict(extra="allow")

    cache_control: CacheControl | None = None


class TextBlockIn(_Block):
    type: Literal["text"]
    text: str


class ToolUseBlockIn(_Block):
    type: Literal["tool_use"]
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    input: dict[str, Any]


class ToolResultBlockIn(_Block):
    type: Literal["tool_result"]
    tool_use_id: str = Field(min_length=1)
    content: str | list[dict[str, Any]] | None = None
    is_error: StrictBool | None = None

    def text(self) -> str:
        """The result as the model reads it: its text parts joined."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        parts = [str(part.get("text", "")) for part in self.content if part.get("type") == "text"]
        return "\n".join(parts)


class OtherBlockIn(_Block):
    """Images, documents, thinking and server-tool blocks: accepted, not interpreted."""

    type: str


ContentBlockIn = TextBlockIn | ToolUseBlockIn | ToolResultBlockIn | OtherBlockIn

_BLOCK_MODELS: dict[str, type[_Block]] = {
    "text": TextBlockIn,
    "tool_use": ToolUseBlockIn,
    "tool_result": ToolResultBlockIn,
}


class _RawMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str | list[dict[str, Any]]


class Metadata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: str | None = Field(default=None, max_length=256)


class ToolIn(BaseModel):
    """A tool definition. Server tools (web search and the like) carry a versioned `type`
    and no schema; the offline model accepts them and never calls them."""

    model_config = ConfigDict(extra="allow")

    name: str
    type: str | None = None
    description: str | None = None
    input_schema: dict[str, Any] | None = None
    cache_control: CacheControl | None = None

    @property
    def is_custom(self) -> bool:
        return self.type in (None, "custom")


class _RawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, max_length=256)
    max_tokens: StrictInt = Field(ge=0)
    messages: list[_RawMessage]
    system: str | list[dict[str, Any]] | None = None
    tools: list[ToolIn] | None = None
    tool_choice: dict[str, Any] | None = None
    temperature: float | None = Field(default=None, ge=0, le=1)
    top_p: float | None = Field(default=None, ge=0, le=1)
    top_k: StrictInt | None = Field(default=None, ge=0)
    metadata: Metadata | None = None
    stop_sequences: list[str] | None = None
    stream: StrictBool | None = None
    cache_control: CacheControl | None = None
    # Accepted so requests that set them are not refused; they do not change the answer.
    thinking: dict[str, Any] | None = None
    output_config: dict[str, Any] | None = None
    service_tier: Literal["auto", "standard_only"] | None = None
    container: Any = None
    context_management: dict[str, Any] | None = None
    mcp_servers: list[dict[str, Any]] | None = None
    diagnostics: dict[str, Any] | None = None
    inference_geo: str | None = None
    speed: Literal["standard", "fast"] | None = None
    user_profile_id: str | None = None
    workspace_id: str | None = None


class ToolChoice(BaseModel):
    type: Literal["auto", "any", "tool", "none"]
    name: str | None = None
    disable_parallel_tool_use: bool = False


class Message(BaseModel):
    role: Literal["user", "assistant"]
    content: list[ContentBlockIn]


class MessagesRequest(BaseModel):
    """A validated `POST /v1/messages` body, content normalised to lists of blocks."""

    model: str
    max_tokens: int
    messages: list[Message]
    system: list[TextBlockIn]
    tools: list[ToolIn]
    tool_choice: ToolChoice
    stop_sequences: list[str]
    stream: bool
    cache_control: CacheControl | None

    @property
    def custom_tools(self) -> list[ToolIn]:
        return [tool for tool in self.tools if tool.is_custom]


_UNION_LABELS = {"str", "list", "int", "float", "bool", "dict", "none"}


def _where(loc: tuple[int | str, ...]) -> str:
    parts = [
        str(part)
        for part in loc
        if isinstance(part, int) or ("[" not in part and part not in _UNION_LABELS)
    ]
    return ".".join(parts)


def _first_error(exc: ValidationError, prefix: str = "") -> ApiError:
    # Union members each report an error; the one that got furthest is the useful one.
    errors = sorted(exc.errors(), key=lambda error: -len(error["loc"]))
    error = errors[0]
    where = _where(tuple(error["loc"]))
    path = ".".join(part for part in (prefix, where) if part)
    return invalid_request(f"{path}: {error['msg']}" if path else str(error["msg"]))


def _parse_block(raw: dict[str, Any], where: str) -> ContentBlockIn:
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise invalid_request(f"{where}.type: Field required")
    model = _BLOCK_MODELS.get(kind, OtherBlockIn)
    try:
        block = model.model_validate(raw)
    except ValidationError as exc:
        raise _first_error(exc, where) from None
    assert isinstance(block, TextBlockIn | ToolUseBlockIn | ToolResultBlockIn | OtherBlockIn)
    return block


def _parse_tool_choice(raw: dict[str, Any] | None, tools: list[ToolIn]) -> ToolChoice:
    if raw is None:
        return ToolChoice(type="auto")
    try:
        choice = ToolChoice.model_validate(raw)
    except ValidationError as exc:
        raise _first_error(exc, "tool_choice") from None
    extra = set(raw) - {"type", "name", "disable_parallel_tool_use"}
    if choice.type == "none":
        extra |= {"disable_parallel_tool_use"} & set(raw)
    if choice.type != "tool" and "name" in raw:
        extra.add("name")
    if extra:
        raise invalid_request(f"tool_choice.{sorted(extra)[0]}: Extra inputs are not permitted")
    if choice.type == "tool":
        if not choice.name:
            raise invalid_request("tool_choice.name: Field required")
        if choice.name not in {tool.name for tool in tools}:
            raise invalid_request(
                f"tool_choice.name: tool `{choice.name}` is not one of the request's tools"
            )
    if choice.type in ("any", "tool") and not tools:
        raise invalid_request(
            f"tool_choice.type: `{choice.type}` requires at least one tool in `tools`"
        )
    return choice


def _check_tools(tools: list[ToolIn]) -> None:
    seen: set[str] = set()
    for index, tool in enumerate(tools):
        if tool.is_custom:
            if not _TOOL_NAME.match(tool.name):
                raise invalid_request(
                    f"tools.{index}.name: String should match pattern '{_TOOL_NAME.pattern}'"
                )
            schema = tool.input_schema
            if schema is None:
                raise invalid_request(f"tools.{index}.input_schema: Field required")
            if schema.get("type") != "object":
                raise invalid_request(f"tools.{index}.input_schema.type: Input should be 'object'")
        if tool.name in seen:
            raise invalid_request(f"tools: Tool names must be unique; `{tool.name}` repeats")
        seen.add(tool.name)


def parse_request(body: object) -> MessagesRequest:
    """Validate a request body the way the API does, or raise an `invalid_request_error`."""
    if not isinstance(body, dict):
        raise invalid_request("The request body must be a JSON object.")
    try:
        raw = _RawRequest.model_validate(body)
    except ValidationError as exc:
        raise _first_error(exc) from None
    if raw.max_tokens > MAX_OUTPUT_TOKENS:
        raise invalid_request(
            f"max_tokens: {raw.max_tokens} > {MAX_OUTPUT_TOKENS}, which is the maximum "
            f"allowed number of output tokens for {raw.model}"
        )
    tools = list(raw.tools or [])
    _check_tools(tools)
    if raw.stop_sequences is not None and any(not s.strip() for s in raw.stop_sequences):
        raise invalid_request("stop_sequences: each stop sequence must contain non-whitespace")

    system: list[TextBlockIn] = []
    if isinstance(raw.system, str):
        if raw.system:
            system.append(TextBlockIn(type="text", text=raw.system))
    elif raw.system is not None:
        for index, item in enumerate(raw.system):
            block = _parse_block(item, f"system.{index}")
            if not isinstance(block, TextBlockIn):
                raise invalid_request(f"system.{index}.type: Input should be 'text'")
            system.append(block)

    messages: list[Message] = []
    for index, message in enumerate(raw.messages):
        content: list[ContentBlockIn]
        if isinstance(message.content, str):
            content = [TextBlockIn(type="text", text=message.content)] if message.content else []
        else:
            content = [
                _parse_block(item, f"messages.{index}.content.{position}")
                for position, item in enumerate(message.content)
            ]
        messages.append(Message(role=message.role, content=content))

    return MessagesRequest(
        model=raw.model,
        max_tokens=raw.max_tokens,
        messages=messages,
        system=system,
        tools=tools,
        tool_choice=_parse_tool_choice(raw.tool_choice, tools),
        stop_sequences=list(raw.stop_sequences or []),
        stream=bool(raw.stream),
        cache_control=raw.cache_control,
    )


# --- responses ------------------------------------------------------------------------


class TextOut(BaseModel):
    type: Literal["text"] = "text"
    text: str


class ToolUseOut(BaseModel):
    type: Literal["tool_use"] = "tool_use"
    id: str
    name: str
    input: dict[str, Any]


ContentOut = TextOut | ToolUseOut


class CacheCreation(BaseModel):
    ephemeral_5m_input_tokens: int = 0
    ephemeral_1h_input_tokens: int = 0


class Usage(BaseModel):
    input_tokens: int
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation: CacheCreation = Field(default_factory=CacheCreation)
    output_tokens: int
    service_tier: Literal["standard"] = "standard"


class MessageOut(BaseModel):
    id: str
    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"
    model: str
    content: list[ContentOut]
    stop_reason: StopReason | None
    stop_sequence: str | None = None
    usage: Usage
