"""The gateway benchmark: webhook throughput and latency, and 200 chats answered at once.

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
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bench import updates
from bench.load import (
    BodyFactory,
    ConnectionPool,
    Latencies,
    Throughput,
    closed_loop_asyncio,
    closed_loop_wrk,
    open_loop,
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
from meshdev.telegram_emulator.models import UserSpec

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

SCENARIOS = ("throughput", "latency", "answers")

# Targets from the issue.
THROUGHPUT_RATIO = 0.5
P99_LIMIT_S = 0.015
LOADED_P99_RATIO = 1.5
ANSWER_ALL_LIMIT_S = 4.0


@dataclass(frozen=True, slots=True)
class Options:
    seconds: float
    connections: int
    rate: float
    chats: int
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
    """Closed loop: a warm-up, then the measured run, each with fresh update ids."""
    wrk = wrk_path() if options.generator in ("auto", "wrk") else None
    if options.generator == "wrk" and wrk is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    result: Throughput | None = None
    for seconds in (warm_s, options.seconds):
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
        try:
            meter.start()
            reference = await throughput(options, bare, "/ok")
            report.cpu["throughput, bare endpoint (with warm-up)"] = meter.stop()
            meter.start()
            measured = await throughput(options, gateway, WEBHOOK)
            report.cpu["throughput, webhook (with warm-up)"] = meter.stop()
        finally:
            # Stopped first: uvicorn finishes the requests wrk left in flight.
            state.stop("gateway-web")
        stored = await _count(web_db, "SELECT count(*) FROM gateway.telegram_updates")
        queued = await _count(web_db, "SELECT count(*) FROM gateway.jobs")
    ratio = measured.per_second / reference.per_second if reference.per_second else math.nan
    # Warm-up and measured run together: every acknowledged update must be in the table.
    durable = stored >= measured.ok and queued == stored
    report.rows.append(
        Row(
            f"Webhook acknowledgement throughput ({measured.tool}, {measured.connections} "
            f"connections, {options.seconds:g} s, closed loop)",
            f"{measured.per_second:,.0f} req/s; {measured.errors} errors; "
            f"{stored:,} updates + {queued:,} jobs stored",
            f"bare `POST /ok`: {reference.per_second:,.0f} req/s",
            f"{ratio:.2f}x / ≥ {THROUGHPUT_RATIO}x",
            ratio >= THROUGHPUT_RATIO and measured.errors == 0 and durable,
        )
    )
    report.notes.append(
        f"Throughput: gateway {measured.ok:,} acknowledged in {measured.seconds:.1f} s "
        f"({measured.errors} errors), bare {reference.ok:,} in {reference.seconds:.1f} s "
        f"({reference.errors} errors); stored {stored:,} updates and {queued:,} jobs "
        "(warm-up included)."
    )


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
        result = await open_loop(
            target.url, path, body, headers, rate=options.rate, seconds=seconds
        )
    assert result is not None
    return result


async def make_chats(emulator: EmulatorClient, chat_ids: Iterable[int]) -> None:
    for chat_id in chat_ids:
        await emulator.private_chat(UserSpec(id=chat_id, first_name="Marta"))


async def deliver(gateway: ServiceProcess, chat_ids: list[int]) -> float:
    """POST one question per chat, as Telegram would (at most 40 at a time); returns the
    wall-clock time the last one was acknowledged."""
    first = next_id_block()
    host, _, port = gateway.url.removeprefix("http://").partition(":")
    requests = [
        post_request(
            host,
            int(port),
            WEBHOOK,
            updates.encode(updates.private_message(first + number, chat_id)),
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
) -> None:
    bare = state.processes["bare"]
    reference = await probe(options, bare, "/ok")
    meter.start()
    idle = await probe(options, gateway, WEBHOOK)
    report.cpu[f"{options.rate:g} updates/s for {options.seconds:g} s, idle"] = meter.stop()

    # 200 turns that each wait on the model for longer than the whole measurement.
    chat_ids = list(range(2_000_001, 2_000_001 + options.chats))
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
    report.cpu[f"{options.rate:g} updates/s for {options.seconds:g} s, 200 turns in flight"] = (
        meter.stop()
    )
    for name, run in (("bare", reference), ("idle", idle), ("in-flight", loaded)):
        run.write_csv(options.logs / f"latency-{name}.csv")
    finished_early = await _count(state.database_url, "SELECT count(*) FROM gateway.turns")
    await wait_for_answers(emulator, chat_ids, timeout_s=60)
    answered = await answered_at(emulator, chat_ids)

    report.rows.append(
        Row(
            f"Webhook latency at {options.rate:g} updates/s for {options.seconds:g} s, idle "
            "(open loop; p50 / p99 / max)",
            fmt_ms(idle) + _errors(idle),
            f"bare `POST /ok`: {fmt_ms(reference)}",
            f"p99 < {P99_LIMIT_S * 1000:g} ms",
            idle.p99 < P99_LIMIT_S and idle.errors == 0,
        )
    )
    ratio = loaded.p99 / idle.p99 if idle.p99 else math.nan
    report.rows.append(
        Row(
            f"… same, while {len(chat_ids)} agent turns are in flight",
            fmt_ms(loaded) + _errors(loaded),
            f"idle p99 {idle.p99 * 1000:.1f} ms",
            f"{ratio:.2f}x / ≤ {LOADED_P99_RATIO}x and p99 < {P99_LIMIT_S * 1000:g} ms",
            loaded.p99 < P99_LIMIT_S and ratio <= LOADED_P99_RATIO and loaded.errors == 0,
        )
    )
    report.notes.append(
        f"Latency: {idle.sent} / {loaded.sent} requests sent (idle / loaded), the generator "
        f"at most {max(idle.max_send_lag, loaded.max_send_lag) * 1000:.1f} ms behind "
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
    meter.start()
    delivered = await deliver(gateway, chat_ids)
    await wait_for_answers(emulator, chat_ids, timeout_s=120)
    report.cpu[f"{len(chat_ids)} chats answered, {label}"] = meter.stop()
    answered = await answered_at(emulator, chat_ids)
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
        floor = (
            f"; {chats} messages at Telegram's {TELEGRAM_MESSAGES_PER_S} msg/s take "
            f"{send_s:.1f} s more"
        )
        report.rows.append(
            Row(
                f"{chats} chats answered, each turn 2 model calls of {delay:g} s (tool use, "
                f"then text), from the last update acknowledged; {run.label}",
                f"{run.elapsed_s:.2f} s (first answer after {run.first_s:.2f} s)",
                f"ideal {ideal:g} s" + (floor if "flood" in run.label else ""),
                f"{run.elapsed_s / ideal:.2f}x ideal / < {ANSWER_ALL_LIMIT_S:g} s",
                run.elapsed_s < ANSWER_ALL_LIMIT_S and everyone,
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
        if not options.scenarios & {"latency", "answers"}:
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
            if "answers" not in options.scenarios:
                return report
            label = "Telegram flood limits as configured (default)"
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
            # the gateway's own overhead.
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
        report_answers(options, runs, report)
    return report


def parse_args(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.gateway", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="each measured run")
    parser.add_argument("--connections", type=int, default=TELEGRAM_CONNECTIONS)
    parser.add_argument("--rate", type=float, default=100.0, help="updates/s, latency runs")
    parser.add_argument("--chats", type=int, default=200)
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
        rate=args.rate,
        chats=args.chats,
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
