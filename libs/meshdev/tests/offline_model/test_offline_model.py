"""The offline model as the real SDK sees it, over real HTTP: messages, streams, errors,
retries, usage, and the control endpoints tests script it with."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import anthropic
import httpx
import pytest
from anthropic.types import Message, MessageParam, TextBlock, ToolParam, ToolUseBlock

from meshdev.offline_model.control import OfflineModelControl
from meshdev.offline_model.scripted import (
    ScriptedResponse,
    ScriptedText,
    api_error,
    overloaded,
    rate_limited,
    reply,
    tool_call,
)
from meshdev.pytest_plugin import OfflineModel

MODEL = "claude-sonnet-5-5"

WEATHER: ToolParam = {
    "name": "get_weather",
    "description": "Weather forecast for a city. Use it for questions about the weather.",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "The city.", "examples": ["Lisbon"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 7, "default": 3},
        },
        "required": ["city"],
    },
}


def text_of(message: Message) -> str:
    return "".join(block.text for block in message.content if isinstance(block, TextBlock))


def tool_uses(message: Message) -> list[ToolUseBlock]:
    return [block for block in message.content if isinstance(block, ToolUseBlock)]


async def test_a_plain_question_gets_a_message_that_says_it_is_the_offline_model(
    claude: anthropic.AsyncAnthropic,
) -> None:
    message = await claude.messages.create(
        model=MODEL,
        max_tokens=512,
        messages=[{"role": "user", "content": "Who are you?"}],
    )

    assert message.id.startswith("msg_")
    assert message.type == "message"
    assert message.role == "assistant"
    assert message.model == MODEL
    assert message.stop_reason == "end_turn"
    assert message.stop_sequence is None
    text = text_of(message)
    assert text.startswith("(offline model)")
    assert "not Claude" in text
    assert message.usage.input_tokens > 0
    assert message.usage.output_tokens > 0


async def test_streamed_text_arrives_in_several_deltas_in_the_api_event_order(
    claude: anthropic.AsyncAnthropic,
) -> None:
    messages: list[MessageParam] = [{"role": "user", "content": "What are you?"}]
    whole = await claude.messages.create(model=MODEL, max_tokens=512, messages=messages)

    stream = await claude.messages.create(
        model=MODEL, max_tokens=512, messages=messages, stream=True
    )
    kinds: list[str] = []
    deltas: list[str] = []
    async for event in stream:
        kinds.append(event.type)
        if event.type == "content_block_delta" and event.delta.type == "text_delta":
            deltas.append(event.delta.text)

    assert kinds[0] == "message_start"
    assert kinds[1] == "content_block_start"
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(kinds[2:-3]) == {"content_block_delta"}
    assert len(deltas) >= 5
    assert "".join(deltas) == text_of(whole)


async def test_a_streamed_tool_call_ends_as_the_same_message_as_the_unstreamed_one(
    claude: anthropic.AsyncAnthropic,
) -> None:
    request: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 1024,
        "tools": [WEATHER],
        "messages": [{"role": "user", "content": "What's the weather in Lisbon for 5 days?"}],
    }
    created = await claude.messages.create(**request)
    async with claude.messages.stream(**request) as stream:
        final = await stream.get_final_message()

    assert created.stop_reason == final.stop_reason == "tool_use"
    assert [b.model_dump() for b in final.content] == [b.model_dump() for b in created.content]
    (use,) = tool_uses(final)
    assert use.id.startswith("toolu_")
    assert use.name == "get_weather"
    assert use.input == {"city": "Lisbon", "days": 5}
    assert final.usage.output_tokens == created.usage.output_tokens


async def test_input_json_deltas_reassemble_into_the_tool_input(
    claude: anthropic.AsyncAnthropic,
) -> None:
    stream = await claude.messages.create(
        model=MODEL,
        max_tokens=1024,
        tools=[WEATHER],
        tool_choice={"type": "tool", "name": "get_weather"},
        messages=[{"role": "user", "content": "Forecast for Lisbon please"}],
        stream=True,
    )
    chunks: list[str] = []
    started: dict[str, Any] = {}
    async for event in stream:
        if event.type == "content_block_start" and event.content_block.type == "tool_use":
            started = {"name": event.content_block.name, "input": event.content_block.input}
        if event.type == "content_block_delta" and event.delta.type == "input_json_delta":
            chunks.append(event.delta.partial_json)

    assert started == {"name": "get_weather", "input": {}}
    assert len([chunk for chunk in chunks if chunk]) >= 2
    assert json.loads("".join(chunks)) == {"city": "Lisbon"}


async def test_tool_results_in_the_next_turn_get_a_final_answer(
    claude: anthropic.AsyncAnthropic,
) -> None:
    messages: list[MessageParam] = [{"role": "user", "content": "Weather in Lisbon?"}]
    first = await claude.messages.create(
        model=MODEL, max_tokens=1024, tools=[WEATHER], messages=messages
    )
    (use,) = tool_uses(first)
    messages += [
        first.to_param(),
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": use.id,
                    "content": json.dumps({"city": "Lisbon", "forecast": "sunny", "high_c": 24}),
                }
            ],
        },
    ]

    final = await claude.messages.create(
        model=MODEL, max_tokens=1024, tools=[WEATHER], messages=messages
    )

    assert final.stop_reason == "end_turn"
    assert not tool_uses(final)
    text = text_of(final)
    assert text.startswith("(offline model)")
    assert "sunny" in text
    assert "24" in text


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 256,
        "messages": [{"role": "user", "content": "Hello"}],
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


_ORPHAN_RESULT = [
    {"role": "user", "content": "Weather?"},
    {"role": "assistant", "content": "Let me see."},
    {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "toolu_01missing", "content": "x"}],
    },
]


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        pytest.param(_body(max_tokens=None), "max_tokens: Field required", id="no-max-tokens"),
        pytest.param(_body(messages=[]), "at least one message", id="no-messages"),
        pytest.param(
            _body(messages=[{"role": "assistant", "content": "Hi"}]),
            'first message must use the "user" role',
            id="assistant-first",
        ),
        pytest.param(
            _body(messages=_ORPHAN_RESULT, tools=[WEATHER]),
            "unexpected `tool_use_id`",
            id="tool-result-without-tool-use",
        ),
        pytest.param(
            _body(tools=[WEATHER], tool_choice={"type": "tool", "name": "get_stock"}),
            "tool `get_stock`",
            id="unknown-tool-choice",
        ),
        pytest.param(_body(temperatur=0.5), "Extra inputs are not permitted", id="unknown-field"),
    ],
)
async def test_malformed_requests_are_bad_request_errors(
    claude: anthropic.AsyncAnthropic, body: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(anthropic.BadRequestError) as raised:
        await claude.post("/v1/messages", cast_to=Message, body=body)

    error = raised.value
    assert error.type == "invalid_request_error"
    assert error.api_message is not None
    assert complaint in error.api_message
    assert error.request_id is not None
    assert error.request_id.startswith("req_")


async def test_a_body_that_is_not_json_is_a_bad_request_in_the_api_error_shape(
    offline_model: OfflineModel, model_key: str
) -> None:
    async with httpx.AsyncClient(base_url=offline_model.url) as http:
        response = await http.post(
            "/v1/messages", content=b"{not json", headers={"x-api-key": model_key}
        )

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == "invalid_request_error"
    assert response.headers["request-id"].startswith("req_")


async def test_a_rejected_key_is_an_authentication_error(offline_model: OfflineModel) -> None:
    async with anthropic.AsyncAnthropic(
        base_url=offline_model.url, api_key="sk-ant-invalid-for-tests", max_retries=0
    ) as client:
        with pytest.raises(anthropic.AuthenticationError) as raised:
            await client.models.retrieve(MODEL)

    assert raised.value.type == "authentication_error"


async def test_a_missing_key_is_refused_with_401(offline_model: OfflineModel) -> None:
    async with httpx.AsyncClient(base_url=offline_model.url) as http:
        response = await http.post("/v1/messages", json=_body())

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"


async def test_an_unknown_path_is_not_found_in_the_api_error_shape(
    offline_model: OfflineModel, model_key: str
) -> None:
    async with httpx.AsyncClient(base_url=offline_model.url) as http:
        response = await http.get("/v1/nothing-here", headers={"x-api-key": model_key})

    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"


async def test_models_are_listed_and_retrieved_as_the_offline_model(
    claude: anthropic.AsyncAnthropic,
) -> None:
    listed = [model async for model in claude.models.list()]
    one = await claude.models.retrieve(MODEL)

    assert [model.id for model in listed] == [MODEL]
    assert one.id == MODEL
    assert "Offline model" in one.display_name
    with pytest.raises(anthropic.NotFoundError):
        await claude.models.retrieve("gpt-4o")


async def test_the_sdk_retries_an_overloaded_error_and_both_requests_are_recorded(
    claude: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(model_key, [overloaded(), reply("Back again.")])

    message = await claude.with_options(max_retries=2).messages.create(
        model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
    )

    assert text_of(message) == "Back again."
    recorded = await model_control.requests(model_key)
    assert [r.status for r in recorded] == [529, 200]
    assert [r.script_step for r in recorded] == [0, 1]
    assert recorded[0].body == recorded[1].body
    assert recorded[0].body["messages"] == [{"role": "user", "content": "Hi"}]
    assert [r.headers["x-stainless-retry-count"] for r in recorded] == ["0", "1"]
    assert "authorization" not in recorded[0].headers


async def test_a_rate_limit_carries_retry_after_and_is_retried(
    claude: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(model_key, [rate_limited(retry_after=0)])
    with pytest.raises(anthropic.RateLimitError) as raised:
        await claude.messages.create(
            model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
        )
    assert raised.value.response.headers["retry-after"] == "0"
    assert raised.value.type == "rate_limit_error"

    await model_control.script(model_key, [rate_limited(retry_after=0), reply("Fine.")])
    message = await claude.with_options(max_retries=1).messages.create(
        model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
    )
    assert text_of(message) == "Fine."


async def test_a_used_up_script_is_an_api_error_the_sdk_does_not_retry(
    claude: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(model_key, [reply("Only once.")])
    await claude.messages.create(
        model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
    )

    with pytest.raises(anthropic.InternalServerError) as raised:
        await claude.with_options(max_retries=2).messages.create(
            model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Again"}]
        )

    assert raised.value.type == "api_error"
    assert "used up" in (raised.value.api_message or "")
    assert len(await model_control.requests(model_key)) == 2


async def test_a_scripted_tool_call_streams_like_a_real_one(
    claude: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(
        model_key,
        [reply("Checking.", tool_call("get_weather", {"city": "Porto"}, id="toolu_01scripted"))],
    )

    async with claude.messages.stream(
        model=MODEL,
        max_tokens=256,
        tools=[WEATHER],
        messages=[{"role": "user", "content": "Weather in Porto?"}],
    ) as stream:
        final = await stream.get_final_message()

    assert final.stop_reason == "tool_use"
    assert text_of(final) == "Checking."
    (use,) = tool_uses(final)
    assert (use.id, use.name, use.input) == ("toolu_01scripted", "get_weather", {"city": "Porto"})


async def test_an_error_in_the_middle_of_a_stream_surfaces_as_an_api_error(
    claude: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(model_key, [overloaded(during_stream=True)])

    with pytest.raises(anthropic.APIStatusError) as raised:
        async with claude.messages.stream(
            model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
        ) as stream:
            await stream.get_final_message()

    assert raised.value.type == "overloaded_error"


async def test_other_scripted_errors_keep_their_status_and_type(
    claude: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(model_key, [api_error(500, "api_error", "Internal server error")])

    with pytest.raises(anthropic.InternalServerError) as raised:
        await claude.messages.create(
            model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
        )

    assert raised.value.status_code == 500
    assert raised.value.type == "api_error"


async def test_keys_keep_their_scripts_and_requests_apart(
    offline_model: OfflineModel, model_control: OfflineModelControl, model_key: str
) -> None:
    other_key = model_key + "-other"
    await model_control.script(model_key, [reply("Scripted.")])
    async with anthropic.AsyncAnthropic(
        base_url=offline_model.url, api_key=other_key, max_retries=0
    ) as other:
        demo = await other.messages.create(
            model=MODEL, max_tokens=256, messages=[{"role": "user", "content": "Hello"}]
        )

    assert text_of(demo).startswith("(offline model)")
    assert (await model_control.status(model_key)).used == 0
    assert len(await model_control.requests(other_key)) == 1
    assert await model_control.requests(model_key) == []


async def test_cache_control_creates_the_cache_then_reads_it(
    claude: anthropic.AsyncAnthropic,
) -> None:
    system: Any = [
        {
            "type": "text",
            "text": "You answer questions about the weather. " * 40,
            "cache_control": {"type": "ephemeral"},
        }
    ]
    tools: list[ToolParam] = [{**WEATHER, "cache_control": {"type": "ephemeral"}}]

    async def ask(question: str) -> Message:
        return await claude.messages.create(
            model=MODEL,
            max_tokens=256,
            system=system,
            tools=tools,
            messages=[{"role": "user", "content": question}],
        )

    first = await ask("Weather in Lisbon?")
    second = await ask("Weather in Faro?")

    assert first.usage.cache_creation_input_tokens
    assert first.usage.cache_creation_input_tokens > 400
    assert first.usage.cache_read_input_tokens == 0
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert second.usage.cache_creation_input_tokens == 0
    assert 0 < second.usage.input_tokens < 20


async def test_max_tokens_and_stop_sequences_cut_the_answer(
    claude: anthropic.AsyncAnthropic,
) -> None:
    messages: list[MessageParam] = [{"role": "user", "content": "Who are you?"}]
    short = await claude.messages.create(model=MODEL, max_tokens=5, messages=messages)
    stopped = await claude.messages.create(
        model=MODEL, max_tokens=512, messages=messages, stop_sequences=["Claude"]
    )

    assert short.stop_reason == "max_tokens"
    assert len(text_of(short)) <= 20
    assert stopped.stop_reason == "stop_sequence"
    assert stopped.stop_sequence == "Claude"
    assert "Claude" not in text_of(stopped)


async def test_health_and_readiness_answer(offline_model: OfflineModel) -> None:
    async with httpx.AsyncClient(base_url=offline_model.url) as http:
        ready = await http.get("/readyz")
        health = await http.get("/healthz")

    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert health.status_code == 200


async def test_every_request_a_key_sends_is_recorded_even_refused_ones(
    claude: anthropic.AsyncAnthropic,
    offline_model: OfflineModel,
    model_control: OfflineModelControl,
    model_key: str,
) -> None:
    await claude.messages.create(
        model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "First"}]
    )
    with pytest.raises(anthropic.BadRequestError):
        await claude.post("/v1/messages", cast_to=Message, body=_body(messages=[]))
    async with httpx.AsyncClient(base_url=offline_model.url) as http:
        await http.post("/v1/messages", content=b"{oops", headers={"x-api-key": model_key})
    await claude.models.retrieve(MODEL)

    recorded = await model_control.requests(model_key)
    assert [r.status for r in recorded] == [200, 400, 400]
    assert recorded[0].body["messages"][0]["content"] == "First"
    assert recorded[1].body["messages"] == []
    assert (recorded[2].body, recorded[2].raw_body) == (None, "{oops")
    everything = await model_control.requests(model_key, path=None)
    assert [r.path for r in everything][-1] == f"/v1/models/{MODEL}"


async def test_reset_forgets_a_keys_script_and_requests(
    claude: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(model_key, [reply("Scripted.")])
    await claude.messages.create(
        model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "Hi"}]
    )

    await model_control.reset(model_key)

    assert await model_control.requests(model_key) == []
    assert not (await model_control.status(model_key)).loaded
    demo = await claude.messages.create(
        model=MODEL, max_tokens=256, messages=[{"role": "user", "content": "Hi"}]
    )
    assert text_of(demo).startswith("(offline model)")


async def test_a_script_with_a_bad_step_is_refused(offline_model: OfflineModel) -> None:
    async with httpx.AsyncClient(base_url=offline_model.url) as http:
        response = await http.put(
            "/_offline/keys/offline-x/script", json={"steps": [{"kind": "error", "status": 200}]}
        )

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


async def test_the_server_reports_its_today(
    model_control: OfflineModelControl, offline_model: OfflineModel
) -> None:
    info = await model_control.info()

    assert info.today == offline_model.today
    assert info.today_fixed
    assert info.models == [MODEL]


async def test_tokens_are_counted_without_a_reply(claude: anthropic.AsyncAnthropic) -> None:
    counted = await claude.messages.count_tokens(
        model=MODEL,
        tools=[WEATHER],
        messages=[{"role": "user", "content": "What's the weather in Lisbon? " * 10}],
    )

    assert 80 < counted.input_tokens < 200


async def test_a_prefilled_assistant_turn_is_continued_without_tools(
    claude: anthropic.AsyncAnthropic,
) -> None:
    message = await claude.messages.create(
        model=MODEL,
        max_tokens=512,
        tools=[WEATHER],
        messages=[
            {"role": "user", "content": "Weather in Lisbon?"},
            {"role": "assistant", "content": "Here is what I know:"},
        ],
    )

    assert message.stop_reason == "end_turn"
    assert not tool_uses(message)
    with pytest.raises(anthropic.BadRequestError):
        await claude.messages.create(
            model=MODEL,
            max_tokens=512,
            messages=[
                {"role": "user", "content": "Weather in Lisbon?"},
                {"role": "assistant", "content": "Here is what I know: "},
            ],
        )


async def test_a_scripted_pace_spaces_the_deltas_and_the_stream_is_recorded(
    claude: anthropic.AsyncAnthropic, model_control: OfflineModelControl, model_key: str
) -> None:
    text = " ".join(f"word{n}" for n in range(12))
    step = ScriptedResponse(content=[ScriptedText(text=text)], stream_delay_s=0.05)
    await model_control.script(model_key, [step])
    started = time.monotonic()
    async with claude.messages.stream(
        model=MODEL, max_tokens=256, messages=[{"role": "user", "content": "Hi"}]
    ) as stream:
        final = await stream.get_final_message()
    assert time.monotonic() - started >= 0.15
    assert isinstance(final.content[0], TextBlock)
    assert final.content[0].text == text
    recorded = (await model_control.requests(model_key))[-1].stream
    assert recorded is not None
    assert recorded.first_delta_at is not None
    assert recorded.deltas == 4
    assert recorded.completed is True


async def test_a_client_that_hangs_up_leaves_its_stream_recorded_as_cut_short(
    offline_model: OfflineModel, model_control: OfflineModelControl, model_key: str
) -> None:
    text = " ".join(f"word{n}" for n in range(60))
    step = ScriptedResponse(content=[ScriptedText(text=text)], stream_delay_s=0.05)
    await model_control.script(model_key, [step])
    body = {
        "model": MODEL,
        "max_tokens": 512,
        "stream": True,
        "messages": [{"role": "user", "content": "Hi"}],
    }
    async with (
        httpx.AsyncClient(base_url=offline_model.url) as http,
        http.stream("POST", "/v1/messages", json=body, headers={"x-api-key": model_key}) as r,
    ):
        async for line in r.aiter_lines():
            if "text_delta" in line:
                break
    await asyncio.sleep(0.3)
    recorded = (await model_control.requests(model_key))[-1].stream
    assert recorded is not None
    assert recorded.completed is False
    assert 1 <= recorded.deltas < 20
