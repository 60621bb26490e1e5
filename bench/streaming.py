"""First-token latency of the web chat: from the model emitting its first text delta to the
web client receiving the first `text` event from `POST /agent/stream`.

    uv run python -m bench.streaming              # about 30 s
    uv run python -m bench.streaming --runs 100

The offline model records when it hands each stream's first delta to its connection
(`first_delta_at` in its recorded requests); the client notes the wall-clock time the first
`text` event arrives. Both run on this machine, on one clock. The reference, in the same
run and interleaved with it, is a client reading the offline model's own SSE stream
directly: what any client pays for the model's first delta to cross a socket. The gateway's
share is the difference. Target: p95 of emit → web client ≤ 20 ms. Exit status 1 when missed.

What it starts: PostgreSQL (`DATABASE_URL`, a role that may create databases, or an
embedded server in `.data/pg-bench`) with a fresh database, the offline model and the
gateway (`TELEGRAM_MODE=off`, one web chat user, tracing off), each a uvicorn process on
127.0.0.1, stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx

from meshdev.localenv import data_dir
from meshdev.offline_model.control import OfflineModelControl
from meshdev.offline_model.scripted import ScriptedResponse, ScriptedText
from meshdev.procs import ServiceProcess, start_service, wait_ready
from meshdev.testing import DEMO_END_DAY, TEST_SECRET, with_database

TOKEN = "bench-streaming-token-0123456789"
GATEWAY_KEY = "offline-bench-streaming-gateway"
DIRECT_KEY = "offline-bench-streaming-direct"
TARGET_P95_MS = 20.0
ANSWER = (
    "Revenue last week was €216,861 across six locations, 3.1% above the week before; "
    "Harbour Front led with a fifth of it."
)
#: The model "thinks" this long before its first delta, as a real one does.
THINK_S = 0.05
#: And writes its deltas this far apart.
DELTA_S = 0.02


@dataclass
class Sample:
    #: Model emitted its first delta → client received it, in ms.
    emit_to_client_ms: float
    #: Request sent → first text received, in ms.
    request_to_first_ms: float


async def _admin_dsn() -> str:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    from meshdev.localpg import server_dsn

    return await asyncio.to_thread(server_dsn, "postgres", "pg-bench")


@asynccontextmanager
async def _database() -> AsyncIterator[str]:
    admin = await _admin_dsn()
    name = f"bench_streaming_{os.getpid()}"
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield with_database(admin, name)
    finally:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@asynccontextmanager
async def _services(logs: Path) -> AsyncIterator[tuple[ServiceProcess, ServiceProcess]]:
    today = DEMO_END_DAY + timedelta(days=1)
    processes: list[ServiceProcess] = []
    async with _database() as database_url:
        try:
            model = start_service(
                "offline-model",
                "meshdev.offline_model.server:create_app",
                env={"OFFLINE_MODEL_TODAY": today.isoformat(), "LOG_LEVEL": "WARNING"},
                log_path=logs / "offline-model.log",
            )
            processes.append(model)
            await wait_ready(model)
            gateway = start_service(
                "gateway",
                "gateway.main:create_app",
                env={
                    "DATABASE_URL": database_url,
                    "MESH_SERVICE_SECRET": TEST_SECRET,
                    "MESH_ENV": "test",
                    "MESH_TODAY": today.isoformat(),
                    "ANTHROPIC_BASE_URL": model.url,
                    "ANTHROPIC_API_KEY": GATEWAY_KEY,
                    "TELEGRAM_MODE": "off",
                    "WEB_CHAT_TOKENS": f"bench:{TOKEN}",
                    "OTEL_TRACES_EXPORTER": "none",
                    "LOG_LEVEL": "WARNING",
                },
                log_path=logs / "gateway.log",
            )
            processes.append(gateway)
            await wait_ready(gateway)
            yield model, gateway
        finally:
            for process in processes:
                process.stop()


def _step() -> ScriptedResponse:
    return ScriptedResponse(
        content=[ScriptedText(text=ANSWER)], delay_s=THINK_S, stream_delay_s=DELTA_S
    )


async def _emitted_at(control: OfflineModelControl, key: str) -> float:
    """When the model handed the key's latest stream's first delta to its connection."""
    recorded = (await control.requests(key))[-1].stream
    assert recorded is not None
    assert recorded.first_delta_at is not None
    return recorded.first_delta_at.timestamp()


async def _through_gateway(
    http: httpx.AsyncClient, gateway: str, control: OfflineModelControl
) -> Sample:
    await control.script(GATEWAY_KEY, [_step()])
    received: float | None = None
    started = time.time()
    async with http.stream(
        "POST",
        f"{gateway}/agent/stream",
        json={"question": "How were sales last week?"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if received is None and line == "event: text":
                received = time.time()
            elif line.startswith("event: error"):
                raise RuntimeError("the gateway answered with an error event")
    assert received is not None, "no text event"
    emitted = await _emitted_at(control, GATEWAY_KEY)
    return Sample((received - emitted) * 1000, (received - started) * 1000)


async def _direct(http: httpx.AsyncClient, model: str, control: OfflineModelControl) -> Sample:
    await control.script(DIRECT_KEY, [_step()])
    received: float | None = None
    body = {
        "model": "claude-sonnet-5-5",
        "max_tokens": 256,
        "stream": True,
        "messages": [{"role": "user", "content": "How were sales last week?"}],
    }
    started = time.time()
    async with http.stream(
        "POST",
        f"{model}/v1/messages",
        json=body,
        headers={"x-api-key": DIRECT_KEY, "anthropic-version": "2023-06-01"},
    ) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if received is None and line.startswith("data: ") and '"text_delta"' in line:
                received = time.time()
    assert received is not None, "no text delta"
    emitted = await _emitted_at(control, DIRECT_KEY)
    return Sample((received - emitted) * 1000, (received - started) * 1000)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(0, math.ceil(p / 100 * len(ordered)) - 1)
    return ordered[rank]


def _row(label: str, values: list[float]) -> str:
    return (
        f"| {label} | {len(values)} | {_percentile(values, 50):.1f} | "
        f"{_percentile(values, 95):.1f} | {max(values):.1f} |"
    )


async def run(runs: int, warmup: int) -> bool:
    logs = data_dir() / "bench" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    async with (
        _services(logs) as (model, gateway),
        OfflineModelControl(model.url) as control,
        httpx.AsyncClient(timeout=30, trust_env=False) as http,
    ):
        direct: list[Sample] = []
        through: list[Sample] = []
        for index in range(warmup + runs):
            first = await _direct(http, model.url, control)
            second = await _through_gateway(http, gateway.url, control)
            if index >= warmup:
                direct.append(first)
                through.append(second)
    lines = [
        f"First-token latency, {runs} runs each (after {warmup} warm-up), interleaved; "
        f"model thinks {THINK_S * 1000:.0f} ms, then a delta every {DELTA_S * 1000:.0f} ms.",
        "",
        "| path | n | p50 ms | p95 ms | max ms |",
        "| --- | --- | --- | --- | --- |",
        _row(
            "model emits first delta → direct SSE client (reference)",
            [s.emit_to_client_ms for s in direct],
        ),
        _row(
            "model emits first delta → gateway → web client `text` event",
            [s.emit_to_client_ms for s in through],
        ),
        _row("request → first delta, direct (reference)", [s.request_to_first_ms for s in direct]),
        _row(
            "request → first `text` event, through the gateway",
            [s.request_to_first_ms for s in through],
        ),
    ]
    p95 = _percentile([s.emit_to_client_ms for s in through], 95)
    met = p95 <= TARGET_P95_MS
    lines += [
        "",
        f"Target: emit → web client p95 ≤ {TARGET_P95_MS:.0f} ms: "
        f"{'met' if met else 'MISSED'} ({p95:.1f} ms). The request → first rows include the "
        "model's think time and, through the gateway, loading the conversation and the "
        "gateway's own model request.",
    ]
    print("\n".join(lines))
    return met


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args(argv)
    started = time.monotonic()
    met = asyncio.run(run(args.runs, args.warmup))
    print(f"\n({time.monotonic() - started:.0f} s)")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
