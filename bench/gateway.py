"""The gateway benchmark: webhook throughput and latency, 200 chats answered at once, and a
morning's briefings to 500 subscribers.

    uv run python -m bench.gateway            # about three minutes; see bench/README.md

Every number is measured against a reference taken in the same run, on the same machine:
a bare FastAPI endpoint served exactly like the gateway, or the ideal time the scripted
model needs. The table is printed and written to `bench/results/latest.md`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import importlib.util
import itertools
import math
import os
import platform
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from bench import updates
from bench.load import (
    BodyFactory,
    ConnectionPool,
    Latencies,
    Throughput,
    closed_loop_asyncio,
    closed_loop_wrk,
    open_loop_apart,
    post_request,
    wrk_path,
)
from bench.mesh import (
    GATEWAY_MODEL_KEY,
    WEBHOOK_SECRET,
    CpuMeter,
    Mesh,
    database,
    machine_busy,
    mesh,
    postmaster_pid,
)
from bench.router import ModelRouter, after_tool_key
from meshdev.offline_model.control import OfflineModelControl
from meshdev.offline_model.scripted import ScriptedResponse, ScriptedText, ScriptedToolUse
from meshdev.procs import ServiceProcess
from meshdev.telegram_emulator.client import EmulatorClient
from meshdev.telegram_emulator.models import FloodLimits, UserSpec

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results") / "latest.md"
WEBHOOK = "/telegram/webhook"
SECRET_HEADER = {
    "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
    "Content-Type": "application/json",
}
JSON_HEADER = {"Content-Type": "application/json"}
#: Telegram opens at most this many connections to a webhook unless told otherwise.
TELEGRAM_CONNECTIONS = 40
#: Telegram's limit on a bot's messages across all chats, unless it pays for broadcasts.
TELEGRAM_MESSAGES_PER_S = 30
#: The cheap read tool each benchmark turn calls once.
TOOL = "sales__list_locations"

SCENARIOS = ("throughput", "latency", "answers", "briefing")

# Targets from the issue.
THROUGHPUT_RATIO = 0.5
P99_LIMIT_S = 0.015
LOADED_P99_RATIO = 1.5
ANSWER_ALL_LIMIT_S = 4.0
#: Within Telegram's limits: the ideal, then chats / 30 msg/s of sending, plus this. (The
#: issue asked for max(2 x ideal, chats / 30 s) + 1 s, which no sender can meet: an answer
#: cannot be sent before the model has written it, at the ideal time.)
FLOOD_SLACK_S = 1.0
#: Briefings: from the first to the last within this factor of subscribers / 30 msg/s.
#: Bulk work goes at 27/s (the limiter keeps 5% in hand and leaves replies one slot a
#: second): 1.11x at best.
BRIEFING_RATIO = 1.2
#: Interactive replies during the briefings: p50 within this factor of the idle p50, and
#: no reply later than the idle worst plus one per-chat slot of the limiter.
INTERACTIVE_RATIO = 1.5


@dataclass(frozen=True, slots=True)
class Options:
    seconds: float
    connections: int
    #: Throughput: bare and webhook measured in turn this many times each.
    rounds: int
    rate: float
    chats: int
    subscribers: int
    model_delay_s: float
    generator: str
    scenarios: frozenset[str]
    traces: bool
    logs: Path
    output: Path


@dataclass(frozen=True, slots=True)
class Row:
    scenario: str
    measured: str
    reference: str
    target: str
    passed: bool | None


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    cpu: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)


# Scenario 2: acknowledgement throughput -------------------------------------------------

_ids = itertools.count(1)


def next_id_block(size: int = 100_000_000) -> int:
    """The first update id of a block no other run of this process uses."""
    return next(_ids) * size


def private_bodies(first: int) -> BodyFactory:
    """Questions in 5,000 private chats, numbered from `first` (as webhook.lua builds them)."""

    def body(number: int) -> bytes:
        update_id = first + number
        return updates.encode(updates.private_message(update_id, 1_000_000 + update_id % 5000))

    return body


async def throughput(
    options: Options, target: ServiceProcess, path: str, warm_s: float = 2.0
) -> Throughput:
    """Closed loop: a warm-up (unless `warm_s` is 0), then the measured run, each with fresh
    update ids."""
    wrk = wrk_path() if options.generator in ("auto", "wrk") else None
    if options.generator == "wrk" and wrk is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    result: Throughput | None = None
    for seconds in ((warm_s,) if warm_s else ()) + (options.seconds,):
        first = next_id_block()
        if wrk is not None:
            result = await closed_loop_wrk(
                wrk,
                target.url,
                path,
                WEBHOOK_SECRET,
                first,
                connections=options.connections,
                seconds=seconds,
            )
        else:
            result = await closed_loop_asyncio(
                target.url,
                path,
                private_bodies(first),
                SECRET_HEADER if path == WEBHOOK else JSON_HEADER,
                connections=options.connections,
                seconds=seconds,
            )
    assert result is not None
    return result


async def scenario_throughput(options: Options, state: Mesh, report: Report) -> None:
    bare = state.processes["bare"]
    async with database(state.admin, f"bench_{os.getpid()}_web") as web_db:
        # Acknowledging alone (GATEWAY_ROLE=web): workers would otherwise spend the same
        # CPU answering the flood, and this row is about taking updates in.
        gateway = await state.gateway("gateway-web", web_db, {"GATEWAY_ROLE": "web"})
        meter = CpuMeter(state.pids(), await postmaster_pid(web_db))
        references: list[Throughput] = []
        runs: list[Throughput] = []
        try:
            meter.start()
            # In turn, several times, so the machine's drift (±15% between minutes here)
            # falls on both; the ratio is of the medians.
            for index in range(options.rounds):
                order = [(bare, "/ok", references), (gateway, WEBHOOK, runs)]
                for target, path, results in order if index % 2 == 0 else order[::-1]:
                    # The first round runs both: one warm-up each is enough.
                    warm_s = 2.0 if index == 0 else 0.0
                    results.append(await throughput(options, target, path, warm_s=warm_s))
            report.cpu["throughput, bare and webhook in turn (with warm-ups)"] = meter.stop()
        finally:
            # Stopped first: uvicorn finishes the requests wrk left in flight.
            state.stop("gateway-web")
        stored = await _count(web_db, "SELECT count(*) FROM gateway.telegram_updates")
        queued = await _count(web_db, "SELECT count(*) FROM gateway.jobs")
    reference = _median_run(references)
    measured = _median_run(runs)
    ratio = measured.per_second / reference.per_second if reference.per_second else math.nan
    errors = sum(run.errors for run in runs)
    acknowledged = sum(run.ok for run in runs)
    # Warm-ups and measured runs together: every acknowledged update must be in the table.
    durable = stored >= acknowledged and queued == stored
    report.rows.append(
        Row(
            f"Webhook acknowledgement throughput ({measured.tool}, {measured.connections} "
            f"connections, {options.rounds} runs of {options.seconds:g} s in turn with the bare "
            "endpoint, closed loop; median)",
            f"{measured.per_second:,.0f} req/s; {errors} errors; "
            f"{stored:,} updates + {queued:,} jobs stored",
            f"bare `POST /ok`: {reference.per_second:,.0f} req/s",
            f"{ratio:.2f}x / ≥ {THROUGHPUT_RATIO}x",
            ratio >= THROUGHPUT_RATIO and errors == 0 and durable,
        )
    )
    report.notes.append(
        "Throughput rounds (req/s): gateway "
        + ", ".join(f"{run.per_second:,.0f}" for run in runs)
        + "; bare "
        + ", ".join(f"{run.per_second:,.0f}" for run in references)
        + f"; {acknowledged:,} acknowledged in the measured runs, {stored:,} updates and "
        f"{queued:,} jobs stored (warm-ups included)."
    )


def _median_run(runs: list[Throughput]) -> Throughput:
    return sorted(runs, key=lambda run: run.per_second)[len(runs) // 2]


# Scenario 3: latency at a fixed rate ----------------------------------------------------


def chatter_body(first: int) -> BodyFactory:
    def body(number: int) -> bytes:
        update_id = first + number
        group = -1_000_000 - number % 20
        return updates.encode(updates.group_chatter(update_id, group, 3_000_000 + number % 50))

    return body


def fmt_ms(latencies: Latencies) -> str:
    return (
        f"{latencies.p50 * 1000:.1f} / {latencies.p99 * 1000:.1f} / {latencies.max * 1000:.1f} ms"
    )


async def probe(
    options: Options, target: ServiceProcess, path: str, warm_s: float = 2.0
) -> Latencies:
    """A warm-up at the same rate, then the measured open-loop run."""
    result: Latencies | None = None
    for seconds in (warm_s, options.seconds):
        first = next_id_block()
        body = chatter_body(first) if path == WEBHOOK else (lambda _n: b"{}")
        headers = SECRET_HEADER if path == WEBHOOK else JSON_HEADER
        result = await open_loop_apart(
            target.url, path, body, headers, rate=options.rate, seconds=seconds
        )
    assert result is not None
    return result


async def make_chats(emulator: EmulatorClient, chat_ids: Iterable[int]) -> None:
    for chat_id in chat_ids:
        await emulator.private_chat(UserSpec(id=chat_id, first_name="Marta"))


async def deliver(
    gateway: ServiceProcess, chat_ids: list[int], text: str = updates.QUESTION
) -> float:
    """POST one question per chat, as Telegram would (at most 40 at a time); returns the
    wall-clock time the last one was acknowledged."""
    first = next_id_block()
    host, _, port = gateway.url.removeprefix("http://").partition(":")
    requests = [
        post_request(
            host,
            int(port),
            WEBHOOK,
            updates.encode(updates.private_message(first + number, chat_id, text)),
            SECRET_HEADER,
        )
        for number, chat_id in enumerate(chat_ids)
    ]
    pool = ConnectionPool(host, int(port))
    await pool.warm(TELEGRAM_CONNECTIONS)
    pending = iter(requests)

    async def sender() -> None:
        for request in pending:
            status, body = await pool.post(request)
            if status != 200 or b'"duplicate":false' not in body:
                raise RuntimeError(f"the gateway refused an update: {status} {body!r}")

    try:
        await asyncio.gather(*(sender() for _ in range(TELEGRAM_CONNECTIONS)))
        return time.time()
    finally:
        await pool.close()


async def wait_for_answers(emulator: EmulatorClient, chat_ids: list[int], timeout_s: float) -> None:
    """Until the bot has written in every chat.

    Waits on one chat at a time: the emulator wakes every waiter on every Bot API call, so
    200 parallel long polls would cost it more CPU than the gateway under test gets."""
    deadline = time.monotonic() + timeout_s
    for chat_id in chat_ids:
        remaining = max(0.1, deadline - time.monotonic())
        await emulator.wait_for_bot_message(chat_id, timeout=remaining)


async def answered_at(emulator: EmulatorClient, chat_ids: list[int]) -> dict[int, float]:
    """When the bot's first message reached each chat: the emulator's record of each
    sendMessage (its wall clock, the same machine's), when the call was done."""
    wanted = set(chat_ids)
    first: dict[int, float] = {}
    for call in await emulator.calls("sendMessage"):
        if call.ok and call.chat_id in wanted:
            done = call.at + call.duration_s
            first[call.chat_id] = min(done, first.get(call.chat_id, math.inf))
    return first


async def scenario_latency(
    options: Options,
    state: Mesh,
    gateway: ServiceProcess,
    emulator: EmulatorClient,
    model: OfflineModelControl,
    meter: CpuMeter,
    report: Report,
    *,
    label: str = "",
    first_chat: int = 2_000_001,
) -> None:
    """Webhook latency idle and with turns in flight; `label` names the topology."""
    suffix = f"; {label}" if label else ""
    bare = state.processes["bare"]
    reference = await probe(options, bare, "/ok")
    meter.start()
    idle = await probe(options, gateway, WEBHOOK)
    report.cpu[f"{options.rate:g} updates/s for {options.seconds:g} s, idle{suffix}"] = meter.stop()

    # 200 turns that each wait on the model for longer than the whole measurement.
    chat_ids = list(range(first_chat, first_chat + options.chats))
    await make_chats(emulator, chat_ids)
    hold_s = options.seconds + 8.0
    await model.reset(GATEWAY_MODEL_KEY)
    await model.reset(after_tool_key(GATEWAY_MODEL_KEY))
    await model.script(
        GATEWAY_MODEL_KEY,
        [
            ScriptedResponse(content=[ScriptedText(text="Sales held up well.")], delay_s=hold_s)
            for _ in chat_ids
        ],
    )
    await deliver(gateway, chat_ids)
    # The offline model has no way to wait for requests; ten looks a second is plenty.
    async with asyncio.timeout(60):
        while (await model.status(GATEWAY_MODEL_KEY)).used < len(chat_ids):  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    in_flight_at_start = await _count(
        state.database_url, "SELECT count(*) FROM gateway.jobs WHERE status = 'running'"
    )
    connections = await _count(
        state.database_url,
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = 'gateway' AND state <> 'idle'",
    )
    meter.start()
    loaded = await probe(options, gateway, WEBHOOK)
    report.cpu[
        f"{options.rate:g} updates/s for {options.seconds:g} s, 200 turns in flight{suffix}"
    ] = meter.stop()
    tag = "-split" if label else ""
    for name, run in (("bare", reference), ("idle", idle), ("in-flight", loaded)):
        run.write_csv(options.logs / f"latency-{name}{tag}.csv")
    finished_early = await _count(state.database_url, "SELECT count(*) FROM gateway.turns")
    await wait_for_answers(emulator, chat_ids, timeout_s=60)
    answered = await answered_at(emulator, chat_ids)

    report.rows.append(
        Row(
            f"Webhook latency at {options.rate:g} updates/s for {options.seconds:g} s, idle "
            f"(open loop; p50 / p99 / max){suffix}",
            fmt_ms(idle) + _errors(idle),
            f"bare `POST /ok`: {fmt_ms(reference)}",
            f"p99 < {P99_LIMIT_S * 1000:g} ms",
            idle.p99 < P99_LIMIT_S and idle.errors == 0,
        )
    )
    ratio = loaded.p99 / idle.p99 if idle.p99 else math.nan
    report.rows.append(
        Row(
            f"… same, while {len(chat_ids)} agent turns are in flight{suffix}",
            fmt_ms(loaded) + _errors(loaded),
            f"idle p99 {idle.p99 * 1000:.1f} ms",
            f"{ratio:.2f}x / ≤ {LOADED_P99_RATIO}x and p99 < {P99_LIMIT_S * 1000:g} ms",
            loaded.p99 < P99_LIMIT_S and ratio <= LOADED_P99_RATIO and loaded.errors == 0,
        )
    )
    report.notes.append(
        f"Latency{suffix}: {idle.sent} / {loaded.sent} requests sent (idle / loaded), the "
        f"generator at most {max(idle.max_send_lag, loaded.max_send_lag) * 1000:.1f} ms behind "
        f"schedule; {in_flight_at_start} jobs running when the loaded window opened, "
        f"{finished_early} turns finished inside it, {len(answered)} of {len(chat_ids)} "
        f"chats answered afterwards; {connections} of the gateway's database connections were "
        "busy as the window opened (a turn waiting on the model holds none)."
    )


# Scenario 4: 200 chats answered ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answers:
    """One run of the 200-chat scenario."""

    label: str
    elapsed_s: float
    first_s: float
    answered: int
    turns: int
    min_rounds: int
    max_rounds: int
    tool_calls: int
    model_calls: int
    #: sendMessage calls the emulator refused with 429 (its flood limits on).
    refused: int = 0
    #: Chats that got no answer, and answers sent more than once.
    lost: int = 0
    duplicates: int = 0


async def scenario_answers(
    options: Options,
    state: Mesh,
    gateway: ServiceProcess,
    emulator: EmulatorClient,
    model: OfflineModelControl,
    meter: CpuMeter,
    report: Report,
    *,
    label: str,
    first_chat: int,
) -> Answers:
    chat_ids = list(range(first_chat, first_chat + options.chats))
    await make_chats(emulator, chat_ids)
    delay = options.model_delay_s
    # The router sends first calls to the gateway's key and calls handing back tool
    # results to its after-tool key: one script each, consumed in arrival order.
    await model.reset(GATEWAY_MODEL_KEY)
    await model.reset(after_tool_key(GATEWAY_MODEL_KEY))
    tool_use = ScriptedResponse(content=[ScriptedToolUse(name=TOOL, input={})], delay_s=delay)
    text = ScriptedResponse(
        content=[ScriptedText(text="Copper Pot Kitchen has six restaurants in Lisbon.")],
        delay_s=delay,
    )
    await model.script(GATEWAY_MODEL_KEY, [tool_use] * len(chat_ids))
    await model.script(after_tool_key(GATEWAY_MODEL_KEY), [text] * len(chat_ids))
    before = len(await emulator.calls("sendMessage"))
    meter.start()
    delivered = await deliver(gateway, chat_ids)
    await wait_for_answers(emulator, chat_ids, timeout_s=120)
    report.cpu[f"{len(chat_ids)} chats answered, {label}"] = meter.stop()
    await asyncio.sleep(1.0)  # anything sent twice would show up by now
    sends = (await emulator.calls("sendMessage"))[before:]
    answered = await answered_at(emulator, chat_ids)
    delivered_per_chat = [c.chat_id for c in sends if c.ok and c.chat_id in set(chat_ids)]
    conn = await asyncpg.connect(state.database_url)
    try:
        keys = [f"tg:{chat_id}:0" for chat_id in chat_ids]
        turns = await conn.fetchrow(
            "SELECT count(*) AS turns, min(t.rounds) AS min_rounds, max(t.rounds) AS max_rounds, "
            "sum(jsonb_array_length(t.tool_calls)) AS tool_calls "
            "FROM gateway.turns t JOIN gateway.conversations c ON c.id = t.conversation_id "
            "WHERE c.chat_key = ANY($1)",
            keys,
        )
    finally:
        await conn.close()
    assert turns is not None
    calls = len(await model.requests(GATEWAY_MODEL_KEY)) + len(
        await model.requests(after_tool_key(GATEWAY_MODEL_KEY))
    )
    return Answers(
        label=label,
        elapsed_s=max(answered.values()) - delivered,
        first_s=min(answered.values()) - delivered,
        answered=len(answered),
        turns=turns["turns"],
        min_rounds=turns["min_rounds"] or 0,
        max_rounds=turns["max_rounds"] or 0,
        tool_calls=turns["tool_calls"] or 0,
        model_calls=calls,
        refused=sum(1 for c in sends if c.cause == "flood"),
        lost=len(set(chat_ids) - set(answered)),
        duplicates=len(delivered_per_chat) - len(set(delivered_per_chat)),
    )


def report_answers(options: Options, runs: list[Answers], report: Report) -> None:
    delay = options.model_delay_s
    ideal = 2 * delay
    chats = options.chats
    # Replies go out through one sender paced to the token's global limit: sending them
    # takes chats / limit seconds on top of the model's time.
    send_s = chats / TELEGRAM_MESSAGES_PER_S
    for run in runs:
        everyone = run.answered == chats and run.turns == chats
        flood = "flood" in run.label
        limit = ideal + send_s + FLOOD_SLACK_S if flood else ANSWER_ALL_LIMIT_S
        floor = (
            f"; {chats} messages at Telegram's {TELEGRAM_MESSAGES_PER_S} msg/s take {send_s:.1f} s"
        )
        report.rows.append(
            Row(
                f"{chats} chats answered, each turn 2 model calls of {delay:g} s (tool use, "
                f"then text), from the last update acknowledged; {run.label}",
                f"{run.elapsed_s:.2f} s (first answer after {run.first_s:.2f} s)",
                f"ideal {ideal:g} s" + (floor if flood else ""),
                f"{run.elapsed_s / ideal:.2f}x ideal / < {limit:.1f} s",
                run.elapsed_s < limit and everyone,
            )
        )
        report.rows.append(
            Row(
                f"… 429s from the emulator (its limits on) / replies lost / sent twice; "
                f"{run.label}",
                f"{run.refused} / {run.lost} / {run.duplicates}",
                "Telegram's limits for the token" if flood else "paid broadcast limits",
                "0 / 0 / 0",
                run.refused == run.lost == run.duplicates == 0,
            )
        )
    report.rows.append(
        Row(
            "… turns stored / model calls made / tool calls ("
            + ", ".join(r.label for r in runs)
            + ")",
            "; ".join(
                f"{r.turns} turns ({r.min_rounds}-{r.max_rounds} rounds each) / "
                f"{r.model_calls} calls / {r.tool_calls} tool calls"
                for r in runs
            ),
            f"{chats} / {2 * chats} / {chats} each",
            "every chat answered, 2 calls per turn",
            all(
                r.answered == chats
                and r.turns == chats
                and r.model_calls == 2 * chats
                and r.min_rounds == r.max_rounds == 2
                and r.tool_calls == chats
                for r in runs
            ),
        )
    )


# Scenario 4: a morning's briefings -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Briefings:
    subscribers: int
    elapsed_s: float
    first_s: float
    sent: int
    refused: int
    lost: int
    duplicates: int
    max_per_second: int
    idle: list[float]
    loaded: list[float]
    #: How long the same replies waited in the outbound queue (queued until sent).
    idle_queue: list[float]
    loaded_queue: list[float]
    agent_calls: int
    model_calls: int


async def probe_replies(
    gateway: ServiceProcess, emulator: EmulatorClient, chat_ids: list[int], spacing_s: float
) -> list[float]:
    """`/help` in each chat, one every `spacing_s`: each reply's latency from its
    acknowledgement to the emulator's record of the answer."""
    acked: dict[int, float] = {}
    for chat_id in chat_ids:
        started = time.monotonic()
        acked[chat_id] = await deliver(gateway, [chat_id], "/help")
        await asyncio.sleep(max(0.0, spacing_s - (time.monotonic() - started)))
    await wait_for_answers(emulator, chat_ids, timeout_s=60)
    answered = await answered_at(emulator, chat_ids)
    return [answered[chat_id] - acked[chat_id] for chat_id in chat_ids if chat_id in answered]


async def scenario_briefing(
    options: Options,
    state: Mesh,
    emulator: EmulatorClient,
    model: OfflineModelControl,
    router_url: str,
    report: Report,
) -> None:
    """`options.subscribers` chats subscribed to the briefing, all due at once, with the
    emulator enforcing Telegram's limits, while people keep asking the bot for help."""
    subscribers = list(range(3_000_001, 3_000_001 + options.subscribers))
    idle_chats = list(range(3_100_001, 3_100_021))
    loaded_chats = list(range(3_200_001, 3_200_021))
    await make_chats(emulator, subscribers + idle_chats + loaded_chats)
    for key in (GATEWAY_MODEL_KEY, after_tool_key(GATEWAY_MODEL_KEY)):
        await model.reset(key)
        note = ScriptedText(text="Riverside fell furthest; three reviews wait for a reply.")
        await model.script(key, [ScriptedResponse(content=[note], delay_s=1.0)] * 5)
    gateway = await state.gateway(
        "gateway-briefing",
        state.database_url,
        {
            "GATEWAY_ROLE": "all",
            "WORKER_CONCURRENCY": "256",
            "DB_POOL_MAX_SIZE": "40",
            "ANTHROPIC_BASE_URL": router_url,
            "BRIEFING_TICK_S": "0.2",
        },
    )
    meter = CpuMeter(state.pids(), await postmaster_pid(state.database_url))
    await emulator.set_flood_limits(FloodLimits(enabled=True))
    try:
        idle = await probe_replies(gateway, emulator, idle_chats, 0.5)
        before = len(await emulator.calls("sendMessage"))
        agents_before = await _count(state.database_url, _AGENT_REQUESTS)
        conn = await asyncpg.connect(state.database_url)
        try:
            # Subscribed for a minute ago, as if the clock had just struck: the next tick
            # makes every briefing (on time: a minute is within BRIEFING_LATE_AFTER_S).
            lisbon = datetime.now(ZoneInfo("Europe/Lisbon")) - timedelta(minutes=1)
            await conn.executemany(
                "INSERT INTO gateway.briefing_subscriptions "
                "(chat_id, local_time, time_zone, next_due_at) VALUES ($1, $2, $3, now())",
                [
                    (chat_id, lisbon.time().replace(second=0, microsecond=0), "Europe/Lisbon")
                    for chat_id in subscribers
                ],
            )
        finally:
            await conn.close()
        due = time.time()
        meter.start()
        loaded_task = asyncio.create_task(probe_replies(gateway, emulator, loaded_chats, 0.5))
        await wait_for_answers(emulator, subscribers, timeout_s=180)
        loaded = await loaded_task
        report.cpu[f"{len(subscribers)} briefings"] = meter.stop()
        await asyncio.sleep(1.0)
        sends = (await emulator.calls("sendMessage"))[before:]
        agents_after = await _count(state.database_url, _AGENT_REQUESTS)
    finally:
        await emulator.set_flood_limits(FloodLimits(enabled=False))
        state.stop("gateway-briefing")
    wanted = set(subscribers)
    answered = await answered_at(emulator, subscribers)
    delivered = [c.chat_id for c in sends if c.ok and c.chat_id in wanted]
    per_second: dict[int, int] = {}
    for call in sends:
        if call.ok:
            per_second[int(call.at)] = per_second.get(int(call.at), 0) + 1
    calls = len(await model.requests(GATEWAY_MODEL_KEY)) + len(
        await model.requests(after_tool_key(GATEWAY_MODEL_KEY))
    )
    idle_queue = await _queue_waits(state.database_url, idle_chats)
    loaded_queue = await _queue_waits(state.database_url, loaded_chats)
    report_briefing(
        Briefings(
            subscribers=len(subscribers),
            elapsed_s=max(answered.values()) - due,
            first_s=min(answered.values()) - due,
            sent=len(set(delivered)),
            refused=sum(1 for c in sends if c.cause == "flood"),
            lost=len(wanted - set(answered)),
            duplicates=len(delivered) - len(set(delivered)),
            max_per_second=max(per_second.values(), default=0),
            idle=idle,
            loaded=loaded,
            idle_queue=idle_queue,
            loaded_queue=loaded_queue,
            agent_calls=agents_after - agents_before,
            model_calls=calls,
        ),
        report,
    )


#: Entries in the gateway's tool cache: each is one answer fetched from an agent (or one
#: note from the model) that the briefings then shared.
_AGENT_REQUESTS = "SELECT count(*) FROM gateway.tool_cache"


async def _queue_waits(dsn: str, chat_ids: list[int]) -> list[float]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT extract(epoch FROM sent_at - created_at)::float8 AS waited "
            "FROM gateway.outbound WHERE chat_id = ANY($1) AND method = 'sendMessage'",
            chat_ids,
        )
    finally:
        await conn.close()
    return [row["waited"] for row in rows]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else math.nan


