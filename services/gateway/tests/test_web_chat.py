"""The web chat's API: answers streamed as server-sent events, history, approvals, auth.

The gateway runs in this process under uvicorn (so responses really stream and a client that
hangs up really disconnects), against the session's offline model, scripted per test, and
fake agents that answer like the real ones.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest

from gateway.config import Settings
from gateway.main import create_app
from meshdev.offline_model.control import OfflineModelControl
from meshdev.offline_model.scripted import (
    ScriptedResponse,
    ScriptedText,
    overloaded,
    reply,
    tool_call,
)
from meshdev.pytest_plugin import OfflineModel
from meshdev.testing import served, service_settings

ANA = "token-for-ana-0123456789"
RUI = "token-for-rui-0123456789"
LEAD = {
    "company": "Tejo Analytics",
    "contact_name": "Marta",
    "email": "marta@tejo.pt",
    "kind": "catering",
    "headcount": 40,
    "preferred_location_id": "midtown",
    "source": "telegram",
}

Event = tuple[str, dict[str, Any]]


class FakeAgents:
    """Sales lists two locations; leadgen creates leads. Every request is kept."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "GET" and request.url.path == "/locations":
            return httpx.Response(200, json={"items": [_location("riverside", "Riverside")]})
        if request.method == "POST" and request.url.path == "/leads":
            return httpx.Response(201, json=_lead(json.loads(request.content)))
        problem = {"type": "about:blank", "title": "Not found", "status": 404}
        return httpx.Response(404, json=problem)

    def writes(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST"]


def _location(slug: str, name: str) -> dict[str, Any]:
    return {
        "id": slug,
        "name": name,
        "address": "Rua 1",
        "city": "Lisbon",
        "timezone": "Europe/Lisbon",
        "seats": 80,
        "opened_on": "2019-04-01",
    }


def _lead(body: dict[str, Any]) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {
        "id": str(uuid.uuid4()),
        "phone": None,
        "budget_cents": None,
        "event_date": None,
        "notes": "",
        **body,
        "stage": "new",
        "stage_changed_at": now,
        "days_in_stage": 0,
        "stale": False,
        "lost_reason": None,
        "score": None,
        "created_at": now,
        "updated_at": now,
    }


@dataclass
class Chat:
    url: str
    http: httpx.AsyncClient
    agents: FakeAgents
    pool: asyncpg.Pool
    model: OfflineModelControl
    model_key: str

    async def stream(
        self, path: str, body: dict[str, Any], token: str = ANA, *, until: str | None = None
    ) -> list[Event]:
        """POST and read the events; with `until`, hang up after the first such event."""
        events: list[Event] = []
        headers = {"Authorization": f"Bearer {token}"}
        async with self.http.stream("POST", path, json=body, headers=headers) as response:
            assert response.status_code == 200, await response.aread()
            async for name, data in read_events(response):
                events.append((name, data))
                if name == until:
                    break
        return events

    async def ask(self, question: str, token: str = ANA) -> list[Event]:
        return await self.stream("/agent/stream", {"question": question}, token)

    async def history(self, token: str = ANA) -> dict[str, Any]:
        response = await self.http.get(
            "/agent/history", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


async def read_events(response: httpx.Response) -> AsyncIterator[Event]:
    name, data = "message", []
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif not line and data:
            yield name, json.loads("\n".join(data))
            name, data = "message", []


def names(events: list[Event]) -> str:
    """The event names, runs of `text` folded into one `text+`."""
    return re.sub(r"(text )+", "text+ ", " ".join(n for n, _ in events) + " ").strip()


@pytest.fixture
async def chat(
    database_url: str,
    pool: asyncpg.Pool,
    offline_model: OfflineModel,
    model_key: str,
    model_control: OfflineModelControl,
) -> AsyncIterator[Chat]:
    settings = service_settings(
        Settings,
        database_url,
        TELEGRAM_MODE="off",
        ANTHROPIC_BASE_URL=offline_model.url,
        ANTHROPIC_API_KEY=model_key,
        ANTHROPIC_MAX_RETRIES=0,
        WEB_CHAT_TOKENS=f"ana:{ANA}, rui:{RUI}",
    )
    agents = FakeAgents()
    transports = {name: agents.transport() for name in settings.agent_urls}
    app = create_app(settings, agent_transports=transports)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield Chat(url, http, agents, pool, model_control, model_key)


async def _turns(pool: asyncpg.Pool, user: str = "ana") -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT t.* FROM turns t JOIN conversations c ON c.id = t.conversation_id "
        "WHERE c.chat_key = $1 ORDER BY t.id",
        f"web:{user}",
    )


async def test_an_answer_streams_text_tool_calls_and_the_stored_message_in_order(
    chat: Chat,
) -> None:
    answer = "Riverside is the one location on file, with eighty seats by the river."
    await chat.model.script(
        chat.model_key,
        [
            reply("Let me look that up.", tool_call("sales__list_locations", id="toolu_loc")),
            reply(answer),
        ],
    )
    headers = {"Authorization": f"Bearer {ANA}"}
    async with chat.http.stream(
        "POST", "/agent/stream", json={"question": "Which locations?"}, headers=headers
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "no-cache" in response.headers["cache-control"]
        assert response.headers["x-accel-buffering"] == "no"
        events = [event async for event in read_events(response)]

    assert names(events) == "text+ tool_started tool_finished text+ message done"
    started = next(data for name, data in events if name == "tool_started")
    finished = next(data for name, data in events if name == "tool_finished")
    assert started == {"id": "toolu_loc", "tool": "sales__list_locations", "arguments": {}}
    assert finished["ok"] is True
    assert finished["error"] is None
    assert finished["duration_ms"] >= 0
    texts = [
        data["text"]
        for name, data in events[events.index(("tool_finished", finished)) :]
        if name == "text"
    ]
    assert len(texts) > 1, "the answer should arrive in pieces"
    assert "".join(texts) == answer
    message = events[-2][1]
    assert message["text"] == answer
    assert message["usage"]["input_tokens"] > 0
    assert message["usage"]["output_tokens"] > 0
    assert message["rounds"] == 2
    assert events[-1] == ("done", {"turn_id": message["turn_id"]})

    turns = await _turns(chat.pool)
    assert [t["id"] for t in turns] == [message["turn_id"]]
    stored = turns[0]
    assert stored["question"] == "Which locations?"
    assert stored["answer"] == answer
    kinds = [
        block["type"]
        for entry in stored["messages"]
        if isinstance(entry["content"], list)
        for block in entry["content"]
    ]
    assert kinds == ["text", "tool_use", "tool_result", "text"]
    assert [call["name"] for call in stored["tool_calls"]] == ["sales__list_locations"]


async def test_the_next_question_sees_the_conversation_so_far(chat: Chat) -> None:
    await chat.model.script(chat.model_key, [reply("First answer."), reply("Second answer.")])
    await chat.ask("first question")
    await chat.ask("second question")
    second = (await chat.model.requests(chat.model_key))[1].body
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]
    assert second["messages"][0]["content"] == "first question"


async def test_a_model_that_fails_ends_the_stream_with_an_error_and_stores_nothing(
    chat: Chat,
) -> None:
    await chat.model.script(chat.model_key, [overloaded()])
    events = await chat.ask("How were sales?")
    assert names(events) == "error"
    error = events[0][1]
    assert error["status"] == 503
    assert error["type"].endswith("/model-unavailable")
    assert await _turns(chat.pool) == []


async def test_hanging_up_cancels_the_model_call_and_keeps_nothing(chat: Chat) -> None:
    words = " ".join(f"word{i}" for i in range(90))
    await chat.model.script(
        chat.model_key,
        [
            reply(tool_call("leadgen__create_lead", LEAD, id="toolu_lead")),
            ScriptedResponse(content=[ScriptedText(text=words)], stream_delay_s=0.1),
        ],
    )
    events = await chat.stream("/agent/stream", {"question": "Add the lead"}, until="text")
    assert names(events) == "tool_started approval tool_finished text+"
    approval_id = uuid.UUID(next(data["id"] for name, data in events if name == "approval"))

    # The gateway hears of it and cancels the turn; the model's stream stops part way.
    for _ in range(100):
        recorded = (await chat.model.requests(chat.model_key))[-1].stream
        status = await chat.pool.fetchval("SELECT status FROM approvals WHERE id = $1", approval_id)
        if status != "pending" and recorded is not None and recorded.deltas:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    requests = await chat.model.requests(chat.model_key)
    assert len(requests) == 2
    stream = requests[-1].stream
    assert stream is not None
    assert stream.completed is False
    assert stream.deltas < 30, "the model went on streaming to nobody"
    assert await _turns(chat.pool) == [], "a half answer was stored"
    assert status == "cancelled", "a change from an abandoned answer is still open"
    assert chat.agents.writes() == []


async def test_a_change_approved_on_the_web_is_made_once_and_reported(chat: Chat) -> None:
    await chat.model.script(
        chat.model_key,
        [
            reply(tool_call("leadgen__create_lead", LEAD)),
            reply("I have asked you to approve the new lead."),
            reply("Done: Tejo Analytics is in the pipeline."),
        ],
    )
    asked = await chat.ask("Create a catering lead for Tejo Analytics")
    approval = next(data for name, data in asked if name == "approval")
    assert approval["status"] == "pending"
    assert approval["tool"] == "leadgen__create_lead"
    assert "Tejo Analytics" in approval["summary"]
    assert chat.agents.writes() == [], "written before approval"

    decided = await chat.stream(f"/agent/approvals/{approval['id']}", {"decision": "approve"})
    assert names(decided) == "approval text+ message done"
    assert decided[0][1] == {**approval, "status": "done"}
    assert decided[-2][1]["text"] == "Done: Tejo Analytics is in the pipeline."
    writes = chat.agents.writes()
    assert len(writes) == 1
    assert writes[0].headers["idempotency-key"] == f"approval-{approval['id']}"

    again = await chat.http.post(
        f"/agent/approvals/{approval['id']}",
        json={"decision": "approve"},
        headers={"Authorization": f"Bearer {ANA}"},
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert len(chat.agents.writes()) == 1

    history = await chat.history()
    first, second = history["turns"]
    assert first["question"] == "Create a catering lead for Tejo Analytics"
    assert [a["status"] for a in first["approvals"]] == ["done"]
    assert second["question"] is None
    assert second["decision"]["id"] == approval["id"]
    assert second["answer"] == "Done: Tejo Analytics is in the pipeline."


async def test_a_change_cancelled_on_the_web_is_not_made(chat: Chat) -> None:
    await chat.model.script(
        chat.model_key,
        [reply(tool_call("leadgen__create_lead", LEAD)), reply("Approve it, please.")],
    )
    asked = await chat.ask("Create a catering lead")
    approval = next(data for name, data in asked if name == "approval")
    decided = await chat.stream(f"/agent/approvals/{approval['id']}", {"decision": "cancel"})
    assert names(decided) == "approval done"
    assert decided[0][1]["status"] == "cancelled"
    assert chat.agents.writes() == []
    history = await chat.history()
    assert [a["status"] for a in history["turns"][0]["approvals"]] == ["cancelled"]


async def test_one_users_approval_is_not_found_for_another(chat: Chat) -> None:
    await chat.model.script(
        chat.model_key, [reply(tool_call("leadgen__create_lead", LEAD)), reply("Approve it.")]
    )
    asked = await chat.ask("Create a catering lead")
    approval = next(data for name, data in asked if name == "approval")
    response = await chat.http.post(
        f"/agent/approvals/{approval['id']}",
        json={"decision": "approve"},
        headers={"Authorization": f"Bearer {RUI}"},
    )
    assert response.status_code == 404
    assert chat.agents.writes() == []


async def test_history_is_each_users_own_and_a_new_chat_starts_empty(chat: Chat) -> None:
    await chat.model.script(chat.model_key, [reply("Hello Ana.")])
    await chat.ask("hello")
    ana = await chat.history()
    assert ana["user"] == "ana"
    assert [(t["question"], t["answer"]) for t in ana["turns"]] == [("hello", "Hello Ana.")]
    assert (await chat.history(RUI))["turns"] == []

    reset = await chat.http.delete("/agent/history", headers={"Authorization": f"Bearer {ANA}"})
    assert reset.status_code == 204
    assert (await chat.history())["turns"] == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/agent/stream", {"question": "hi"}),
        ("GET", "/agent/history", None),
        ("DELETE", "/agent/history", None),
        ("POST", f"/agent/approvals/{uuid.uuid4()}", {"decision": "approve"}),
    ],
    ids=["stream", "history", "reset", "approval"],
)
@pytest.mark.parametrize("token", [None, "not-a-known-token-000000"], ids=["missing", "wrong"])
async def test_the_api_refuses_requests_without_a_users_token(
    chat: Chat, method: str, path: str, body: dict[str, Any] | None, token: str | None
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await chat.http.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert await chat.model.requests(chat.model_key) == []


async def test_a_service_token_is_not_a_web_chat_token(chat: Chat) -> None:
    from meshdev.testing import mint

    response = await chat.http.get(
        "/agent/history", headers={"Authorization": f"Bearer {mint('mesh-cli', 'gateway')}"}
    )
    assert response.status_code == 401


async def test_the_page_and_its_assets_are_served_under_a_strict_content_policy(
    chat: Chat,
) -> None:
    page = await chat.http.get("/chat")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "/chat/assets/chat.js" in page.text
    script = await chat.http.get("/chat/assets/chat.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in script.text, "the page must build answers from text nodes"
    assert (await chat.http.get("/chat/assets/chat.css")).status_code == 200
    assert (await chat.http.get("/chat/assets/..%2Fconfig.py")).status_code == 404
    assert (await chat.http.get("/chat/assets/secrets.txt")).status_code == 404
