"""The product end to end: a Telegram user (the Bot API emulator) talks to the gateway, which
asks Claude (the offline model) and the agents; every service is a real process."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from meshdev.offline_model.control import OfflineModelControl
from meshdev.offline_model.scripted import ScriptedResponse, ScriptedText
from meshdev.procs import ServiceProcess, start_service, wait_ready
from meshdev.pytest_plugin import OfflineModel
from meshdev.telegram_emulator.client import EmulatorClient
from meshdev.telegram_emulator.models import MessageEntry, TranscriptMessage, UserSpec
from meshdev.telegram_emulator.settings import DEFAULT_TOKEN
from meshdev.testing import DEMO_END_DAY, TEST_SECRET, TestDatabases

pytestmark = pytest.mark.processes

WEBHOOK_SECRET = "e2e-webhook-secret"
MODEL_KEY = "offline-e2e-gateway"
AGENTS = (
    ("sales-agent", "sales_agent.main:create_app", "SALES_AGENT_URL"),
    ("review-agent", "review_agent.main:create_app", "REVIEW_AGENT_URL"),
    ("leadgen-agent", "leadgen_agent.main:create_app", "LEADGEN_AGENT_URL"),
)


@dataclass
class Mesh:
    database_url: str
    env: dict[str, str]
    logs: Path
    emulator: EmulatorClient
    processes: dict[str, ServiceProcess]

    def start_gateway(self) -> ServiceProcess:
        gateway = start_service(
            "gateway",
            "gateway.main:create_app",
            env=self.env,
            log_path=self.logs / "gateway.log",
        )
        self.processes["gateway"] = gateway
        return gateway

    @property
    def gateway(self) -> ServiceProcess:
        return self.processes["gateway"]


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
async def mesh(
    test_databases: TestDatabases, offline_model: OfflineModel, logs: Path
) -> AsyncIterator[Mesh]:
    database_url = await test_databases.empty()
    processes: dict[str, ServiceProcess] = {}
    base = {
        "DATABASE_URL": database_url,
        "MESH_SERVICE_SECRET": TEST_SECRET,
        "MESH_ENV": "test",
        "SEED_END_DATE": DEMO_END_DAY.isoformat(),
        "MESH_TODAY": (DEMO_END_DAY + timedelta(days=1)).isoformat(),
        "ANTHROPIC_BASE_URL": offline_model.url,
        "ANTHROPIC_API_KEY": MODEL_KEY,
        "LOG_FORMAT": "json",
    }
    try:
        emulator = start_service(
            "telegram-emulator",
            "meshdev.telegram_emulator.server:create_app",
            env={"TELEGRAM_EMULATOR_TOKEN": DEFAULT_TOKEN},
            log_path=logs / "emulator.log",
        )
        processes["telegram-emulator"] = emulator
        for name, factory, _ in AGENTS:
            processes[name] = start_service(name, factory, env=base, log_path=logs / f"{name}.log")
        await asyncio.gather(*(wait_ready(p) for p in processes.values()))
        env = {
            **base,
            **{variable: processes[name].url for name, _, variable in AGENTS},
            "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN,
            "TELEGRAM_API_BASE_URL": emulator.url,
            "TELEGRAM_MODE": "polling",
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "JOB_LEASE_S": "3",
            "BRIEFING_TICK_S": "0.3",
        }
        async with EmulatorClient(emulator.url) as client:
            state = Mesh(database_url, env, logs, client, processes)
            await wait_ready(state.start_gateway())
            yield state
    finally:
        for process in processes.values():
            process.stop()
        await test_databases.drop(database_url)


@pytest.fixture
async def model(
    offline_model: OfflineModel, model_control: OfflineModelControl
) -> OfflineModelControl:
    """The gateway's model key, back to demo mode (no script) before each test."""
    await model_control.reset(MODEL_KEY)
    return model_control


_chat_ids = iter(range(7001, 8000))


@pytest.fixture
async def chat(mesh: Mesh) -> int:
    chat_id = next(_chat_ids)
    await mesh.emulator.private_chat(UserSpec(id=chat_id, first_name="Ana"))
    return chat_id


