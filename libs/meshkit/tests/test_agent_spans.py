"""The agent loop's spans, through the real SDK against the offline model: a turn is an
`invoke_agent` span, each model call a `chat` span from the official GenAI instrumentation
(and only from it), each tool call an `execute_tool` span."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import anthropic
import pytest
from opentelemetry.instrumentation.genai.anthropic import AnthropicInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from pydantic import BaseModel, ConfigDict

from meshdev.offline_model.control import OfflineModelControl
from meshdev.offline_model.scripted import (
    ScriptedResponse,
    ScriptedText,
    ScriptedToolUse,
    ScriptedUsage,
)
from meshdev.pytest_plugin import OfflineModel
from meshkit.agent import AgentLoop, LoopLimits, Tool
from meshkit.errors import NotFound
from meshkit.model import model_client
from meshkit.settings import ServiceSettings, load_settings
from meshkit.spans import CAPTURE_CONTENT

MODEL = "claude-sonnet-5-5"
QUESTION: list[Any] = [{"role": "user", "content": "Weather in Lisbon and Atlantis?"}]


class DemoSettings(ServiceSettings):
    service_name: ClassVar[str] = "demo-agent"


class CityInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    city: str


async def weather(query: CityInput) -> dict[str, Any]:
    if query.city == "Atlantis":
        raise NotFound("No such city.")
    return {"city": query.city, "temperature_c": 21}


TOOLS = [Tool("get_weather", "The weather in a city.", CityInput, weather)]


@dataclass
class Traced:
    provider: TracerProvider
    exporter: InMemorySpanExporter

    def spans(self) -> tuple[ReadableSpan, ...]:
        return self.exporter.get_finished_spans()


@pytest.fixture
def traced() -> Iterator[Traced]:
    """A provider of the test's own, with the Anthropic instrumentation on it."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor = AnthropicInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    try:
        yield Traced(provider, exporter)
    finally:
        instrumentor.uninstrument()


@pytest.fixture
async def client(
    offline_model: OfflineModel, model_key: str
) -> AsyncIterator[anthropic.AsyncAnthropic]:
    settings = load_settings(
        DemoSettings, ANTHROPIC_API_KEY=model_key, ANTHROPIC_BASE_URL=offline_model.url
    )
    async with model_client(settings) as client:
        yield client


def loop(client: anthropic.AsyncAnthropic, traced: Traced) -> AgentLoop:
    return AgentLoop(
        client, MODEL, LoopLimits(), name="weather-agent", tracer_provider=traced.provider
    )


async def script_two_rounds(control: OfflineModelControl, key: str) -> None:
    await control.script(
        key,
        [
            ScriptedResponse(
                content=[
                    ScriptedToolUse(id="toolu_a", name="get_weather", input={"city": "Lisbon"}),
                    ScriptedToolUse(id="toolu_b", name="get_weather", input={"city": "Atlantis"}),
                ],
                usage=ScriptedUsage(input_tokens=100, output_tokens=20, cache_read_input_tokens=50),
            ),
            ScriptedResponse(
                content=[ScriptedText(text="Lisbon 21 °C; no Atlantis.")],
                usage=ScriptedUsage(input_tokens=130, output_tokens=12),
            ),
        ],
    )


def by_name(spans: tuple[ReadableSpan, ...], prefix: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name.startswith(prefix)]


async def test_a_turn_is_an_invoke_agent_span_over_its_chat_and_tool_spans(
    client: anthropic.AsyncAnthropic,
    traced: Traced,
    model_control: OfflineModelControl,
    model_key: str,
) -> None:
    await script_two_rounds(model_control, model_key)
    result = await loop(client, traced).run(
        "You are terse.", TOOLS, QUESTION, conversation_id="conv-7"
    )
    spans = traced.spans()

    (turn,) = by_name(spans, "invoke_agent ")
    assert turn.name == "invoke_agent weather-agent"
    assert turn.context is not None
    assert turn.attributes is not None
    assert {k: turn.attributes[k] for k in ("gen_ai.operation.name", "gen_ai.agent.name")} == {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "weather-agent",
    }
    assert turn.attributes["gen_ai.request.model"] == MODEL
    assert turn.attributes["gen_ai.conversation.id"] == "conv-7"
    assert turn.attributes["gen_ai.usage.input_tokens"] == 100 + 50 + 130
    assert turn.attributes["gen_ai.usage.output_tokens"] == 20 + 12
    assert turn.attributes["gen_ai.usage.cache_read.input_tokens"] == 50
    assert turn.attributes["gen_ai.response.finish_reasons"] == ("end_turn",)

    chats = by_name(spans, "chat ")
    assert [span.name for span in chats] == [f"chat {MODEL}"] * result.rounds
    assert all(s.parent and s.parent.span_id == turn.context.span_id for s in chats)
    assert not by_name(spans, "anthropic."), "the SDK's own tracing is on as well"

    tools = {
        (s.attributes or {})["gen_ai.tool.call.id"]: s for s in by_name(spans, "execute_tool ")
    }
    assert set(tools) == {"toolu_a", "toolu_b"}
    assert all(s.parent and s.parent.span_id == turn.context.span_id for s in tools.values())
    assert tools["toolu_a"].name == "execute_tool get_weather"
    assert tools["toolu_a"].status.status_code == StatusCode.UNSET
    failed = tools["toolu_b"]
    assert failed.status.status_code == StatusCode.ERROR
    assert failed.attributes is not None
    assert failed.attributes["error.type"] == "not-found"

    recorded = repr([dict(s.attributes or {}) for s in spans])
    assert "Lisbon" not in recorded, "content recorded without the capture setting"
    assert "You are terse" not in recorded


async def test_content_is_recorded_only_when_the_genai_capture_setting_is_on(
    client: anthropic.AsyncAnthropic,
    traced: Traced,
    model_control: OfflineModelControl,
    model_key: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(CAPTURE_CONTENT, "SPAN_ONLY")
    await script_two_rounds(model_control, model_key)
    await loop(client, traced).run("You are terse.", TOOLS, QUESTION)
    spans = traced.spans()
    (turn,) = by_name(spans, "invoke_agent ")
    assert turn.attributes is not None
    assert "Atlantis" in str(turn.attributes["gen_ai.input.messages"])
    assert "Lisbon 21" in str(turn.attributes["gen_ai.output.messages"])
    assert "You are terse" in str(turn.attributes["gen_ai.system_instructions"])
    tool = next(s for s in by_name(spans, "execute_tool ") if s.attributes)
    assert tool.attributes is not None
    assert "city" in str(tool.attributes["gen_ai.tool.call.arguments"])
    assert "gen_ai.tool.call.result" in tool.attributes


async def test_the_model_client_leaves_tracing_to_the_genai_instrumentation(
    client: anthropic.AsyncAnthropic,
) -> None:
    assert client.open_telemetry["traces"]["enabled"] is False
    assert client.with_options(max_retries=1).open_telemetry["traces"]["enabled"] is False
