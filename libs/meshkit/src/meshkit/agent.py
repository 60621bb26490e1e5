"""The agent loop: Claude choosing among tools, once, for every agent and the gateway.

One turn: call the model with the system prompt, the tools and the history; run every
`tool_use` block of the reply concurrently; send the results back; repeat until the model
ends its turn, the round limit is reached, or the token budget is spent. The loop always
returns an answer. Tool failures (invalid input, a problem raised by the tool, a timeout)
go back to the model as `is_error` results it can react to; only the model itself being
unavailable after the SDK's retries ends the turn with `ModelUnavailable`.

Each turn is an `invoke_agent <name>` span and each tool call an `execute_tool <tool>` span,
after the OpenTelemetry GenAI conventions; the `chat <model>` spans of the model calls come
from the Anthropic instrumentation (`meshkit.telemetry`). Content (prompts, answers, tool
arguments and results) is recorded only when the standard GenAI capture setting is on.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

import anthropic
from anthropic.types import Message, MessageParam, ToolParam, ToolUseBlock
from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode, TracerProvider
from opentelemetry.util.types import AttributeValue
from pydantic import BaseModel, ValidationError

from meshkit import spans
from meshkit.errors import Problem

log = logging.getLogger(__name__)

Effect = Literal["read", "write", "destructive"]
StopReason = Literal["end_turn", "max_rounds", "token_budget", "max_tokens", "refusal"]
InputT = TypeVar("InputT", bound=BaseModel)

#: Longest tool result sent back to the model; longer ones are cut with a note.
MAX_RESULT_CHARS = 24_000


class ModelUnavailable(Problem):
    """The model could not answer, after the SDK's own retries."""

    status = 503
    slug = "model-unavailable"
    title = "The language model is unavailable"


class ToolFailed(Exception):
    """Raised by a tool to report a failure the model should see, in its own words."""

    error_type = "tool_failed"


class InvalidToolInput(ToolFailed):
    """The model's input does not fit the tool's schema."""

    error_type = "invalid_input"


class AgentTool(Protocol):
    """Anything the loop can offer the model: a local function or a contract operation."""

    @property
    def name(self) -> str: ...

    @property
    def effect(self) -> Effect: ...

    def definition(self) -> ToolParam: ...

    async def invoke(self, raw: object) -> Any: ...


@dataclass(frozen=True, slots=True)
class Tool(Generic[InputT]):
    """A function the model may call, with a Pydantic model validating its input."""

    name: str
    description: str
    input_model: type[InputT]
    handler: Callable[[InputT], Awaitable[Any]]
    effect: Effect = "read"

    def definition(self) -> ToolParam:
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": _input_schema(self.input_model),
        }

    async def invoke(self, raw: object) -> Any:
        return await self.handler(self.input_model.model_validate(raw))


