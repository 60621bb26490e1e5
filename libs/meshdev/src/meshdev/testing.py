"""Test helpers: a real PostgreSQL per session, a database per test, in-process clients."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from meshkit.auth import TokenMinter
from meshkit.settings import ServiceSettings, load_settings

#: The mesh secret every test service uses; never a real one.
TEST_SECRET = "test-secret-" + "0123456789abcdef" * 3

#: The last day of the demo history in tests, so every figure is exact.
DEMO_END_DAY = date(2026, 11, 22)
#: A model endpoint nothing listens on: tests that never reach the model.
NO_MODEL = "http://127.0.0.1:9"

_counter = itertools.count()

S = TypeVar("S", bound=ServiceSettings)


def service_settings(cls: type[S], database_url: str, **overrides: Any) -> S:
    """A service's settings for tests: test secret, fixed demo data, no model unless given."""
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "MESH_SERVICE_SECRET": TEST_SECRET,
        "MESH_ENV": "test",
        "SEED_END_DATE": DEMO_END_DAY,
        "MESH_TODAY": DEMO_END_DAY + timedelta(days=1),
        "ANTHROPIC_BASE_URL": NO_MODEL,
        "VERIFY_MODEL_AT_BOOT": False,
        # A test process builds hundreds of apps: frozen, none of them would ever be freed.
        "MESH_GC_FREEZE": False,
        **overrides,
    }
    return load_settings(cls, **values)


def mint(caller: str, audience: str, *, ttl_s: int = 300, secret: str = TEST_SECRET) -> str:
    return TokenMinter(secret, caller, ttl_s).mint(audience)


def with_database(dsn: str, database: str) -> str:
    """The same server, another database. Works for TCP and unix-socket DSNs."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + database))


class TestDatabases:
    """Creates migrated template databases once per session and cheap clones per test."""

    __test__ = False

    def __init__(self, admin_dsn: str) -> None:
        self.admin_dsn = admin_dsn
        self._templates: dict[str, str] = {}
        self._created: list[str] = []
        self._tag = f"{os.getpid()}"

    async def _execute(self, sql: str) -> None:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def template(self, name: str, prepare: Callable[[str], Awaitable[object]]) -> str:
        """A database prepared once (migrated, seeded) to clone tests from."""
        if name not in self._templates:
            database = f"tmpl_{name}_{self._tag}"
            await self._execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await self._execute(f'CREATE DATABASE "{database}"')
            self._created.append(database)
            await prepare(with_database(self.admin_dsn, database))
            self._templates[name] = database
        return self._templates[name]

    async def clone(self, template: str) -> str:
        database = f"t_{next(_counter)}_{self._tag}"
        await self._execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
        self._created.append(database)
        return with_database(self.admin_dsn, database)

    async def empty(self) -> str:
        database = f"t_{next(_counter)}_{self._tag}"
        await self._execute(f'CREATE DATABASE "{database}"')
        self._created.append(database)
        return with_database(self.admin_dsn, database)

    async def drop(self, dsn: str) -> None:
        database = urlsplit(dsn).path.lstrip("/")
        await self._execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if database in self._created:
            self._created.remove(database)

    async def drop_all(self) -> None:
        for database in reversed(self._created):
            await self._execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self._created.clear()


class RefusingTransport(httpx.AsyncBaseTransport):
    """A downstream service that is down: every connection is refused."""

    def __init__(self) -> None:
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise httpx.ConnectError("connection refused", request=request)


@asynccontextmanager
async def served(app: FastAPI, *, within_s: float = 60.0) -> AsyncIterator[str]:
    """Serve `app` with uvicorn inside this process, lifespan included, on a 127.0.0.1 socket
    bound here; yields its base URL. Unlike `app_client`, responses really stream and a
    client that hangs up is a real disconnect, as in production."""
    import uvicorn

    from meshdev.procs import bind

    sock = bind()
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="served-app")
    try:
        async with asyncio.timeout(within_s):
            while not server.started:
                if task.done():
                    raise RuntimeError("the app failed to start; see the log above")
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait({task})
        sock.close()


@asynccontextmanager
async def app_client(app: FastAPI, *, token: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client with the app's lifespan running, optionally authenticated."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        LifespanManager(app, startup_timeout=60) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(manager.app),
            base_url="http://testserver",
            headers=headers,
        ) as client,
    ):
        yield client