async def bot_messages(mesh: Mesh, chat_id: int) -> list[TranscriptMessage]:
    transcript = await mesh.emulator.transcript(chat_id)
    return [
        entry.message
        for entry in transcript.entries
        if isinstance(entry, MessageEntry) and entry.message.from_bot
    ]


async def ask(mesh: Mesh, chat_id: int, text: str) -> TranscriptMessage:
    await mesh.emulator.send_text(chat_id, text, user=chat_id)
    return await mesh.emulator.wait_for_bot_message(chat_id, timeout=30)


async def sales_db(mesh: Mesh) -> asyncpg.Connection:
    return await asyncpg.connect(mesh.database_url)


async def test_a_question_is_answered_with_figures_from_the_database(
    mesh: Mesh, model: OfflineModelControl, chat: int
) -> None:
    reply = await ask(mesh, chat, "How were sales last week?")
    week_start = DEMO_END_DAY - timedelta(days=DEMO_END_DAY.weekday())
    conn = await sales_db(mesh)
    try:
        revenue = await conn.fetchval(
            "SELECT sum(revenue_cents) FROM sales_agent.daily_sales WHERE day BETWEEN $1 AND $2",
            week_start,
            DEMO_END_DAY,
        )
    finally:
        await conn.close()
    assert reply.text is not None
    assert f"€{revenue / 100:,.0f}" in reply.text
    typing = await mesh.emulator.calls("sendChatAction", chat_id=chat)
    assert typing, "no typing indicator while the agent worked"


async def test_a_question_needing_two_agents_uses_both(
    mesh: Mesh, model: OfflineModelControl, chat: int
) -> None:
    reply = await ask(
        mesh, chat, "How were sales last week, and are the reviews at Riverside getting worse?"
    )
    assert reply.text is not None
    conn = await sales_db(mesh)
    try:
        calls = await conn.fetchval(
            "SELECT t.tool_calls FROM gateway.turns t JOIN gateway.conversations c "
            "ON c.id = t.conversation_id WHERE c.chat_key = $1 ORDER BY t.id DESC LIMIT 1",
            f"tg:{chat}:0",
        )
    finally:
        await conn.close()
    names = {call["name"] for call in json.loads(calls)}
    assert any(name.startswith("sales__") for name in names), names
    assert any(name.startswith("review__") for name in names), names


async def _scalar(mesh: Mesh, sql: str, *args: object) -> object:
    conn = await sales_db(mesh)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def _approval_prompt(mesh: Mesh, chat: int) -> TranscriptMessage:
    for _ in range(100):
        for message in reversed(await bot_messages(mesh, chat)):
            if message.reply_markup:
                return message
        await asyncio.sleep(0.1)
    raise AssertionError("no approval prompt")


@pytest.mark.parametrize("decision", ["approve", "cancel"])
async def test_a_write_waits_for_the_users_decision(
    mesh: Mesh, model: OfflineModelControl, chat: int, decision: str
) -> None:
    leads = "SELECT count(*) FROM leadgen_agent.leads"
    before = await _scalar(mesh, leads)
    assert isinstance(before, int)
    await ask(
        mesh,
        chat,
        "Create a catering lead for Tejo Analytics, 40 people at Midtown, contact Marta "
        "marta@tejo.pt",
    )
    prompt = await _approval_prompt(mesh, chat)
    assert await _scalar(mesh, leads) == before, "written before approval"
    assert prompt.reply_markup is not None
    buttons = prompt.reply_markup["inline_keyboard"][0]
    data = buttons[0 if decision == "approve" else 1]["callback_data"]
    await mesh.emulator.press(chat, prompt.message_id, data, user=chat)
    for _ in range(100):
        answered = await mesh.emulator.calls("answerCallbackQuery")
        if answered and await _settled(mesh, chat, prompt.message_id):
            break
        await asyncio.sleep(0.1)
    assert await _scalar(mesh, leads) == before + (1 if decision == "approve" else 0)
    status = await _scalar(mesh, "SELECT status FROM gateway.approvals WHERE chat_id = $1", chat)
    assert status == ("done" if decision == "approve" else "cancelled")


async def _settled(mesh: Mesh, chat: int, prompt_id: int) -> bool:
    for message in await bot_messages(mesh, chat):
        if message.message_id == prompt_id:
            return message.edits > 0 and not message.reply_markup
    return False


