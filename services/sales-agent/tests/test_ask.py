"""`POST /ask`: sales-agent's own loop over its own tools, through the real SDK, against the
offline model over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import asyncpg
import httpx
import pytest

from meshdev.offline_model.control import OfflineModelControl
from meshdev.offline_model.scripted import (
    ScriptedError,
    ScriptedResponse,
    ScriptedText,
    ScriptedToolUse,
)
from meshdev.pytest_plugin import OfflineModel
from meshdev.testing import app_client, mint, service_settings
from sales_agent.config import Settings
from sales_agent.main import create_app


@pytest.fixture
async def asker(
    database_url: str,
    offline_model: OfflineModel,
    model_key: str,
    model_control: OfflineModelControl,
    end_day: date,
) -> AsyncIterator[httpx.AsyncClient]:
    await model_control.configure(model_key, today=end_day + timedelta(days=1))
    settings = service_settings(
        Settings,
        database_url,
        ANTHROPIC_BASE_URL=offline_model.url,
        ANTHROPIC_API_KEY=model_key,
        VERIFY_MODEL_AT_BOOT=True,
        ANTHROPIC_MAX_RETRIES=1,
    )
    async with app_client(create_app(settings), token=mint("gateway", "sales-agent")) as client:
        yield client


async def test_last_week_question_is_answered_from_the_database(
    asker: httpx.AsyncClient,
    db: asyncpg.Connection,
    end_day: date,
    model_control: OfflineModelControl,
    model_key: str,
) -> None:
    response = await asker.post("/ask", json={"question": "How were sales last week?"})
    assert response.status_code == 200, response.text
    body = response.json()
    calls = [c for c in body["tool_calls"] if c["name"] == "get_sales_summary"]
    assert calls, body
    week_start = end_day - timedelta(days=end_day.weekday())
    assert calls[0]["input"]["start"] == week_start.isoformat()
    assert calls[0]["input"]["end"] == end_day.isoformat()
    revenue = await db.fetchval(
        "SELECT sum(revenue_cents) FROM daily_sales WHERE day BETWEEN $1 AND $2",
        week_start,
        end_day,
    )
    assert f"€{revenue / 100:,.0f}" in body["answer"]
    assert "offline model" in body["answer"]
    assert body["usage"]["input_tokens"] > 0
    assert body["stop_reason"] == "end_turn"
    # The loop offered the model every read operation the contract publishes, and no write.
    document = (await asker.get("/openapi.json")).json()
    published = {
        op["operationId"]
        for item in document["paths"].values()
        for op in item.values()
        if op["x-agent-tool"]["effect"] == "read" and op["operationId"] != "ask"
    }
    offered = (await model_control.requests(model_key))[0].body["tools"]
    assert {tool["name"] for tool in offered} == published


async def test_a_tool_error_is_shown_to_the_model_which_recovers(
    asker: httpx.AsyncClient, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(
        model_key,
        [
            ScriptedResponse(
                content=[
                    ScriptedToolUse(
                        id="toolu_1",
                        name="get_sales_summary",
                        input={"start": "2026-11-22", "end": "2026-11-01"},
                    )
                ],
                stop_reason="tool_use",
            ),
            ScriptedResponse(
                content=[
                    ScriptedToolUse(
                        id="toolu_2",
                        name="get_sales_summary",
                        input={"start": "2026-11-01", "end": "2026-11-22"},
                    )
                ],
                stop_reason="tool_use",
            ),
            ScriptedResponse(
                content=[ScriptedText(text="Fixed the dates.")], stop_reason="end_turn"
            ),
        ],
    )
    response = await asker.post("/ask", json={"question": "Sales in November?"})
    body = response.json()
    assert response.status_code == 200, body
    assert [c["is_error"] for c in body["tool_calls"]] == [True, False]
    assert body["tool_calls"][0]["error_type"] == "invalid-date-range"
    assert body["answer"] == "Fixed the dates."
    second = (await model_control.requests(model_key))[2].body
    assert "before start" in second["messages"][2]["content"][0]["content"]


async def test_invalid_tool_input_goes_back_as_an_error(
    asker: httpx.AsyncClient, model_control: OfflineModelControl, model_key: str
) -> None:
    await model_control.script(
        model_key,
        [
            ScriptedResponse(
                content=[
                    ScriptedToolUse(
                        id="toolu_1", name="list_top_items", input={"start": "soon", "limit": 500}
                    )
                ],
                stop_reason="tool_use",
            ),
            ScriptedResponse(content=[ScriptedText(text="Sorry.")], stop_reason="end_turn"),
        ],
    )
    body = (await asker.post("/ask", json={"question": "Top items?"})).json()
    assert body["tool_calls"][0]["error_type"] == "invalid_input"
    recorded = (await model_control.requests(model_key))[1].body
    content = recorded["messages"][2]["content"][0]["content"]
    for field in ("start", "end", "limit"):
        assert field in content


async def test_model_that_stays_overloaded_is_a_503_problem(
    asker: httpx.AsyncClient, model_control: OfflineModelControl, model_key: str
) -> None:
    overloaded = ScriptedError(
        status=529, error_type="overloaded_error", message="Overloaded", retry_after=0
    )
    await model_control.script(model_key, [overloaded, overloaded])
    response = await asker.post("/ask", json={"question": "How were sales last week?"})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/model-unavailable")
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "body",
    [{}, {"question": ""}, {"question": "x" * 5000}, {"question": 42}, {"question": "hi", "x": 1}],
)
async def test_bad_questions_are_422(asker: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await asker.post("/ask", json=body)
    assert response.status_code == 422


async def test_a_rejected_key_stops_startup(database_url: str, offline_model: OfflineModel) -> None:
    from meshkit.settings import SettingsError

    settings = service_settings(
        Settings,
        database_url,
        ANTHROPIC_BASE_URL=offline_model.url,
        ANTHROPIC_API_KEY="sk-ant-invalid-key",
        VERIFY_MODEL_AT_BOOT=True,
    )
    with pytest.raises(SettingsError, match="rejected ANTHROPIC_API_KEY"):
        async with app_client(create_app(settings)):
            pass
