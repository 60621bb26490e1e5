"""Scripted mode: per-API-key scripts of responses and errors, and the requests each key sent.

Tests give every case its own API key, so one server serves a whole test session without
cases seeing each other's scripts, requests or prompt cache. A key with a script gets its
steps in order; a key without one gets demo mode.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from meshdev.offline_model.protocol import StopReason
from meshdev.offline_model.usage import PromptCache

#: Requests kept per key; older ones are dropped so a long dev session stays small.
MAX_RECORDED = 1000
#: Keys remembered at once; the least recently used key is forgotten first.
MAX_KEYS = 2000


class ScriptedText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["text"] = "text"
    text: str


class ScriptedToolUse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["tool_use"] = "tool_use"
    #: Left out, the server makes one up (`toolu_...`).
    id: str | None = None
    name: str
    input: dict[str, Any] = Field(default_factory=dict)


class ScriptedUsage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input_tokens: int = Field(ge=0)
    output_tokens: int = Field(ge=0)
    cache_creation_input_tokens: int = Field(default=0, ge=0)
    cache_read_input_tokens: int = Field(default=0, ge=0)


class ScriptedResponse(BaseModel):
    """A response to send as is (streamed when the request asks for a stream)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["response"] = "response"
    content: list[Annotated[ScriptedText | ScriptedToolUse, Field(discriminator="type")]]
    #: Left out: `tool_use` when the content calls a tool, else `end_turn`.
    stop_reason: StopReason | None = None
    stop_sequence: str | None = None
    #: Left out: estimated from the request like in demo mode, prompt caching included.
    usage: ScriptedUsage | None = None
    #: Seconds to "think" before answering, for tests that act while a turn is running.
    delay_s: float = Field(default=0.0, ge=0, le=120)
    #: Seconds between streamed deltas of this response; left out, the server's setting.
    stream_delay_s: float | None = Field(default=None, ge=0, le=10)