@functools.cache
def _input_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A tool's input schema, generated once: Pydantic builds it anew on every call, which
    cost the agent loop about 3 ms of CPU per question (every tool, every model call)."""
    schema = model.model_json_schema()
    schema.pop("title", None)
    return schema


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_read_input_tokens + other.cache_read_input_tokens,
            self.cache_creation_input_tokens + other.cache_creation_input_tokens,
        )

    @property
    def total(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_input_tokens
            + self.cache_creation_input_tokens
        )

    @classmethod
    def of(cls, message: Message) -> Usage:
        usage = message.usage
        return cls(
            usage.input_tokens,
            usage.output_tokens,
            usage.cache_read_input_tokens or 0,
            usage.cache_creation_input_tokens or 0,
        )


@dataclass(slots=True)
class ToolCall:
    id: str
    name: str
    input: Any
    output: Any = None
    is_error: bool = False
    error_type: str | None = None
    duration_ms: float = 0.0


# Events the loop reports while it works (streaming UIs, typing indicators, traces).
@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ToolStarted:
    call_id: str
    name: str
    input: Any


@dataclass(frozen=True, slots=True)
class ToolFinished:
    call: ToolCall


@dataclass(frozen=True, slots=True)
class RoundFinished:
    round: int
    usage: Usage
    stop_reason: str | None


AgentEvent = TextDelta | ToolStarted | ToolFinished | RoundFinished
EventSink = Callable[[AgentEvent], Awaitable[None]]


@dataclass(slots=True)
class TurnResult:
    answer: str
    stop_reason: StopReason
    rounds: int
    model: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    round_usage: list[Usage] = field(default_factory=list)
    #: The messages this turn added to the history (assistant turns and tool results).
    new_messages: list[MessageParam] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LoopLimits:
    max_tokens: int = 2048
    max_rounds: int = 8
    token_budget: int = 100_000
    model_timeout_s: float = 90.0
    tool_timeout_s: float = 20.0


def _content_params(message: Message) -> list[Any]:
    """The assistant message as it must be sent back in the next request."""
    return [block.model_dump(mode="json", exclude_none=True) for block in message.content]


def _result_text(output: Any) -> str:
    if isinstance(output, BaseModel):
        text = output.model_dump_json()
    elif isinstance(output, str):
        text = output
    else:
        text = json.dumps(output, default=str, ensure_ascii=False)
    if len(text) > MAX_RESULT_CHARS:
        text = text[:MAX_RESULT_CHARS] + f"\n[cut: {len(text) - MAX_RESULT_CHARS} more chars]"
    return text


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:8]:
        where = ".".join(str(p) for p in error["loc"]) or "input"
        parts.append(f"{where}: {error['msg']}")
    return "Invalid input. " + "; ".join(parts)


class AgentLoop:
    """Runs turns against one `AsyncAnthropic` client (one per process, built at start-up).
    `name` is the agent's name in traces (`gen_ai.agent.name`)."""

    def __init__(
        self,
        client: anthropic.AsyncAnthropic,
        model: str,
        limits: LoopLimits,
        *,
        name: str = "agent",
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        self.client = client
        self.model = model
        self.limits = limits
        self.name = name
        self._tracer = trace.get_tracer("meshkit.agent", tracer_provider=tracer_provider)

    async def run(
        self,
        system: str,
        tools: Sequence[AgentTool],
        history: Sequence[MessageParam],
        *,
        on_event: EventSink | None = None,
        stream: bool = False,
        conversation_id: str | None = None,
        prefetched: Sequence[Sequence[ToolCall]] = (),
        answer_only: bool = False,
    ) -> TurnResult:
        """One turn, as an `invoke_agent` span summing the turn's token usage.

        `prefetched` are rounds of tool calls the caller made before the turn (with
        `call_tools`): they enter the conversation as if the model had asked for them, so
        the model answers from their results and the stored turn shows every call.
        `answer_only` lets the model read the tools (the history's calls need their
        definitions) but not call any."""
        attributes: dict[str, AttributeValue | None] = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.provider.name": "anthropic",
            "gen_ai.agent.name": self.name,
            "gen_ai.request.model": self.model,
            "gen_ai.request.max_tokens": self.limits.max_tokens,
            "gen_ai.conversation.id": conversation_id,
        }
        if spans.content_captured():
            attributes["gen_ai.system_instructions"] = _json([{"type": "text", "content": system}])
            attributes["gen_ai.input.messages"] = _json(_semconv_messages(history))
        with spans.span(self._tracer, f"invoke_agent {self.name}", attributes=attributes) as span:
            try:
                result = await self._turn(
                    system,
                    tools,
                    history,
                    on_event=on_event,
                    stream=stream,
                    prefetched=prefetched,
                    answer_only=answer_only,
                )
            except Exception as exc:
                span.set_attribute("error.type", getattr(exc, "slug", type(exc).__qualname__))
                raise
            _record_turn(span, result)
            return result

    async def _turn(
        self,
        system: str,
        tools: Sequence[AgentTool],
        history: Sequence[MessageParam],
        *,
        on_event: EventSink | None,
        stream: bool,
        prefetched: Sequence[Sequence[ToolCall]] = (),
        answer_only: bool = False,
    ) -> TurnResult:
        by_name = {tool.name: tool for tool in tools}
        definitions = [tool.definition() for tool in tools]
        if definitions:
            # Caching the tool block caches everything before it too (system prompt).
            definitions[-1] = {**definitions[-1], "cache_control": {"type": "ephemeral"}}
        system_blocks: list[Any] = [
            {"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}
        ]
        messages: list[MessageParam] = list(history)
        result = TurnResult(answer="", stop_reason="end_turn", rounds=0, model=self.model)
        for calls in prefetched:
            if not calls:
                continue
            asked, answered = round_messages(calls)
            messages += [asked, answered]
            result.new_messages += [asked, answered]
            result.tool_calls.extend(calls)

        async def emit(event: AgentEvent) -> None:
            if on_event is not None:
                await on_event(event)

        while True:
            last_round = answer_only or result.rounds + 1 >= self.limits.max_rounds
            message = await self._call(
                system_blocks,
                definitions,
                messages,
                # On the last allowed round the model must answer with what it has.
                tool_choice={"type": "none"} if last_round and definitions else None,
                stream=stream,
                emit=emit,
            )
            result.rounds += 1
            usage = Usage.of(message)
            result.round_usage.append(usage)
            result.usage = result.usage + usage
            await emit(RoundFinished(result.rounds, usage, message.stop_reason))
            assistant: MessageParam = {"role": "assistant", "content": _content_params(message)}
            messages.append(assistant)
            result.new_messages.append(assistant)
            text = "".join(b.text for b in message.content if b.type == "text").strip()
            uses = [b for b in message.content if isinstance(b, ToolUseBlock)]

            if message.stop_reason != "tool_use" or not uses:
                result.answer = text or "I have no answer to that."
                result.stop_reason = {
                    "max_tokens": "max_tokens",
                    "refusal": "refusal",
                }.get(message.stop_reason or "", "end_turn")  # type: ignore[assignment]
                return result

            calls = await asyncio.gather(*(self._execute(by_name, use, emit) for use in uses))
            result.tool_calls.extend(calls)
            tool_results = _results_message(calls)
            messages.append(tool_results)
            result.new_messages.append(tool_results)

            if result.usage.total >= self.limits.token_budget:
                result.stop_reason = "token_budget"
                result.answer = (
                    (text + "\n\n" if text else "")
                    + "I stopped before finishing because this question used up its token "
                    "budget. The steps I completed are listed with my tool calls; ask a "
                    "narrower question to continue."
                )
                return await self._close_turn(result, messages)
            if last_round:
                # tool_choice none was ignored (a scripted or misbehaving model).
                result.stop_reason = "max_rounds"
                result.answer = (
                    (text + "\n\n" if text else "")
                    + f"I stopped after {result.rounds} rounds of tool calls without a "
                    "final answer. Try a more specific question."
                )
                return await self._close_turn(result, messages)

    async def _close_turn(self, result: TurnResult, messages: list[MessageParam]) -> TurnResult:
        """Leave the history ending on an assistant turn, so the next turn can follow it."""
        closing: MessageParam = {"role": "assistant", "content": result.answer}
        messages.append(closing)
        result.new_messages.append(closing)
        return result

    async def _call(
        self,
        system: list[Any],
        tools: list[ToolParam],
        messages: list[MessageParam],
        *,
        tool_choice: dict[str, str] | None,
        stream: bool,
        emit: EventSink,
    ) -> Message:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.limits.max_tokens,
            "system": system,
            "messages": messages,
        }
        if tools:
            kwargs["tools"] = tools
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        try:
            async with asyncio.timeout(self.limits.model_timeout_s):
                if not stream:
                    created: Message = await self.client.messages.create(**kwargs)
                    return created
                async with self.client.messages.stream(**kwargs) as events:
                    async for event in events:
                        if event.type == "text":
                            await emit(TextDelta(event.text))
                    final: Message = await events.get_final_message()
                    return final
        except TimeoutError:
            raise ModelUnavailable(
                f"The model did not answer within {self.limits.model_timeout_s:.0f} s."
            ) from None
        except anthropic.APIStatusError as exc:
            raise ModelUnavailable(_status_message(exc), upstream_status=exc.status_code) from None
        except anthropic.APIConnectionError as exc:
            raise ModelUnavailable(f"The model endpoint could not be reached ({exc}).") from None

    async def call_tools(
        self,
        tools: Sequence[AgentTool],
        calls: Sequence[tuple[str, dict[str, Any]]],
        *,
        id_prefix: str = "toolu_planned",
    ) -> list[ToolCall]:
        """Calls the caller planned rather than the model: run concurrently, each an
        `execute_tool` span, failures as error results, exactly as in a turn. Hand the
        results to `run(prefetched=...)` so the model sees them."""
        by_name = {tool.name: tool for tool in tools}

        async def ignore(_: AgentEvent) -> None:
            return None

        uses = [
            ToolUseBlock(type="tool_use", id=f"{id_prefix}_{index:02d}", name=name, input=arguments)
            for index, (name, arguments) in enumerate(calls)
        ]
        return list(await asyncio.gather(*(self._execute(by_name, use, ignore) for use in uses)))

    async def _execute(
        self, tools: dict[str, AgentTool], use: ToolUseBlock, emit: EventSink
    ) -> ToolCall:
        """One tool call, as an `execute_tool` span carrying the model's call id."""
        attributes: dict[str, AttributeValue | None] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": use.name,
            "gen_ai.tool.call.id": use.id,
            "gen_ai.tool.type": "function",
            "gen_ai.agent.name": self.name,
        }
        with spans.span(self._tracer, f"execute_tool {use.name}", attributes=attributes) as span:
            call = await self._run_tool(tools, use, emit)
            _record_tool_call(span, call)
        return call

    async def _run_tool(
        self, tools: dict[str, AgentTool], use: ToolUseBlock, emit: EventSink
    ) -> ToolCall:
        call = ToolCall(id=use.id, name=use.name, input=use.input)
        await emit(ToolStarted(use.id, use.name, use.input))
        started = time.perf_counter()
        tool = tools.get(use.name)
        try:
            if tool is None:
                raise ToolFailed(f"There is no tool named {use.name!r}.")
            async with asyncio.timeout(self.limits.tool_timeout_s):
                call.output = await tool.invoke(use.input)
        except ValidationError as exc:
            call.is_error, call.error_type = True, "invalid_input"
            call.output = _validation_message(exc)
        except ToolFailed as exc:
            call.is_error, call.error_type = True, exc.error_type
            call.output = str(exc)
        except Problem as exc:
            call.is_error, call.error_type = True, exc.slug
            call.output = json.dumps(exc.to_body(), default=str)
        except TimeoutError:
            call.is_error, call.error_type = True, "timeout"
            call.output = f"The tool did not finish within {self.limits.tool_timeout_s:.0f} s."
        except Exception as exc:
            log.exception("tool failed", extra={"tool": use.name, "tool_call_id": use.id})
            trace.get_current_span().record_exception(exc)
            call.is_error, call.error_type = True, type(exc).__name__
            call.output = f"The tool failed unexpectedly ({type(exc).__name__})."
        call.duration_ms = round((time.perf_counter() - started) * 1000, 1)
        await emit(ToolFinished(call))
        return call


