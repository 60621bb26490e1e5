"""pytest plugin: one real PostgreSQL per test session, shared by every service's tests, and
the bundled offline model as a real server process.

`DATABASE_URL` (pointing at a role that may create databases) selects an existing server;
otherwise an embedded one runs from `.data/pg-test`, apart from the one `make run` uses.

The offline model runs once per session; tests keep apart by API key (`model_key`), which
scopes scripts, recorded requests and the prompt cache.

Processes started from tests inherit `OTEL_TRACES_EXPORTER=none` unless they set it: no
service exports spans unless its test asks for it. Its "today" is
`OFFLINE_MODEL_TODAY` when set, else the date the session started.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import pytest

from meshdev.offline_model.control import OfflineModelControl
from meshdev.procs import ServiceProcess, start_service, wait_ready
from meshdev.testing import TestDatabases


def pytest_configure() -> None:
    # Tracing is global to a process: apps built in the test process must not install it
    # (a local-environment app would start writing trace files). Tests that want spans build
    # a provider of their own, or start processes with their own OTEL_* settings.
    os.environ.setdefault("OTEL_TRACES_EXPORTER", "none")


@pytest.fixture(scope="session")
def pg_admin_dsn() -> str:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    from meshdev.localpg import server_dsn

    return server_dsn("postgres", name="pg-test")


@pytest.fixture(scope="session")
async def test_databases(pg_admin_dsn: str) -> AsyncIterator[TestDatabases]:
    databases = TestDatabases(pg_admin_dsn)
    try:
        yield databases
    finally:
        await databases.drop_all()


@dataclass(frozen=True, slots=True)
class OfflineModel:
    """The session's offline model server."""

    url: str
    #: The date demo mode calls "today" for keys that do not pin their own.
    today: date
    process: ServiceProcess


@pytest.fixture(scope="session")
async def offline_model(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[OfflineModel]:
    configured = os.environ.get("OFFLINE_MODEL_TODAY")
    today = date.fromisoformat(configured) if configured else date.today()
    service = start_service(
        "offline-model",
        "meshdev.offline_model.server:create_app",
        env={
            # Pinned for the whole session, so a run that crosses midnight stays coherent.
            "OFFLINE_MODEL_TODAY": today.isoformat(),
            "OFFLINE_MODEL_STREAM_DELAY_MS": "0",
            "LOG_LEVEL": "WARNING",
        },
        log_path=tmp_path_factory.mktemp("offline-model") / "server.log",
    )
    try:
        await wait_ready(service, within_s=30)
        yield OfflineModel(service.url, today, service)
    finally:
        service.stop()


@pytest.fixture
def model_key() -> str:
    """An API key of this test's own: its scripts, requests and cache are nobody else's."""
    return f"offline-test-{uuid.uuid4()}"


@pytest.fixture
async def model_control(offline_model: OfflineModel) -> AsyncIterator[OfflineModelControl]:
    async with OfflineModelControl(offline_model.url) as control:
        yield control
