"""The mesh as it runs: real uvicorn processes on 127.0.0.1 talking over HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from meshdev.localenv import data_dir
from meshdev.offline_model.control import OfflineModelControl
from meshdev.offline_model.scripted import ScriptedResponse, ScriptedText, ScriptedToolUse
from meshdev.procs import ServiceProcess, start_service, wait_ready
from meshdev.pytest_plugin import OfflineModel
from meshdev.testing import DEMO_END_DAY, NO_MODEL, TEST_SECRET, TestDatabases, mint

pytestmark = pytest.mark.processes

END_DAY = DEMO_END_DAY


def _env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "MESH_SERVICE_SECRET": TEST_SECRET,
        "MESH_ENV": "test",
        "SEED_END_DATE": END_DAY.isoformat(),
        "MESH_TODAY": (END_DAY + timedelta(days=1)).isoformat(),
        "LOG_FORMAT": "json",
        "ANTHROPIC_BASE_URL": NO_MODEL,
        "VERIFY_MODEL_AT_BOOT": "false",
        **extra,
    }


@pytest.fixture
async def database_url(test_databases: TestDatabases) -> AsyncIterator[str]:
    url = await test_databases.empty()
    yield url
    await test_databases.drop(url)


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def started() -> Iterator[list[ServiceProcess]]:
    processes: list[ServiceProcess] = []
    yield processes
    for process in processes:
        process.stop()


def _assert_graceful_stop(process: ServiceProcess) -> None:
    # uvicorn drains, runs the lifespan's shutdown, then re-raises SIGTERM.
    assert process.stop() in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in process.log_tail(), process.log_tail()


def _auth(caller: str, audience: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(caller, audience)}"}


async def test_review_agent_relates_ratings_to_sales_over_http(
    database_url: str, logs: Path, started: list[ServiceProcess]
) -> None:
    sales = start_service(
        "sales-agent",
        "sales_agent.main:create_app",
        env=_env(database_url),
        log_path=logs / "sales.log",
    )
    started.append(sales)
    review = start_service(
        "review-agent",
        "review_agent.main:create_app",
        env=_env(database_url, SALES_AGENT_URL=sales.url),
        log_path=logs / "review.log",
    )
    started.append(review)
    await asyncio.gather(wait_ready(sales), wait_ready(review))

    start, end = END_DAY - timedelta(days=83), END_DAY
    params = {"start": start.isoformat(), "end": end.isoformat()}
    async with httpx.AsyncClient(timeout=10) as http:
        linked = await http.get(
            f"{review.url}/locations/riverside/rating-vs-sales",
            params=params,
            headers=_auth("gateway", "review-agent"),
        )
        assert linked.status_code == 200, linked.text
        direct = await http.get(
            f"{sales.url}/sales/daily",
            params={**params, "location_id": "riverside"},
            headers=_auth("gateway", "sales-agent"),
        )
    assert direct.status_code == 200
    covers_by_day = {p["day"]: p["covers"] for p in direct.json()["points"]}
    weeks = linked.json()["weeks"]
    assert weeks, "no weekly buckets"
    assert sum(w["covers"] for w in weeks) == sum(covers_by_day.values())

    # sales-agent goes away: review-agent answers with a problem, not a crash.
    sales.stop()
    async with httpx.AsyncClient(timeout=15) as http:
        degraded = await http.get(
            f"{review.url}/locations/riverside/rating-vs-sales",
            params=params,
            headers=_auth("gateway", "review-agent"),
        )
    assert degraded.status_code == 502
    assert degraded.headers["content-type"] == "application/problem+json"
    _assert_graceful_stop(review)


async def test_review_agents_ask_crosses_to_sales_agent_over_http(
    database_url: str,
    logs: Path,
    started: list[ServiceProcess],
    offline_model: OfflineModel,
    model_key: str,
    model_control: OfflineModelControl,
) -> None:
    model = {"ANTHROPIC_BASE_URL": offline_model.url, "ANTHROPIC_API_KEY": model_key}
    sales = start_service(
        "sales-agent",
        "sales_agent.main:create_app",
        env=_env(database_url, **model),
        log_path=logs / "sales.log",
    )
    started.append(sales)
    review = start_service(
        "review-agent",
        "review_agent.main:create_app",
        env=_env(database_url, SALES_AGENT_URL=sales.url, **model),
        log_path=logs / "review.log",
    )
    started.append(review)
    await asyncio.gather(wait_ready(sales), wait_ready(review))
    start = (END_DAY - timedelta(days=83)).isoformat()
    await model_control.script(
        model_key,
        [
            ScriptedResponse(
                content=[
                    ScriptedToolUse(
                        id="toolu_1",
                        name="get_rating_vs_sales",
                        input={
                            "location_id": "riverside",
                            "start": start,
                            "end": END_DAY.isoformat(),
                        },
                    )
                ],
                stop_reason="tool_use",
            ),
            ScriptedResponse(
                content=[ScriptedText(text="Ratings fell with covers.")], stop_reason="end_turn"
            ),
        ],
    )
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            f"{review.url}/ask",
            json={"question": "Did Riverside's ratings move with its sales this quarter?"},
            headers=_auth("gateway", "review-agent"),
        )
        direct = await http.get(
            f"{sales.url}/sales/daily",
            params={"start": start, "end": END_DAY.isoformat(), "location_id": "riverside"},
            headers=_auth("gateway", "sales-agent"),
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["answer"] == "Ratings fell with covers."
    assert [(c["name"], c["is_error"]) for c in body["tool_calls"]] == [
        ("get_rating_vs_sales", False)
    ]
    # What the model was shown came from sales-agent, over HTTP, with review-agent's token.
    shown = json.loads(
        (await model_control.requests(model_key))[1].body["messages"][2]["content"][0]["content"]
    )
    covers = sum(point["covers"] for point in direct.json()["points"])
    assert sum(week["covers"] for week in shown["weeks"]) == covers


async def test_agents_refuse_bad_tokens_over_http(
    database_url: str, logs: Path, started: list[ServiceProcess]
) -> None:
    sales = start_service(
        "sales-agent",
        "sales_agent.main:create_app",
        env=_env(database_url),
        log_path=logs / "sales.log",
    )
    started.append(sales)
    await wait_ready(sales)
    url = f"{sales.url}/locations"
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.get(url)).status_code == 401
        assert (await http.get(url, headers=_auth("stranger", "sales-agent"))).status_code == 401
        assert (await http.get(url, headers=_auth("gateway", "review-agent"))).status_code == 403
        assert (await http.get(url, headers=_auth("gateway", "sales-agent"))).status_code == 200
        assert (await http.get(f"{sales.url}/healthz")).status_code == 200


async def test_replicas_starting_together_migrate_and_seed_once(
    database_url: str, logs: Path, started: list[ServiceProcess]
) -> None:
    for index in range(3):
        started.append(
            start_service(
                f"sales-agent-{index}",
                "sales_agent.main:create_app",
                env=_env(database_url),
                log_path=logs / f"sales-{index}.log",
            )
        )
    await asyncio.gather(*(wait_ready(p) for p in started))
    conn = await asyncpg.connect(database_url)
    try:
        versions = await conn.fetch("SELECT version FROM sales_agent.schema_migrations")
        seeds = await conn.fetchval("SELECT count(*) FROM sales_agent.seed_state")
        rows = await conn.fetchval("SELECT count(*) FROM sales_agent.daily_sales")
    finally:
        await conn.close()
    assert sorted(r["version"] for r in versions) == list(range(1, len(versions) + 1))
    assert seeds == 1
    assert rows == 182 * 6
    for process in started:
        _assert_graceful_stop(process)


def _free_base_port() -> int:
    for base in range(21000, 40000, 10):
        sockets = []
        try:
            for offset in range(1, 4):
                sock = socket.socket()
                sock.bind(("127.0.0.1", base + offset))
                sockets.append(sock)
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no free ports")


def test_mesh_run_brings_every_agent_up_with_seeded_data() -> None:
    """What `make run` does, end to end, in its own data directory."""
    home = data_dir() / "test-mesh-run"
    env = {**os.environ, "MESH_DATA_DIR": str(home)}
    env.pop("DATABASE_URL", None)
    env.pop("XDG_RUNTIME_DIR", None)
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "mesh"),
            "run",
            "--check",
            "--base-port",
            str(_free_base_port()),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The mesh is up" in result.stdout
    for name in ("sales-agent", "review-agent", "leadgen-agent"):
        assert name in result.stdout
    assert "covers at 6 locations" in result.stdout