def _results_message(calls: Sequence[ToolCall]) -> MessageParam:
    return {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": call.id,
                "content": _result_text(call.output),
                "is_error": call.is_error,
            }
            for call in calls
        ],
    }


def round_messages(calls: Sequence[ToolCall]) -> tuple[MessageParam, MessageParam]:
    """A round of calls made outside the model, as the request and the results it would
    have made: for `run(prefetched=...)`, and for storing such calls without a model."""
    asked: MessageParam = {
        "role": "assistant",
        "content": [
            {"type": "tool_use", "id": call.id, "name": call.name, "input": call.input}
            for call in calls
        ],
    }
    return asked, _results_message(calls)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def _semconv_messages(history: Sequence[MessageParam]) -> list[dict[str, Any]]:
    """The history in the GenAI conventions' message shape (role and typed parts)."""
    messages: list[dict[str, Any]] = []
    for message in history:
        content = message["content"]
        blocks: list[Any] = [content] if isinstance(content, str) else list(content)
        parts: list[dict[str, Any]] = []
        for block in blocks:
            if isinstance(block, str):
                parts.append({"type": "text", "content": block})
                continue
            item = block if isinstance(block, dict) else getattr(block, "__dict__", {})
            kind = item.get("type")
            if kind == "text":
                parts.append({"type": "text", "content": item.get("text", "")})
            elif kind == "tool_use":
                parts.append(
                    {
                        "type": "tool_call",
                        "id": item.get("id"),
                        "name": item.get("name"),
                        "arguments": item.get("input"),
                    }
                )
            elif kind == "tool_result":
                parts.append(
                    {
                        "type": "tool_call_response",
                        "id": item.get("tool_use_id"),
                        "response": item.get("content"),
                    }
                )
        messages.append({"role": message["role"], "parts": parts})
    return messages


