"""One Telegram update is one trace across the mesh: the gateway's web process, a separate
worker process, sales-agent and review-agent run as real processes exporting over OTLP/HTTP
to a receiver this test owns; the Telegram emulator and the offline model stand in."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from meshdev.offline_model.control import OfflineModelControl
from meshdev.offline_model.scripted import ScriptedResponse, ScriptedText, ScriptedToolUse
from meshdev.procs import ServiceProcess, start_service, wait_ready
from meshdev.pytest_plugin import OfflineModel
from meshdev.telegram_emulator.client import EmulatorClient
from meshdev.telegram_emulator.models import UserSpec
from meshdev.telegram_emulator.settings import DEFAULT_TOKEN
from meshdev.testing import DEMO_END_DAY, TEST_SECRET, TestDatabases
from meshdev.traces.receiver import TraceReceiver
from meshdev.traces.records import SpanRecord

pytestmark = pytest.mark.processes

WEBHOOK_SECRET = "traces-e2e-webhook-secret"
GATEWAY_KEY = "offline-traces-gateway"
AGENT_KEY = "offline-traces-agents"
CHAT = 8801
QUESTION = "Trace check: how are Riverside's sales and reviews holding up?"
SALES_QUESTION = "How were sales last week?"
SALES_CALL = "toolu_trace_sales_ask"
REVIEW_CALL = "toolu_trace_rating_vs_sales"
AGENTS = (
    ("sales-agent", "sales_agent.main:create_app", "SALES_AGENT_URL"),
    ("review-agent", "review_agent.main:create_app", "REVIEW_AGENT_URL"),
)


@dataclass
class TracedMesh:
    receiver: TraceReceiver
    emulator: EmulatorClient
    processes: dict[str, ServiceProcess]

    @property
    def gateway(self) -> ServiceProcess:
        return self.processes["gateway"]


@pytest.fixture(scope="module")
async def traced_mesh(
    test_databases: TestDatabases,
    offline_model: OfflineModel,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[TracedMesh]:
    logs: Path = tmp_path_factory.mktemp("traces-e2e")
    database_url = await test_databases.empty()
    processes: dict[str, ServiceProcess] = {}
    async with TraceReceiver.running() as receiver:
        base = {
            "DATABASE_URL": database_url,
            "MESH_SERVICE_SECRET": TEST_SECRET,
            "MESH_ENV": "test",
            "SEED_END_DATE": DEMO_END_DAY.isoformat(),
            "MESH_TODAY": (DEMO_END_DAY + timedelta(days=1)).isoformat(),
            "ANTHROPIC_BASE_URL": offline_model.url,
            "ANTHROPIC_API_KEY": AGENT_KEY,
            "LOG_FORMAT": "json",
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
            "OTEL_BSP_SCHEDULE_DELAY": "50",
        }
        try:
            emulator = start_service(
                "telegram-emulator",
                "meshdev.telegram_emulator.server:create_app",
                env={"TELEGRAM_EMULATOR_TOKEN": DEFAULT_TOKEN},
                log_path=logs / "emulator.log",
            )
            processes["telegram-emulator"] = emulator
            urls: dict[str, str] = {}
            for name, factory, variable in AGENTS:
                # review-agent asks sales-agent, started first, for the same weeks' sales.
                processes[name] = start_service(
                    name, factory, env={**base, **urls}, log_path=logs / f"{name}.log"
                )
                urls[variable] = processes[name].url
            await asyncio.gather(*(wait_ready(p) for p in processes.values()))
            gateway_env = {
                **base,
                **urls,
                # Never called here; nothing listens there.
                "LEADGEN_AGENT_URL": "http://127.0.0.1:9",
                "ANTHROPIC_API_KEY": GATEWAY_KEY,
                "AGENT_ASK_TOOLS": "true",
                "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN,
                "TELEGRAM_API_BASE_URL": emulator.url,
                "TELEGRAM_MODE": "polling",
                "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            }
            processes["gateway"] = start_service(
                "gateway",
                "gateway.main:create_app",
                env={**gateway_env, "GATEWAY_ROLE": "web"},
                log_path=logs / "gateway.log",
            )
            processes["gateway-worker"] = start_service(
                "gateway-worker",
                "gateway.main:create_app",
                env={**gateway_env, "GATEWAY_ROLE": "worker"},
                log_path=logs / "gateway-worker.log",
            )
            await wait_ready(processes["gateway"])
            await wait_ready(processes["gateway-worker"])
            async with EmulatorClient(emulator.url) as client:
                await client.private_chat(UserSpec(id=CHAT, first_name="Ana"))
                yield TracedMesh(receiver, client, processes)
        finally:
            # Stopped while the receiver still serves, so their last spans are flushed to it.
            await asyncio.gather(*(asyncio.to_thread(p.stop) for p in processes.values()))
            await test_databases.drop(database_url)


async def _settled(receiver: TraceReceiver, quiet_s: float = 0.6) -> list[SpanRecord]:
    """The spans once nothing new has arrived for `quiet_s`."""
    count = -1
    while count != len(receiver.spans):
        count = len(receiver.spans)
        await asyncio.sleep(quiet_s)
    return list(receiver.spans)


def _one(spans: list[SpanRecord], **match: object) -> SpanRecord:
    found = [s for s in spans if all(getattr(s, k) == v for k, v in match.items())]
    assert len(found) == 1, f"expected one span with {match}, found {[s.name for s in found]}"
    return found[0]


def _url(span: SpanRecord) -> str:
    return str(span.attributes.get("url.full") or span.attributes.get("http.url") or "")


def _descendants(spans: list[SpanRecord], root: SpanRecord) -> list[SpanRecord]:
    children: dict[str, list[SpanRecord]] = {}
    for span in spans:
        children.setdefault(span.parent_id or "", []).append(span)
    found: list[SpanRecord] = []
    pending = [root]
    while pending:
        for child in children.get(pending.pop().span_id, []):
            found.append(child)
            pending.append(child)
    return found


async def test_idle_services_make_no_traces(traced_mesh: TracedMesh) -> None:
    traced_mesh.receiver.clear()
    async with httpx.AsyncClient(timeout=5) as http:
        for process in traced_mesh.processes.values():
            await http.get(f"{process.url}/healthz")
            await http.get(f"{process.url}/readyz")
    # Longer than the workers' poll interval and the outbound sender's wait, twice over.
    await asyncio.sleep(2.5)
    assert [(s.service, s.name) for s in traced_mesh.receiver.spans] == []


async def test_one_telegram_update_is_one_trace_through_queue_agents_model_and_database(
    traced_mesh: TracedMesh, model_control: OfflineModelControl
) -> None:
    await model_control.reset(AGENT_KEY)
    await model_control.script(
        GATEWAY_KEY,
        [
            ScriptedResponse(
                content=[
                    ScriptedToolUse(
                        id=SALES_CALL, name="sales__ask", input={"question": SALES_QUESTION}
                    ),
                    ScriptedToolUse(
                        id=REVIEW_CALL,
                        name="review__get_rating_vs_sales",
                        input={
                            "location_id": "riverside",
                            "start": "2026-10-26",
                            "end": "2026-11-22",
                        },
                    ),
                ]
            ),
            ScriptedResponse(content=[ScriptedText(text="Riverside checked.")]),
        ],
    )
    receiver = traced_mesh.receiver
    receiver.clear()
    update = {
        "update_id": 880_001,
        "message": {
            "message_id": 1,
            "date": 1764000000,
            "chat": {"id": CHAT, "type": "private"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Ana"},
            "text": QUESTION,
        },
    }
    async with httpx.AsyncClient(base_url=traced_mesh.gateway.url, timeout=10) as http:
        accepted = await http.post(
            "/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
        )
    assert accepted.status_code == 200, accepted.text
    reply = await traced_mesh.emulator.wait_for_bot_message(CHAT, timeout=30)
    assert reply.text == "Riverside checked."
    await receiver.wait_for(
        lambda spans: any(s.name == "process gateway_jobs" for s in spans), within_s=15
    )
    spans = await _settled(receiver)

    webhook = _one(spans, name="POST /telegram/webhook", kind="server")
    strays = [(s.service, s.name) for s in spans if s.trace_id != webhook.trace_id]
    assert strays == [], "spans outside the update's trace"

    producer = _one(spans, name="send gateway_jobs", kind="producer")
    assert producer.parent_id == webhook.span_id
    assert producer.attributes["telegram.update.id"] == update["update_id"]
    consumer = _one(spans, name="process gateway_jobs", kind="consumer")
    assert consumer.parent_id == producer.span_id
    assert [(link.trace_id, link.span_id) for link in consumer.links] == [
        (producer.trace_id, producer.span_id)
    ]
    assert consumer.instance != webhook.instance, "the worker is a process of its own"

    turn = _one(spans, name="invoke_agent gateway")
    assert turn.parent_id == consumer.span_id
    assert turn.attributes["gen_ai.usage.output_tokens"] > 0
    chats = [s for s in spans if s.service == "gateway" and s.name.startswith("chat ")]
    assert len(chats) == 2
    assert all(s.parent_id == turn.span_id for s in chats)
    assert not [s for s in spans if s.name.startswith("anthropic.")], "the SDK traced too"

    tools = [s for s in spans if s.service == "gateway" and s.name.startswith("execute_tool ")]
    assert {s.attributes["gen_ai.tool.call.id"] for s in tools} == {SALES_CALL, REVIEW_CALL}
    assert all(s.parent_id == turn.span_id for s in tools)
    ask = _one(spans, name="execute_tool sales__ask")
    assert ask.attributes["gen_ai.tool.call.id"] == SALES_CALL

    for tool, service, route in (
        (ask, "sales-agent", "POST /ask"),
        (
            _one(spans, name="execute_tool review__get_rating_vs_sales"),
            "review-agent",
            "GET /locations/{location_id}/rating-vs-sales",
        ),
    ):
        client = _one([s for s in spans if s.parent_id == tool.span_id and _url(s)], kind="client")
        server = _one(spans, name=route, kind="server", service=service)
        assert server.parent_id == client.span_id, f"{service}'s server span"
        assert server.attributes.get("http.status_code", 200) == 200

    sales_server = _one(spans, name="POST /ask", service="sales-agent")
    below = _descendants(spans, sales_server)
    assert [s for s in below if s.name == "invoke_agent sales-agent"]
    assert [s for s in below if s.name.startswith("chat ")], "the agent's own model calls"
    assert [s for s in below if s.name.startswith("execute_tool ")], "the agent's own tools"
    assert [s for s in below if s.attributes.get("db.system") == "postgresql"], "its SQL"

    secrets = (DEFAULT_TOKEN, WEBHOOK_SECRET, TEST_SECRET, QUESTION, SALES_QUESTION, "Bearer ")
    for span in spans:
        text = json.dumps(span.to_json())
        assert not [s for s in secrets if s in text], f"{span.service} {span.name} leaks"
    telegram_calls = [s for s in spans if "/bot<redacted>/" in _url(s)]
    assert telegram_calls, "no Bot API call was traced (and scrubbed)"
