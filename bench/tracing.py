"""What tracing costs: one agent operation's throughput with tracing on against off, in the
same run.

Three sales-agent processes share one database: one exports every span over OTLP/HTTP to a
receiver process (the production path: batch processor, JSON encoding, scrubber, HTTP), one
has tracing off, and one is instrumented but samples nothing (`always_off`), which shows
what the instrumentation costs before a span is recorded. Each operation is driven at each
of them in turn, alternating for several rounds so drift on the machine falls on all, by a
closed-loop load of keep-alive connections. The table reports the median of the rounds:
throughput, and the service process's own CPU time per request (from /proc), which the load
generator, the model and the receiver sharing the machine disturb much less.

    uv run python -m bench.tracing [--seconds 3] [--rounds 6] [--connections 8]

Operations: `GET /sales/summary` (server span, auth, two SQL statements) and `POST /ask`
(the agent loop against the offline model: `invoke_agent`, two `chat` spans with their HTTP
attempts, an `execute_tool`, SQL). Target: under 10% overhead.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx

from meshdev.procs import ServiceProcess, start_service, wait_ready
from meshdev.testing import with_database
from meshkit.auth import TokenMinter

SECRET = "bench-tracing-secret-" + "0" * 24
MODEL_KEY = "offline-bench-tracing"
DEMO_END_DAY = date(2026, 11, 22)
DATABASE = "bench_tracing"


@dataclass(frozen=True, slots=True)
class Operation:
    label: str
    method: str
    path: str
    body: dict[str, object] | None = None


OPERATIONS = (
    Operation(
        "GET /sales/summary",
        "GET",
        f"/sales/summary?start={DEMO_END_DAY - timedelta(days=6)}&end={DEMO_END_DAY}",
    ),
    Operation("POST /ask (agent loop)", "POST", "/ask", {"question": "How were sales last week?"}),
)


@dataclass
class Result:
    operation: Operation
    #: Requests per second, one per round.
    off: list[float] = field(default_factory=list)
    on: list[float] = field(default_factory=list)
    unsampled: list[float] = field(default_factory=list)
    #: The service's CPU microseconds per request, one per round.
    off_cpu: list[float] = field(default_factory=list)
    on_cpu: list[float] = field(default_factory=list)
    unsampled_cpu: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def ratio(self) -> float:
        return statistics.median(self.on) / statistics.median(self.off)

    @property
    def cpu_ratio(self) -> float:
        return statistics.median(self.on_cpu) / statistics.median(self.off_cpu)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def admin_dsn() -> str:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    from meshdev.localpg import server_dsn

    return await asyncio.to_thread(server_dsn, "postgres", "pg-bench")


async def fresh_database(admin: str) -> str:
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await conn.close()
    return with_database(admin, DATABASE)


async def drop_database(admin: str) -> None:
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    finally:
        await conn.close()


async def drive(
    url: str, operation: Operation, token: str, *, seconds: float, connections: int
) -> tuple[float, int, int]:
    """Requests per second that answered 2xx, how many did, and how many did not."""
    done = 0
    failed = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=30
    ) as client:

        async def worker() -> None:
            nonlocal done, failed
            while time.monotonic() < deadline:
                response = await client.request(
                    operation.method, operation.path, json=operation.body
                )
                if response.is_success:
                    done += 1
                else:
                    failed += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.monotonic() - started
    return done / elapsed, done, failed


async def received(receiver: ServiceProcess) -> dict[str, int]:
    async with httpx.AsyncClient(base_url=receiver.url) as client:
        counts: dict[str, int] = (await client.get("/v1/traces/count")).json()
        return counts


async def run(seconds: float, rounds: int, connections: int, echo: Callable[[str], None]) -> None:
    admin = await admin_dsn()
    database_url = await fresh_database(admin)
    processes: list[ServiceProcess] = []
    try:
        model = start_service(
            "offline-model",
            "meshdev.offline_model.server:create_app",
            env={"OFFLINE_MODEL_STREAM_DELAY_MS": "0", "LOG_LEVEL": "WARNING"},
        )
        receiver = start_service("otlp-receiver", "meshdev.traces.receiver:create_app", env={})
        processes += [model, receiver]
        await asyncio.gather(wait_ready(model), wait_ready(receiver))
        base = {
            "DATABASE_URL": database_url,
            "MESH_SERVICE_SECRET": SECRET,
            "MESH_ENV": "test",
            "SEED_END_DATE": DEMO_END_DAY.isoformat(),
            "MESH_TODAY": (DEMO_END_DAY + timedelta(days=1)).isoformat(),
            "ANTHROPIC_BASE_URL": model.url,
            "ANTHROPIC_API_KEY": MODEL_KEY,
            "LOG_LEVEL": "WARNING",
            "ALLOWED_CALLERS": "bench",
        }
        traced = {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url}
        modes: list[ServiceProcess] = []
        for tracing_env in (
            {"OTEL_TRACES_EXPORTER": "none"},
            traced,
            {**traced, "OTEL_TRACES_SAMPLER": "always_off"},
        ):
            # One after another: each migrates (a no-op after the first) and seeds on start.
            agent = start_service(
                "sales-agent", "sales_agent.main:create_app", env={**base, **tracing_env}
            )
            processes.append(agent)
            await wait_ready(agent, within_s=120)
            modes.append(agent)
        off, on, unsampled = modes
        token = TokenMinter(SECRET, "bench", 3600).mint("sales-agent")
        results = [Result(operation) for operation in OPERATIONS]
        for result in results:
            # Warm both (connection pools, caches, the first model call) before measuring.
            for target in (off, on, unsampled):
                await drive(target.url, result.operation, token, seconds=1, connections=connections)
            for index in range(rounds):
                order = (
                    (off, result.off, result.off_cpu),
                    (on, result.on, result.on_cpu),
                    (unsampled, result.unsampled, result.unsampled_cpu),
                )
                for target, rates, cpus in order if index % 2 == 0 else reversed(order):
                    before = cpu_seconds(target.pid)
                    rate, done, failed = await drive(
                        target.url,
                        result.operation,
                        token,
                        seconds=seconds,
                        connections=connections,
                    )
                    rates.append(rate)
                    cpus.append((cpu_seconds(target.pid) - before) / max(1, done) * 1e6)
                    result.errors += failed
        await asyncio.sleep(6)  # the batch processor's export delay: let the last batch land
        export = await received(receiver)
        echo(
            f"Tracing overhead, sales-agent ({os.cpu_count()} cores): {connections} connections, "
            f"{rounds} alternating rounds of {seconds:g} s per mode, median of the rounds"
        )
        echo("")
        echo(
            f"{'operation':<24} {'off r/s':>8} {'on r/s':>8} {'on/off':>7}  "
            f"{'off CPU/req':>11} {'on CPU/req':>11} {'CPU cost':>9} {'errors':>7}"
        )
        for result in results:
            off_rate, on_rate = statistics.median(result.off), statistics.median(result.on)
            off_cpu, on_cpu = statistics.median(result.off_cpu), statistics.median(result.on_cpu)
            echo(
                f"{result.operation.label:<24} {off_rate:>8.0f} {on_rate:>8.0f} "
                f"{result.ratio:>7.3f}  {off_cpu:>9.0f}µs {on_cpu:>9.0f}µs "
                f"{100 * (result.cpu_ratio - 1):>+8.1f}% {result.errors:>7}"
            )
        echo("")
        echo("instrumented, sampling nothing (OTEL_TRACES_SAMPLER=always_off):")
        for result in results:
            rate = statistics.median(result.unsampled)
            cpu = statistics.median(result.unsampled_cpu)
            off_cpu = statistics.median(result.off_cpu)
            echo(
                f"  {result.operation.label:<24} {rate:>6.0f} r/s "
                f"({rate / statistics.median(result.off):.3f} of off), {cpu:.0f}µs CPU/req "
                f"({100 * (cpu / off_cpu - 1):+.1f}%)"
            )
        echo("")
        echo(
            f"exported by the traced process over OTLP: {export['requests']:,} requests, "
            f"{export['bytes'] / 1e6:,.1f} MB"
        )
        for result in results:
            echo(
                f"  {result.operation.label}: r/s off {', '.join(f'{r:.0f}' for r in result.off)}"
                f"; on {', '.join(f'{r:.0f}' for r in result.on)}"
            )
    finally:
        for process in reversed(processes):
            await asyncio.to_thread(process.stop)
        await drop_database(admin)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.tracing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per round and mode")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(run(args.seconds, args.rounds, args.connections, print))


if __name__ == "__main__":
    main()