def report_briefing(run: Briefings, report: Report) -> None:
    floor = run.subscribers / TELEGRAM_MESSAGES_PER_S
    sending = run.elapsed_s - run.first_s
    report.rows.append(
        Row(
            f"{run.subscribers} subscribers' briefings due at once, Telegram's limits on in the "
            "emulator: from the first briefing delivered to the last (from due: "
            f"{run.elapsed_s:.1f} s, the first composed and sent after {run.first_s:.2f} s)",
            f"{sending:.1f} s (at most {run.max_per_second} messages in any second)",
            f"{run.subscribers} / {TELEGRAM_MESSAGES_PER_S} msg/s = {floor:.1f} s",
            f"{sending / floor:.2f}x / ≤ {BRIEFING_RATIO:g}x",
            sending <= BRIEFING_RATIO * floor
            and run.sent == run.subscribers
            and run.max_per_second <= TELEGRAM_MESSAGES_PER_S,
        )
    )
    report.rows.append(
        Row(
            "… briefings delivered / 429s / lost / sent twice",
            f"{run.sent} / {run.refused} / {run.lost} / {run.duplicates}",
            f"{run.subscribers} subscribers",
            f"{run.subscribers} / 0 / 0 / 0",
            run.sent == run.subscribers and run.refused == run.lost == run.duplicates == 0,
        )
    )
    idle_p50, loaded_p50 = _pct(run.idle, 0.5), _pct(run.loaded, 0.5)
    idle_max, loaded_max = max(run.idle, default=math.nan), max(run.loaded, default=math.nan)
    # One message of the sender's pace: Telegram's 30/s less the limiter's 5% margin.
    slot = 1 / (TELEGRAM_MESSAGES_PER_S * 0.95)
    report.rows.append(
        Row(
            f"/help answered meanwhile ({len(run.loaded)} chats, one every 0.5 s): p50 / max",
            f"{loaded_p50 * 1000:.0f} / {loaded_max * 1000:.0f} ms",
            f"idle: {idle_p50 * 1000:.0f} / {idle_max * 1000:.0f} ms",
            f"p50 ≤ {INTERACTIVE_RATIO:g}x idle; max ≤ idle max + {slot * 1000:.0f} ms",
            len(run.loaded) == 20
            and loaded_p50 <= INTERACTIVE_RATIO * idle_p50
            and loaded_max <= idle_max + slot,
        )
    )
    queue_max = max(run.loaded_queue, default=math.nan)
    idle_queue_max = max(run.idle_queue, default=math.nan)
    report.rows.append(
        Row(
            "… the same replies' wait in the outbound queue (queued until Telegram "
            "answered): p50 / max",
            f"{_pct(run.loaded_queue, 0.5) * 1000:.0f} / {queue_max * 1000:.0f} ms",
            f"idle: {_pct(run.idle_queue, 0.5) * 1000:.0f} / {idle_queue_max * 1000:.0f} ms",
            f"max ≤ idle max + one slot ({slot * 1000:.0f} ms)",
            queue_max <= idle_queue_max + slot,
        )
    )
    report.notes.append(
        f"Briefings: {run.agent_calls} answers fetched and cached (agents' answers and the "
        f"model's note) and {run.model_calls} model call(s) for {run.subscribers} briefings: "
        "one morning's briefings share them (BRIEFING_SHARE_S)."
    )