async def test_a_duplicate_delivery_is_answered_once(
    mesh: Mesh, model: OfflineModelControl, chat: int
) -> None:
    update = {
        "update_id": 900_000 + chat,
        "message": {
            "message_id": 1,
            "date": 1764000000,
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "Ana"},
            "text": "How were sales last week?",
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    async with httpx.AsyncClient(base_url=mesh.gateway.url) as http:
        first = await http.post("/telegram/webhook", json=update, headers=headers)
        second = await http.post("/telegram/webhook", json=update, headers=headers)
    assert first.json()["duplicate"] is False
    assert second.json()["duplicate"] is True
    await mesh.emulator.wait_for_bot_message(chat, timeout=30)
    await asyncio.sleep(1.0)
    assert len(await bot_messages(mesh, chat)) == 1


async def test_two_quick_messages_are_answered_in_order(
    mesh: Mesh, model: OfflineModelControl, chat: int
) -> None:
    await model.script(
        MODEL_KEY,
        [
            ScriptedResponse(content=[ScriptedText(text="First answer.")], delay_s=1.0),
            ScriptedResponse(content=[ScriptedText(text="Second answer.")]),
        ],
    )
    await mesh.emulator.send_text(chat, "first question", user=chat)
    await mesh.emulator.send_text(chat, "second question", user=chat)
    for _ in range(100):
        texts = [m.text for m in await bot_messages(mesh, chat)]
        if len(texts) == 2:
            break
        await asyncio.sleep(0.1)
    assert texts == ["First answer.", "Second answer."]


async def test_a_gateway_killed_mid_turn_loses_nothing_and_answers_once(
    mesh: Mesh, model: OfflineModelControl, chat: int
) -> None:
    await model.script(
        MODEL_KEY,
        [
            ScriptedResponse(content=[ScriptedText(text="Lost with the process.")], delay_s=5),
            ScriptedResponse(content=[ScriptedText(text="Answered after the restart.")]),
        ],
    )
    await mesh.emulator.send_text(chat, "a question that outlives a crash", user=chat)
    for _ in range(100):
        if await mesh.emulator.calls("sendChatAction", chat_id=chat):
            break
        await asyncio.sleep(0.05)
    mesh.gateway.kill()
    await wait_ready(mesh.start_gateway())
    reply = await mesh.emulator.wait_for_bot_message(chat, timeout=30)
    assert reply.text == "Answered after the restart."
    await asyncio.sleep(1.0)
    assert [m.text for m in await bot_messages(mesh, chat)] == ["Answered after the restart."]


async def test_a_flood_wait_from_telegram_is_waited_out(
    mesh: Mesh, model: OfflineModelControl, chat: int
) -> None:
    await mesh.emulator.inject("sendMessage", "too_many_requests", chat_id=chat, retry_after=2)
    started = time.monotonic()
    reply = await ask(mesh, chat, "How were sales last week?")
    assert reply.text
    assert time.monotonic() - started >= 2.0
    assert len(await mesh.emulator.calls("sendMessage", chat_id=chat)) >= 2


async def test_commands_usage_and_reset(mesh: Mesh, model: OfflineModelControl, chat: int) -> None:
    await ask(mesh, chat, "How were sales last week?")
    usage = await ask(mesh, chat, "/usage")
    assert usage.text is not None
    assert "1 answers" in usage.text
    reset = await ask(mesh, chat, "/reset")
    assert reset.text is not None
    assert "new conversation" in reset.text
    help_text = await ask(mesh, chat, "/help")
    assert help_text.text is not None
    assert "/reset" in help_text.text


async def test_media_without_text_gets_a_short_notice(
    mesh: Mesh, model: OfflineModelControl, chat: int
) -> None:
    await mesh.emulator.send_media(chat, "photo", user=chat)
    reply = await mesh.emulator.wait_for_bot_message(chat, timeout=30)
    assert reply.text == "I can only read text for now. Please type your question."


async def test_in_a_forum_group_only_mentions_are_answered_in_their_topic(
    mesh: Mesh, model: OfflineModelControl
) -> None:
    group = await mesh.emulator.group("Managers", chat_id=-1_009_001, kind="supergroup", forum=True)
    topic = await mesh.emulator.create_topic(group.id, "Sales")
    user = UserSpec(id=4242, first_name="Rui")
    await mesh.emulator.send_text(group.id, "chatting among ourselves", user=user, thread_id=topic)
    await mesh.emulator.send_text(
        group.id, "@mesh_emulator_bot how were sales last week?", user=user, thread_id=topic
    )
    reply = await mesh.emulator.wait_for_bot_message(group.id, timeout=30)
    assert reply.thread_id == topic
    assert reply.text is not None
    assert "€" in reply.text
    await asyncio.sleep(0.5)
    assert len(await bot_messages(mesh, group.id)) == 1


async def test_the_direct_api_answers_with_tool_calls_and_keeps_history(
    mesh: Mesh, model: OfflineModelControl
) -> None:
    from meshdev.testing import mint

    headers = {"Authorization": f"Bearer {mint('mesh-cli', 'gateway')}"}
    body = {"conversation_id": "dashboard-1", "question": "How were sales last week?"}
    cache = "SELECT expires_at FROM gateway.tool_cache WHERE tool_name = 'sales__get_sales_summary'"
    async with httpx.AsyncClient(base_url=mesh.gateway.url, timeout=30) as http:
        first = await http.post("/agent/query", json=body, headers=headers)
        cached_until = await _scalar(mesh, cache)
        again = await http.post("/agent/query", json=body, headers=headers)
        refused = await http.post("/agent/query", json=body)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["conversation_id"] == "dashboard-1"
    assert [c["name"] for c in answer["tool_calls"]] == ["sales__get_sales_summary"]
    assert again.status_code == 200
    assert refused.status_code == 401
    turns = await _scalar(
        mesh,
        "SELECT count(*) FROM gateway.turns t JOIN gateway.conversations c "
        "ON c.id = t.conversation_id WHERE c.chat_key = 'api:dashboard-1'",
    )
    assert turns == 2
    # The second identical read came from the tool cache the contract allows: a fresh call
    # would have renewed the entry.
    assert cached_until is not None
    assert await _scalar(mesh, cache) == cached_until


async def test_fifty_chats_at_once_within_telegrams_limits_get_every_answer_and_no_429(
    mesh: Mesh, model: OfflineModelControl
) -> None:
    from meshdev.telegram_emulator.models import FloodLimits

    await mesh.emulator.set_flood_limits(FloodLimits(enabled=True))
    chats = [next(_chat_ids) for _ in range(50)]
    try:
        for chat_id in chats:
            await mesh.emulator.private_chat(UserSpec(id=chat_id, first_name="Ana"))
        await asyncio.gather(
            *(mesh.emulator.send_text(c, "How were sales last week?", user=c) for c in chats)
        )
        replies = await asyncio.gather(
            *(mesh.emulator.wait_for_bot_message(c, timeout=60) for c in chats)
        )
        assert all(reply.text and "€" in reply.text for reply in replies)
        calls = await mesh.emulator.calls("sendMessage")
        refused = [c for c in calls if c.cause == "flood"]
        assert refused == []
    finally:
        await mesh.emulator.set_flood_limits(FloodLimits(enabled=False))


async def test_two_replicas_answer_two_hundred_chats_once_within_the_global_limit(
    mesh: Mesh, model: OfflineModelControl
) -> None:
    from meshdev.telegram_emulator.models import FloodLimits

    worker = start_service(
        "gateway-worker",
        "gateway.main:create_app",
        env={**mesh.env, "GATEWAY_ROLE": "worker"},
        log_path=mesh.logs / "gateway-worker.log",
    )
    mesh.processes["gateway-worker"] = worker
    await wait_ready(worker)
    await mesh.emulator.set_flood_limits(FloodLimits(enabled=True))
    chats = [next(_chat_ids) for _ in range(200)]
    try:
        for chat_id in chats:
            await mesh.emulator.private_chat(UserSpec(id=chat_id, first_name="Ana"))
        before = len(await mesh.emulator.calls("sendMessage"))
        await asyncio.gather(*(mesh.emulator.send_text(c, "/help", user=c) for c in chats))
        await asyncio.gather(*(mesh.emulator.wait_for_bot_message(c, timeout=90) for c in chats))
        await asyncio.sleep(1.0)
        sends = (await mesh.emulator.calls("sendMessage"))[before:]
        assert [c for c in sends if c.cause == "flood"] == []
        delivered = [c for c in sends if c.ok]
        assert sorted(c.chat_id or 0 for c in delivered) == sorted(chats), "lost or duplicated"
        per_second: dict[int, int] = {}
        for call in delivered:
            per_second[int(call.at)] = per_second.get(int(call.at), 0) + 1
        assert max(per_second.values()) <= 31
        workers = await _scalar(
            mesh,
            "SELECT count(DISTINCT split_part(j.locked_by, ':', 2)) FROM gateway.jobs j "
            "JOIN gateway.telegram_updates u USING (update_id) WHERE u.chat_id = ANY($1)",
            chats,
        )
        assert workers == 2, "both replicas should have taken jobs"
    finally:
        await mesh.emulator.set_flood_limits(FloodLimits(enabled=False))
        worker.stop()


async def _briefings(mesh: Mesh, chat: int) -> list[TranscriptMessage]:
    return [m for m in await bot_messages(mesh, chat) if "Morning briefing" in (m.text or "")]


async def _await_briefing(mesh: Mesh, chat: int) -> TranscriptMessage:
    for _ in range(300):
        found = await _briefings(mesh, chat)
        if found:
            return found[0]
        await asyncio.sleep(0.1)
    raise AssertionError("no briefing arrived")


async def test_the_briefing_on_demand_has_figures_from_every_agent_and_posts_a_reply(
    mesh: Mesh, model: OfflineModelControl, chat: int
) -> None:
    yesterday = DEMO_END_DAY
    week_before = yesterday - timedelta(days=7)
    revenue_sql = "SELECT sum(revenue_cents)::bigint FROM sales_agent.daily_sales WHERE day = $1"
    revenue = await _scalar(mesh, revenue_sql, yesterday)
    previous = await _scalar(mesh, revenue_sql, week_before)
    assert isinstance(revenue, int)
    assert isinstance(previous, int)
    waiting_sql = (
        "SELECT count(*) FROM review_agent.reviews r WHERE (r.created_at AT TIME ZONE "
        "'Europe/Lisbon')::date = $1 AND NOT EXISTS (SELECT 1 FROM review_agent.review_replies "
        "p WHERE p.review_id = r.id AND p.status = 'posted')"
    )
    waiting = await _scalar(mesh, waiting_sql, yesterday)
    assert isinstance(waiting, int)
    assert waiting > 0, "the demo data should leave yesterday's reviews waiting for a reply"

    await mesh.emulator.send_text(chat, "/briefing", user=chat)
    text = (await _await_briefing(mesh, chat)).text or ""
    assert f"€{revenue / 100:,.0f}" in text, text
    assert f"€{previous / 100:,.0f} a week before" in text, text
    assert "(offline model)" in text, "the model's note is missing"
    assert "Reviews" in text
    assert "Leads" in text
    assert "Partial briefing" not in text
    assert f"{waiting} wait" in text, text

    # Stored in the conversation like any answer, with every call the briefing made.
    calls = await _scalar(
        mesh,
        "SELECT t.tool_calls FROM gateway.turns t JOIN gateway.conversations c "
        "ON c.id = t.conversation_id WHERE c.chat_key = $1 ORDER BY t.id DESC LIMIT 1",
        f"tg:{chat}:0",
    )
    assert isinstance(calls, str)
    names = {call["name"] for call in json.loads(calls)}
    assert {"sales__compare_periods", "review__list_reviews", "leadgen__list_leads"} <= names

    drafts = min(waiting, 3)
    message = (await _briefings(mesh, chat))[0]
    assert message.reply_markup is not None
    buttons = [b for row in message.reply_markup["inline_keyboard"] for b in row]
    assert [b["text"] for b in buttons] == [f"📤 Post reply {n}" for n in range(1, drafts + 1)]
    posted_sql = "SELECT count(*) FROM review_agent.review_replies WHERE status = 'posted'"
    before = await _scalar(mesh, posted_sql)
    assert isinstance(before, int)
    await mesh.emulator.press(chat, message.message_id, buttons[0]["callback_data"], user=chat)
    for _ in range(100):
        current = next(
            m for m in await bot_messages(mesh, chat) if m.message_id == message.message_id
        )
        if current.edits:
            break
        await asyncio.sleep(0.1)
    assert await _scalar(mesh, posted_sql) == before + 1
    status = await _scalar(
        mesh,
        "SELECT status FROM gateway.approvals WHERE message_id = $1 AND chat_id = $2 "
        "AND summary LIKE 'Reply 1:%'",
        message.message_id,
        chat,
    )
    assert status == "done"
    # The pressed button is gone, the others stay, and the briefing's text is untouched.
    assert current.text == message.text
    left = [
        b["text"] for row in (current.reply_markup or {}).get("inline_keyboard", []) for b in row
    ]
    assert left == [f"📤 Post reply {n}" for n in range(2, drafts + 1)]


async def test_a_subscribed_chat_gets_one_briefing_when_it_is_due(
    mesh: Mesh, model: OfflineModelControl, chat: int
) -> None:
    refused = await ask(mesh, chat, "/briefing on 25:00 Europe/Berlin")
    assert "00:00 to 23:59" in (refused.text or "")
    await ask(mesh, chat, "/briefing on 08:00 Atlantis/Lost_City")
    assert (
        await _scalar(
            mesh, "SELECT count(*) FROM gateway.briefing_subscriptions WHERE chat_id = $1", chat
        )
        == 0
    )

    # A minute ago in Berlin: the next one is tomorrow, until the clock says otherwise.
    at = (datetime.now(ZoneInfo("Europe/Berlin")) - timedelta(minutes=1)).strftime("%H:%M")
    await mesh.emulator.send_text(chat, f"/briefing on {at} Europe/Berlin", user=chat)
    for _ in range(100):
        texts = [m.text or "" for m in await bot_messages(mesh, chat)]
        if any(f"every day at {at} (Europe/Berlin)" in text for text in texts):
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("no confirmation")
    assert await _briefings(mesh, chat) == []
    # As if the scheduler had been down since it was due: its next tick makes the briefing.
    await _scalar(
        mesh,
        "UPDATE gateway.briefing_subscriptions SET next_due_at = now() - interval '1 second' "
        "WHERE chat_id = $1 RETURNING 1",
        chat,
    )
    await _await_briefing(mesh, chat)
    await asyncio.sleep(1.5)  # several more ticks
    assert len(await _briefings(mesh, chat)) == 1
    briefing_status = "SELECT status FROM gateway.briefings WHERE chat_id = $1"
    for _ in range(100):  # its reply drafts follow at the chat's pace, then it is done
        if await _scalar(mesh, briefing_status, chat) == "sent":
            break
        await asyncio.sleep(0.1)
    assert await _scalar(mesh, briefing_status, chat) == "sent"

    await ask(mesh, chat, "/briefing off")
    assert (
        await _scalar(
            mesh, "SELECT count(*) FROM gateway.briefing_subscriptions WHERE chat_id = $1", chat
        )
        == 0
    )


async def test_an_agent_that_is_down_gets_a_graceful_answer(
    mesh: Mesh, model: OfflineModelControl, chat: int
) -> None:
    mesh.processes["review-agent"].stop()
    reply = await ask(mesh, chat, "Are the reviews at Riverside getting worse?")
    assert reply.text is not None
    assert "review" in reply.text.lower()
    assert "reach" in reply.text.lower() or "not reachable" in reply.text.lower()


async def test_a_briefing_with_an_agent_down_still_arrives_and_says_what_is_missing(
    mesh: Mesh, model: OfflineModelControl, chat: int
) -> None:
    mesh.processes["review-agent"].stop()
    # A new morning: nothing is left of the answers earlier briefings shared.
    await _scalar(mesh, "DELETE FROM gateway.tool_cache RETURNING 1")
    await mesh.emulator.send_text(chat, "/briefing", user=chat)
    text = (await _await_briefing(mesh, chat)).text or ""
    assert "Partial briefing" in text
    assert "Ratings are missing: review-agent is not reachable right now" in text
    # What the other agents know is all there.
    revenue = await _scalar(
        mesh,
        "SELECT sum(revenue_cents)::bigint FROM sales_agent.daily_sales WHERE day = $1",
        DEMO_END_DAY,
    )
    assert isinstance(revenue, int)
    assert f"€{revenue / 100:,.0f}" in text
    assert "Pipeline:" in text
