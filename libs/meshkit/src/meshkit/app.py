"""The pieces every service's `create_app` assembles: app shell, database, auth, health."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib.resources.abc import Traversable
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from meshkit.auth import TokenMinter, TokenVerifier
from meshkit.db import Seeder, create_pool, load_migrations, prepare_database, resolve_database_url
from meshkit.errors import install_problem_handlers, problem_body, problem_response
from meshkit.heap import settle
from meshkit.idempotency import IdempotencyMiddleware
from meshkit.logs import configure_logging
from meshkit.model import ModelProbe
from meshkit.openapi import install_openapi
from meshkit.settings import ServiceSettings, SettingsError
from meshkit.spans import untraced
from meshkit.telemetry import instrument_app, setup_telemetry


def operation_id(route: APIRoute) -> str:
    """The handler's name is the operationId, so handler, client function and tool agree."""
    return route.name


class BodyLimitMiddleware:
    """Refuses request bodies above a size with 413, whether declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.max_bytes:
                    await self._reject(scope, receive, send, declared)
                    return
                # The server frames the body by its Content-Length: it cannot grow past
                # what was declared, so there is nothing to count.
                await self.app(scope, receive, send)
                return
        received = 0
        response_started = False
        rejected = False

        async def limited_receive() -> Message:
            nonlocal received, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Answer now and tell the app the client went away; whatever it
                    # tries to send afterwards is dropped.
                    rejected = True
                    if not response_started:
                        await self._reject(scope, receive, send, received)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if rejected:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, size: int) -> None:
        detail = (
            f"The request body must be at most {self.max_bytes} bytes."
            if size >= 0
            else "The Content-Length header is not a valid size."
        )
        status = 413 if size >= 0 else 400
        slug = "payload-too-large" if status == 413 else "bad-request"
        title = "Payload too large" if status == 413 else "Bad request"
        response = problem_response(problem_body(status, slug, title, detail, scope.get("path")))
        await response(scope, receive, send)


def build_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    version: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]],
    openapi_tags: list[dict[str, Any]],
) -> FastAPI:
    """A FastAPI app with the mesh's conventions: operationIds, problems, limits, health."""
    configure_logging(settings.service_name, settings.log_level, settings.log_format)
    shutdown_telemetry = setup_telemetry(settings, version=version)
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=_untraced_lifespan(lifespan, shutdown_telemetry, freeze=settings.gc_freeze),
        openapi_tags=openapi_tags,
        generate_unique_id_function=operation_id,
        separate_input_output_schemas=True,
    )
    install_problem_handlers(app)
    install_openapi(app)
    # Added first, so it runs inside the body limit: it reads the (capped) body itself.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    instrument_app(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        with untraced():
            return await _readiness(request)

    async def _readiness(request: Request) -> JSONResponse:
        pool: asyncpg.Pool = request.state.pool
        try:
            async with asyncio.timeout(2):
                await pool.fetchval("SELECT 1")
        except (TimeoutError, OSError, asyncpg.PostgresError):
            return problem_response(
                problem_body(
                    503,
                    "not-ready",
                    "Service not ready",
                    "The database is not reachable.",
                    request.url.path,
                )
            )
        body: dict[str, str] = {"status": "ready", "service": settings.service_name}
        probe: ModelProbe | None = getattr(request.state, "model_probe", None)
        if probe is not None:
            # Reported, not required: the typed operations work without the model.
            body["model"] = "reachable" if await probe.reachable() else "unreachable"
        return JSONResponse(body)

    return app


def _untraced_lifespan(
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]],
    shutdown_telemetry: Callable[[], None],
    *,
    freeze: bool,
) -> Callable[[FastAPI], AbstractAsyncContextManager[Any]]:
    """Start-up and shutdown (migrations, seeding, model checks) make no traces, nor do the
    background loops the lifespan starts, which inherit that: a queue poll or a lease
    renewal is not a message. Work that is one opens its own span (`meshkit.spans`). Once
    start-up is done the heap is frozen (`meshkit.heap`). The spans still buffered are
    flushed once the service has stopped."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[Any]:
        try:
            with untraced():
                async with lifespan(app) as state:
                    if freeze:
                        settle()
                    yield state
        finally:
            await asyncio.to_thread(shutdown_telemetry)

    return run


@asynccontextmanager
async def service_database(
    settings: ServiceSettings, migrations: Traversable, seed: Seeder | None = None
) -> AsyncIterator[asyncpg.Pool]:
    """Migrate and seed the service's schema, then hold its pool open."""
    dsn = await resolve_database_url(
        settings.database_url.get_secret_value() if settings.database_url else None
    )
    await prepare_database(dsn, settings.db_schema, load_migrations(migrations), seed=seed)
    pool = await create_pool(
        dsn,
        schema=settings.db_schema,
        application_name=settings.service_name,
        min_size=settings.db_pool_min_size,
        max_size=settings.db_pool_max_size,
    )
    try:
        yield pool
    finally:
        await pool.close()


def service_secrets(settings: ServiceSettings) -> list[str]:
    """The mesh secret (and the previous one during rotation), or the local one in dev."""
    if settings.service_secret is not None:
        previous = settings.service_secret_previous
        return [settings.service_secret.get_secret_value()] + (
            [previous.get_secret_value()] if previous else []
        )
    if settings.environment == "production" or importlib.util.find_spec("meshdev") is None:
        raise SettingsError(f"{settings.service_name}: MESH_SERVICE_SECRET must be set")
    from meshdev.localenv import local_service_secret

    return [local_service_secret()]


def token_verifier(settings: ServiceSettings) -> TokenVerifier:
    return TokenVerifier(service_secrets(settings), settings.service_name, settings.callers)


def token_minter(settings: ServiceSettings) -> TokenMinter:
    return TokenMinter(
        service_secrets(settings)[0], settings.service_name, settings.service_token_ttl_s
    )