# Running it all -------------------------------------------------------------------------


async def _count(dsn: str, sql: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        value: int = await conn.fetchval(sql)
        return value
    finally:
        await conn.close()


def _errors(latencies: Latencies) -> str:
    return f"; {latencies.errors} errors" if latencies.errors else ""


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return "unknown CPU"


async def conditions(options: Options, state: Mesh, busy: float) -> list[str]:
    cpu = cpu_model()
    conn = await asyncpg.connect(state.database_url)
    try:
        pg = await conn.fetchval("SHOW server_version")
        durability = ", ".join(
            [
                f"{name}={await conn.fetchval(f'SHOW {name}')}"
                for name in ("fsync", "synchronous_commit", "max_connections")
            ]
        )
    finally:
        await conn.close()
    wrk = wrk_path() if options.generator != "asyncio" else None
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    load1, load5, _ = os.getloadavg()
    tracing = "on (local trace files)" if options.traces else "off (OTEL_TRACES_EXPORTER=none)"
    return [
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.system()} {platform.release()}; "
        f"{os.cpu_count()} cores ({cpu}); before the run the machine was {busy:.0%} busy, "
        f"load average {load1:.2f} (1 min), {load5:.2f} (5 min)",
        f"Python {platform.python_version()}; uvicorn "
        f"{importlib.metadata.version('uvicorn')} ({loop} loop, {http}), one worker process, "
        f"FastAPI {importlib.metadata.version('fastapi')}, asyncpg "
        f"{importlib.metadata.version('asyncpg')}; PostgreSQL {pg} on this machine ({durability})",
        f"load generator: {'wrk (Debian ' + wrk + ')' if wrk else 'asyncio (wrk not installed)'}"
        f" for throughput, asyncio open loop for latency; everything on 127.0.0.1",
        f"tracing {tracing}; gateway: TELEGRAM_MODE=webhook, LOG_LEVEL=INFO (JSON), "
        "DB_POOL_MAX_SIZE=40 and WORKER_CONCURRENCY=256 for the latency and answer "
        "scenarios; offline model and Telegram emulator as processes on the same two cores",
    ]


