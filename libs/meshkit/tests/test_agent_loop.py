"""The agent loop through the real anthropic SDK, over HTTP, against the offline model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import pytest
from pydantic import BaseModel, ConfigDict, Field

from meshdev.offline_model.control import OfflineModelControl
from meshdev.offline_model.scripted import (
    ScriptedError,
    ScriptedResponse,
    ScriptedText,
    ScriptedToolUse,
    ScriptedUsage,
)
from meshdev.pytest_plugin import OfflineModel
from meshkit.agent import (
    AgentEvent,
    AgentLoop,
    LoopLimits,
    ModelUnavailable,
    TextDelta,
    Tool,
    ToolFinished,
    ToolStarted,
)
from meshkit.errors import NotFound


class CityInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    city: str = Field(min_length=1, max_length=40)


class Recorder:
    """Tools that record when they start and finish, to prove they overlap."""

    def __init__(self) -> None:
        self.running = 0
        self.max_running = 0
        self.calls: list[str] = []

    async def weather(self, query: CityInput) -> dict[str, Any]:
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        self.calls.append(query.city)
        await asyncio.sleep(0.2)
        self.running -= 1
        if query.city == "Atlantis":
            raise NotFound("No such city.", city=query.city)
        return {"city": query.city, "temperature_c": 21}

    def tools(self) -> list[Tool[Any]]:
        return [Tool("get_weather", "The weather in a city right now.", CityInput, self.weather)]


def text(value: str, **usage: int) -> ScriptedResponse:
    return ScriptedResponse(
        content=[ScriptedText(text=value)],
        stop_reason="end_turn",
        usage=ScriptedUsage(**usage) if usage else None,
    )


def use(*calls: tuple[str, str, dict[str, Any]], **usage: int) -> ScriptedResponse:
    return ScriptedResponse(
        content=[ScriptedToolUse(id=i, name=n, input=inp) for i, n, inp in calls],
        stop_reason="tool_use",
        usage=ScriptedUsage(**usage) if usage else None,
    )


@pytest.fixture
async def client(
    offline_model: OfflineModel, model_key: str
) -> AsyncIterator[anthropic.AsyncAnthropic]:
    async with anthropic.AsyncAnthropic(
        api_key=model_key, base_url=offline_model.url, max_retries=2
    ) as client:
        yield client


def loop_for(client: anthropic.AsyncAnthropic, **limits: Any) -> AgentLoop:
    return AgentLoop(client, "claude-sonnet-5-5", LoopLimits(**limits))


QUESTION: list[Any] = [{"role": "user", "content": "Weather in Lisbon and Porto?"}]


async def test_tool_calls_of_one_turn_run_concurrently_and_results_go_back(
    client: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(
        model_key,
        [
            use(
                ("toolu_1", "get_weather", {"city": "Lisbon"}),
                ("toolu_2", "get_weather", {"city": "Porto"}),
            ),
            text("Both 21 °C."),
        ],
    )
    recorder = Recorder()
    result = await loop_for(client).run("You are terse.", recorder.tools(), QUESTION)
    assert result.answer == "Both 21 °C."
    assert result.stop_reason == "end_turn"
    assert result.rounds == 2
    assert recorder.max_running == 2
    assert [(c.name, c.input, c.is_error) for c in result.tool_calls] == [
        ("get_weather", {"city": "Lisbon"}, False),
        ("get_weather", {"city": "Porto"}, False),
    ]
    second = (await model_control.requests(model_key))[1].body
    results = second["messages"][-1]["content"]
    assert [r["tool_use_id"] for r in results] == ["toolu_1", "toolu_2"]
    assert all(r["type"] == "tool_result" and not r["is_error"] for r in results)


async def test_system_prompt_and_tools_are_marked_for_prompt_caching(
    client: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(model_key, [text("ok"), text("ok again")])
    loop = loop_for(client)
    await loop.run("You are terse.", Recorder().tools(), QUESTION)
    result = await loop.run("You are terse.", Recorder().tools(), QUESTION)
    body = (await model_control.requests(model_key))[0].body
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert body["tools"][0]["input_schema"]["properties"]["city"]["maxLength"] == 40
    assert result.usage.input_tokens > 0


async def test_failing_and_invalid_tool_calls_become_error_results_the_model_sees(
    client: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(
        model_key,
        [
            use(
                ("toolu_a", "get_weather", {"city": "Atlantis"}),
                ("toolu_b", "get_weather", {"town": "Porto"}),
                ("toolu_c", "launch_rockets", {}),
            ),
            text("I could not find Atlantis."),
        ],
    )
    result = await loop_for(client).run("You are terse.", Recorder().tools(), QUESTION)
    assert result.answer == "I could not find Atlantis."
    kinds = [(c.is_error, c.error_type) for c in result.tool_calls]
    assert kinds == [(True, "not-found"), (True, "invalid_input"), (True, "tool_failed")]
    results = (await model_control.requests(model_key))[1].body["messages"][-1]["content"]
    assert all(r["is_error"] for r in results)
    assert "No such city." in results[0]["content"]
    assert "Invalid input" in results[1]["content"]
    assert "launch_rockets" in results[2]["content"]


async def test_round_limit_forces_a_final_answer_without_tools(
    client: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(
        model_key,
        [
            use(("toolu_x", "get_weather", {"city": "Lisbon"})),
            use(("toolu_y", "get_weather", {"city": "Porto"})),
            text("Lisbon and Porto are both mild."),
        ],
    )
    result = await loop_for(client, max_rounds=3).run(
        "You are terse.", Recorder().tools(), QUESTION
    )
    assert result.rounds == 3
    assert result.answer == "Lisbon and Porto are both mild."
    requests = await model_control.requests(model_key)
    assert "tool_choice" not in requests[0].body
    assert requests[2].body["tool_choice"] == {"type": "none"}


async def test_a_model_that_ignores_the_round_limit_still_yields_an_answer(
    client: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(
        model_key,
        [use((f"toolu_{i}", "get_weather", {"city": "Lisbon"})) for i in range(2)],
    )
    result = await loop_for(client, max_rounds=2).run(
        "You are terse.", Recorder().tools(), QUESTION
    )
    assert result.stop_reason == "max_rounds"
    assert "stopped after 2 rounds" in result.answer
    assert result.new_messages[-1]["role"] == "assistant"


async def test_token_budget_stops_the_turn_with_an_answer(
    client: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(
        model_key,
        [
            use(
                ("toolu_1", "get_weather", {"city": "Lisbon"}), input_tokens=900, output_tokens=200
            ),
            text("never sent"),
        ],
    )
    result = await loop_for(client, token_budget=1000).run(
        "You are terse.", Recorder().tools(), QUESTION
    )
    assert result.stop_reason == "token_budget"
    assert "token budget" in result.answer
    assert len(await model_control.requests(model_key)) == 1
    assert result.usage.input_tokens == 900


async def test_overloaded_model_is_retried_by_the_sdk_then_answers(
    client: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(
        model_key,
        [
            ScriptedError(
                status=529, error_type="overloaded_error", message="Overloaded", retry_after=0
            ),
            text("Fine now."),
        ],
    )
    result = await loop_for(client).run("You are terse.", [], QUESTION)
    assert result.answer == "Fine now."
    assert len(await model_control.requests(model_key)) == 2


async def test_a_model_that_stays_down_gives_a_clear_error(
    client: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    overloaded = ScriptedError(
        status=529, error_type="overloaded_error", message="Overloaded", retry_after=0
    )
    await model_control.script(model_key, [overloaded, overloaded, overloaded])
    with pytest.raises(ModelUnavailable, match="overloaded, after retrying") as info:
        await loop_for(client).run("You are terse.", [], QUESTION)
    assert info.value.status == 503
    assert len(await model_control.requests(model_key)) == 3


async def test_streaming_delivers_deltas_in_order_and_the_same_answer(
    client: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    answer = "Lisbon is 21 °C and sunny; Porto is 18 °C with light rain this afternoon."
    plan = [use(("toolu_1", "get_weather", {"city": "Lisbon"})), text(answer)]
    await model_control.script(model_key, plan)
    plain = await loop_for(client).run("You are terse.", Recorder().tools(), QUESTION)

    await model_control.reset(model_key)
    await model_control.script(model_key, plan)
    events: list[AgentEvent] = []

    async def sink(event: AgentEvent) -> None:
        events.append(event)

    streamed = await loop_for(client).run(
        "You are terse.", Recorder().tools(), QUESTION, on_event=sink, stream=True
    )
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 1
    assert "".join(deltas) == streamed.answer == plain.answer == answer
    kinds = [type(e).__name__ for e in events if not isinstance(e, TextDelta)]
    assert kinds.index("ToolStarted") < kinds.index("ToolFinished")
    started = next(e for e in events if isinstance(e, ToolStarted))
    finished = next(e for e in events if isinstance(e, ToolFinished))
    assert (started.name, started.input) == ("get_weather", {"city": "Lisbon"})
    assert finished.call.duration_ms >= 200


async def test_planned_calls_run_concurrently_and_the_model_answers_from_their_results(
    client: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(model_key, [text("Lisbon is warm; Atlantis is not a city.")])
    recorder = Recorder()
    tools = recorder.tools()
    loop = loop_for(client)
    calls = await loop.call_tools(
        tools,
        [("get_weather", {"city": "Lisbon"}), ("get_weather", {"city": "Atlantis"})],
        id_prefix="toolu_plan",
    )
    assert recorder.max_running == 2
    assert [(c.id, c.is_error, c.error_type) for c in calls] == [
        ("toolu_plan_00", False, None),
        ("toolu_plan_01", True, "not-found"),
    ]
    result = await loop.run("You are terse.", tools, QUESTION, prefetched=[calls], answer_only=True)
    assert result.answer == "Lisbon is warm; Atlantis is not a city."
    assert result.rounds == 1
    assert [c.id for c in result.tool_calls] == ["toolu_plan_00", "toolu_plan_01"]
    # The model saw the calls as its own request and their results, and could call nothing.
    (request,) = await model_control.requests(model_key)
    asked, answered = request.body["messages"][1:]
    assert [block["id"] for block in asked["content"]] == ["toolu_plan_00", "toolu_plan_01"]
    assert [block["is_error"] for block in answered["content"]] == [False, True]
    assert request.body["tool_choice"] == {"type": "none"}
    # The stored turn keeps the planned round, so the history stays a valid conversation.
    assert [m["role"] for m in result.new_messages] == ["assistant", "user", "assistant"]