class ScriptedError(BaseModel):
    """An error response, such as `529 overloaded_error` or `429 rate_limit_error`."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["error"] = "error"
    status: int = Field(ge=400, le=599)
    error_type: str = Field(min_length=1)
    message: str
    #: Seconds, sent as the `retry-after` header (which the SDK honours when above 0).
    retry_after: float | None = Field(default=None, ge=0)
    #: Sent as `x-should-retry`, which overrides the SDK's own retry decision.
    should_retry: bool | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    #: For streamed requests: answer 200, start the stream, then send the error as an
    #: `event: error`, as the API does when it overloads mid-response.
    during_stream: bool = False


ScriptStep = Annotated[ScriptedResponse | ScriptedError, Field(discriminator="kind")]


class Script(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: list[ScriptStep]


class ScriptStatus(BaseModel):
    loaded: bool
    steps: int
    used: int


class KeyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Overrides the server's "today" for this key's demo answers.
    today: date | None = None


class ServerInfo(BaseModel):
    """What `GET /_offline/info` says about the server."""

    name: str
    #: The date demo mode calls "today" for keys without their own.
    today: date
    #: Whether that date is fixed (`OFFLINE_MODEL_TODAY`) or follows the calendar.
    today_fixed: bool
    models: list[str]


class StreamRecord(BaseModel):
    """How a streamed answer went out."""

    #: When the first content delta was handed to the connection.
    first_delta_at: datetime | None = None
    #: Content deltas handed to the connection.
    deltas: int = 0
    #: Whether the stream ran to `message_stop`; false when the client went away first.
    completed: bool = False


class RecordedRequest(BaseModel):
    """One request a key sent, as the server received it."""

    sequence: int
    received_at: datetime
    method: str
    path: str
    #: Request headers, credentials left out.
    headers: dict[str, str]
    #: The JSON body, or null when there was none or it was not JSON.
    body: Any = None
    #: The body text when it was not valid JSON.
    raw_body: str | None = None
    #: The status the server answered with.
    status: int
    #: Which script step answered (0-based), when a script did.
    script_step: int | None = None
    #: For a streamed answer: how far it got.
    stream: StreamRecord | None = None


class RecordedRequests(BaseModel):
    requests: list[RecordedRequest]


# Helpers that read well in tests: reply("Hi"), reply(tool_call("get_x", {...})).


def tool_call(
    name: str, input: dict[str, Any] | None = None, *, id: str | None = None
) -> ScriptedToolUse:
    return ScriptedToolUse(name=name, input=input or {}, id=id)


def reply(
    *parts: str | ScriptedToolUse,
    stop_reason: StopReason | None = None,
    usage: ScriptedUsage | None = None,
) -> ScriptedResponse:
    content: list[ScriptedText | ScriptedToolUse] = [
        ScriptedText(text=part) if isinstance(part, str) else part for part in parts
    ]
    return ScriptedResponse(content=content, stop_reason=stop_reason, usage=usage)


def api_error(
    status: int,
    error_type: str,
    message: str,
    *,
    retry_after: float | None = None,
    should_retry: bool | None = None,
    during_stream: bool = False,
) -> ScriptedError:
    return ScriptedError(
        status=status,
        error_type=error_type,
        message=message,
        retry_after=retry_after,
        should_retry=should_retry,
        during_stream=during_stream,
    )


def overloaded(*, during_stream: bool = False) -> ScriptedError:
    return api_error(529, "overloaded_error", "Overloaded", during_stream=during_stream)


def rate_limited(retry_after: float = 0) -> ScriptedError:
    return api_error(
        429,
        "rate_limit_error",
        "This request would exceed the rate limit for your organization.",
        retry_after=retry_after,
    )


# --- server-side state ----------------------------------------------------------------


@dataclass
class KeyState:
    steps: list[ScriptedResponse | ScriptedError] | None = None
    used: int = 0
    today: date | None = None
    log: deque[RecordedRequest] = field(default_factory=lambda: deque(maxlen=MAX_RECORDED))
    cache: PromptCache = field(default_factory=PromptCache)


class Exhausted:
    """The key's script has no steps left."""

    def __init__(self, steps: int) -> None:
        self.steps = steps


class KeyStore:
    """Everything the server remembers, per API key."""

    def __init__(self) -> None:
        self._keys: OrderedDict[str, KeyState] = OrderedDict()
        self._sequence = 0

    def state(self, key: str) -> KeyState:
        state = self._keys.get(key)
        if state is None:
            state = self._keys[key] = KeyState()
            while len(self._keys) > MAX_KEYS:
                self._keys.popitem(last=False)
        else:
            self._keys.move_to_end(key)
        return state

    def load(self, key: str, script: Script) -> ScriptStatus:
        state = self.state(key)
        state.steps = list(script.steps)
        state.used = 0
        return self.status(key)

    def status(self, key: str) -> ScriptStatus:
        state = self.state(key)
        if state.steps is None:
            return ScriptStatus(loaded=False, steps=0, used=0)
        return ScriptStatus(loaded=True, steps=len(state.steps), used=state.used)

    def take_step(
        self, key: str
    ) -> tuple[int, ScriptedResponse | ScriptedError] | Exhausted | None:
        """The key's next scripted step and its index; None in demo mode."""
        state = self.state(key)
        if state.steps is None:
            return None
        if state.used >= len(state.steps):
            return Exhausted(len(state.steps))
        index = state.used
        state.used += 1
        return index, state.steps[index]

    def record(self, key: str, **fields: Any) -> RecordedRequest:
        self._sequence += 1
        entry = RecordedRequest(sequence=self._sequence, **fields)
        self.state(key).log.append(entry)
        return entry

    def reset(self, key: str) -> None:
        self._keys.pop(key, None)

    def reset_all(self) -> None:
        self._keys.clear()