def render(report: Report) -> str:
    lines = [
        "| scenario | measured | reference | ratio / target | pass? |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in report.rows:
        verdict = "n/a" if row.passed is None else ("✅ yes" if row.passed else "❌ no")
        lines.append(
            f"| {row.scenario} | {row.measured} | {row.reference} | {row.target} | {verdict} |"
        )
    return "\n".join(lines)


def disturbed(report: Report, share: float = 0.1) -> list[str]:
    """Windows in which processes outside the benchmark used more than `share` of the
    machine."""
    return [
        window
        for window, used in report.cpu.items()
        if used.get("other", 0.0) > share * used.get("capacity", math.inf)
    ]


def render_details(report: Report) -> str:
    names = sorted({name for used in report.cpu.values() for name in used} - {"capacity"})
    lines = ["CPU seconds used per process:", ""]
    lines.append("| window | " + " | ".join(names) + " |")
    lines.append("| --- |" + " --- |" * len(names))
    for window, used in report.cpu.items():
        cells = " | ".join(f"{used.get(name, 0.0):.2f}" for name in names)
        lines.append(f"| {window} | {cells} |")
    noisy = disturbed(report)
    if noisy:
        report.notes.append(
            "⚠ Something else on the machine used CPU during: "
            + "; ".join(noisy)
            + " (column `other`): those rows are not trustworthy, run again when it is quiet."
        )
    lines += ["", "Notes:", ""] + [f"- {note}" for note in report.notes]
    lines += ["", "Conditions:", ""] + [f"- {line}" for line in report.conditions]
    return "\n".join(lines)


async def run(options: Options) -> Report:
    report = Report()
    busy = await machine_busy()
    async with mesh(options.logs, traces=options.traces) as state:
        report.conditions = await conditions(options, state, busy)
        if "throughput" in options.scenarios:
            await scenario_throughput(options, state, report)
        if not options.scenarios & {"latency", "answers", "briefing"}:
            return report
        router = await state.stack.enter_async_context(
            ModelRouter(state.processes["offline-model"].url, GATEWAY_MODEL_KEY)
        )
        settings = {
            "GATEWAY_ROLE": "all",
            "WORKER_CONCURRENCY": "256",
            "DB_POOL_MAX_SIZE": "40",
            "ANTHROPIC_BASE_URL": router.url,
        }
        gateway = await state.gateway("gateway", state.database_url, settings)
        postmaster = await postmaster_pid(state.database_url)
        runs: list[Answers] = []
        async with (
            EmulatorClient(state.processes["telegram-emulator"].url, timeout=30.0) as emulator,
            OfflineModelControl(state.processes["offline-model"].url) as model,
        ):
            meter = CpuMeter(state.pids(), postmaster)
            if "latency" in options.scenarios:
                await scenario_latency(options, state, gateway, emulator, model, meter, report)
                # As compose and Kubernetes run it: the webhook in a web replica, the turns
                # in a worker process beside it (on the same two cores here).
                state.stop("gateway")
                web = await state.gateway(
                    "gateway-web", state.database_url, {**settings, "GATEWAY_ROLE": "web"}
                )
                await state.gateway(
                    "gateway-worker", state.database_url, {**settings, "GATEWAY_ROLE": "worker"}
                )
                await scenario_latency(
                    options,
                    state,
                    web,
                    emulator,
                    model,
                    CpuMeter(state.pids(), postmaster),
                    report,
                    label="web and worker processes apart",
                    first_chat=2_050_001,
                )
                state.stop("gateway-web")
                state.stop("gateway-worker")
                gateway = await state.gateway("gateway", state.database_url, settings)
                meter = CpuMeter(state.pids(), postmaster)
            if "answers" in options.scenarios:
                label = "Telegram flood limits as configured (default)"
                await emulator.set_flood_limits(FloodLimits(enabled=True))
                runs.append(
                    await scenario_answers(
                        options,
                        state,
                        gateway,
                        emulator,
                        model,
                        meter,
                        report,
                        label=label,
                        first_chat=2_100_001,
                    )
                )
                # The same with paid broadcasts (up to 1000 messages a second), which leaves
                # the gateway's own overhead; the emulator allows them too.
                await emulator.set_flood_limits(FloodLimits(enabled=True, global_per_second=1000))
                state.stop("gateway")
                gateway = await state.gateway(
                    "gateway", state.database_url, {**settings, "TELEGRAM_PAID_BROADCAST": "true"}
                )
                meter = CpuMeter(state.pids(), postmaster)
                runs.append(
                    await scenario_answers(
                        options,
                        state,
                        gateway,
                        emulator,
                        model,
                        meter,
                        report,
                        label="TELEGRAM_PAID_BROADCAST=true",
                        first_chat=2_200_001,
                    )
                )
                await emulator.set_flood_limits(FloodLimits(enabled=False))
                report_answers(options, runs, report)
            if "briefing" in options.scenarios:
                # One replica, briefings and questions alike: the gateway of the other
                # scenarios would take half the jobs.
                state.stop("gateway")
                await scenario_briefing(options, state, emulator, model, router.url, report)
    return report


def parse_args(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.gateway", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="each measured run")
    parser.add_argument("--connections", type=int, default=TELEGRAM_CONNECTIONS)
    parser.add_argument(
        "--rounds", type=int, default=3, help="throughput: alternating runs of each endpoint"
    )
    parser.add_argument("--rate", type=float, default=100.0, help="updates/s, latency runs")
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--model-delay", type=float, default=1.0, dest="model_delay_s")
    parser.add_argument("--generator", choices=("auto", "wrk", "asyncio"), default="auto")
    parser.add_argument(
        "--only",
        action="append",
        choices=SCENARIOS,
        help="run only this scenario (repeatable); the default runs all three",
    )
    parser.add_argument(
        "--traces",
        action="store_true",
        help="leave tracing on (spans to .data/traces/); off by default",
    )
    parser.add_argument("--logs", type=Path, default=ROOT / ".data" / "bench" / "logs")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    return Options(
        seconds=args.seconds,
        connections=args.connections,
        rounds=args.rounds,
        rate=args.rate,
        chats=args.chats,
        subscribers=args.subscribers,
        model_delay_s=args.model_delay_s,
        generator=args.generator,
        scenarios=frozenset(args.only or SCENARIOS),
        traces=args.traces,
        logs=args.logs,
        output=args.output,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_args(sys.argv[1:] if argv is None else argv)
    report = asyncio.run(run(options))
    table = render(report)
    details = render_details(report)
    print()
    print(table)
    print()
    print(details)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(
        "# Gateway benchmark: latest run\n\n" + table + "\n\n" + details + "\n"
    )
    return 0 if all(row.passed is not False for row in report.rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