def _record_turn(span: Span, result: TurnResult) -> None:
    usage = result.usage
    span.set_attributes(
        {
            # As the Anthropic instrumentation counts it on `chat` spans: cached input included.
            "gen_ai.usage.input_tokens": usage.input_tokens
            + usage.cache_read_input_tokens
            + usage.cache_creation_input_tokens,
            "gen_ai.usage.output_tokens": usage.output_tokens,
            "gen_ai.usage.cache_read.input_tokens": usage.cache_read_input_tokens,
            "gen_ai.usage.cache_creation.input_tokens": usage.cache_creation_input_tokens,
            "gen_ai.response.finish_reasons": [result.stop_reason],
            "meshkit.agent.rounds": result.rounds,
            "meshkit.agent.tool_calls": len(result.tool_calls),
        }
    )
    if spans.content_captured():
        output = {
            "role": "assistant",
            "parts": [{"type": "text", "content": result.answer}],
            "finish_reason": result.stop_reason,
        }
        span.set_attribute("gen_ai.output.messages", _json([output]))


def _record_tool_call(span: Span, call: ToolCall) -> None:
    if call.is_error:
        error_type = call.error_type or "tool_error"
        span.set_attribute("error.type", error_type)
        span.set_status(Status(StatusCode.ERROR, error_type))
    if spans.content_captured():
        span.set_attribute("gen_ai.tool.call.arguments", _json(call.input))
        span.set_attribute("gen_ai.tool.call.result", _result_text(call.output))


def _status_message(exc: anthropic.APIStatusError) -> str:
    kinds = {
        401: "The model API rejected the API key",
        403: "The model API refused access",
        429: "The model API is rate-limiting this key",
        529: "The model is overloaded",
    }
    base = kinds.get(exc.status_code, f"The model API answered {exc.status_code}")
    return f"{base}, after retrying. Try again shortly."
