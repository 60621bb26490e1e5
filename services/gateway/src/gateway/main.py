"""gateway: Telegram (webhook or long polling) and a direct API in, Claude over the whole
mesh's contracts, answers out; with durable, ordered, concurrent workers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from importlib.resources import files

import httpx
from fastapi import Depends, FastAPI

from gateway.config import Settings
from gateway.deps import State
from gateway.handling import Gateway, handle_job, on_dead
from gateway.intake import Intake
from gateway.outbound import Outbound, Sender
from gateway.outbox import TelegramOutbox
from gateway.polling import ALLOWED_UPDATES, poll
from gateway.routes import chat, query, telegram
from gateway.schedule import run_scheduler
from gateway.telegram.api import BotApi, BotCommand, RetryPolicy, TelegramError
from gateway.tools import build_mesh
from gateway.worker import Worker
from meshkit.app import build_app, service_database, token_minter, token_verifier
from meshkit.auth import require_caller
from meshkit.model import agent_loop, model_client, verify_model
from meshkit.settings import SettingsError, load_settings

log = logging.getLogger(__name__)

DESCRIPTION = """\
The mesh's front door. Receives Telegram updates (webhook or long polling), keeps each
chat's conversation in PostgreSQL and answers with Claude, whose tools are the agents'
`x-agent-tool` operations, read from the committed contracts and called through the
generated clients. Changes need the user's approval in the chat. People can also use the
web chat at `/chat`, which streams answers as they are written.
"""

#: Allocations before a young collection; young collections before a middle one; middle
#: ones before a full one (Python's defaults: 2,000, 10, 10).
GC_THRESHOLDS = (20_000, 50, 100)

COMMANDS = (
    BotCommand(command="briefing", description="The morning briefing, now or every day"),
    BotCommand(command="help", description="What I can do"),
    BotCommand(command="reset", description="Start a new conversation"),
    BotCommand(command="usage", description="Tokens used in this chat"),
)


def create_app(
    settings: Settings | None = None,
    *,
    agent_transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    telegram_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    settings = settings or load_settings(Settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[State]:
        migrations = files("gateway") / "migrations"
        model = model_client(settings)
        mesh = build_mesh(settings, token_minter(settings), agent_transports)
        api = _bot_api(settings, telegram_transport)
        # The sender's own client: it must see a 429 at once (to re-pace), not sleep on it.
        sender_api = _bot_api(settings, telegram_transport, retry=RetryPolicy(max_flood_wait_s=0))
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        # Hundreds of turns in flight keep many objects alive; a full collection walks them
        # all and stalls the event loop for up to a quarter second. Collecting the young
        # generation less often, and the whole heap ten times less often, halved the
        # webhook's p99 with 200 turns in flight (bench.gateway: 48-68 ms -> 24-26 ms).
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            if settings.verify_model_at_boot:
                await verify_model(settings, model)
            async with service_database(settings, migrations) as pool:
                bot_username = await _start_telegram(settings, api) if api else None
                outbound = Outbound(pool)
                await outbound.start()
                intake = Intake(pool)
                gateway = Gateway(
                    settings=settings,
                    pool=pool,
                    loop=agent_loop(settings, model),
                    mesh=mesh,
                    outbox=TelegramOutbox(api, outbound) if api else _NoTelegram(),
                    bot_username=bot_username,
                )
                if sender_api is not None:
                    sender = Sender(pool, sender_api, settings.flood_limits)
                    tasks.append(asyncio.create_task(sender.run(stop), name="outbound-sender"))
                if settings.role in ("all", "worker"):
                    worker = Worker(
                        pool,
                        lambda job: handle_job(gateway, job),
                        lambda job, error: on_dead(gateway, job, error),
                        concurrency=settings.worker_concurrency,
                        lease_s=settings.job_lease_s,
                        max_attempts=settings.job_max_attempts,
                        bulk_concurrency=settings.briefing_concurrency,
                    )
                    tasks.append(asyncio.create_task(worker.run(stop), name="worker"))
                    scheduler = run_scheduler(
                        pool,
                        stop,
                        tick_s=settings.briefing_tick_s,
                        max_late_s=settings.briefing_max_late_s,
                        late_after_s=settings.briefing_late_after_s,
                    )
                    tasks.append(asyncio.create_task(scheduler, name="briefing-scheduler"))
                if api and settings.telegram_mode == "polling" and settings.role != "worker":
                    tasks.append(asyncio.create_task(poll(api, pool, intake, stop), name="polling"))
                try:
                    yield {
                        "settings": settings,
                        "pool": pool,
                        "verifier": token_verifier(settings),
                        "gateway": gateway,
                        "intake": intake,
                    }
                finally:
                    stop.set()
                    for task in tasks:
                        if task.get_name() == "polling":
                            task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
                    await intake.close()
                    await outbound.stop()
        finally:
            await mesh.aclose()
            for client in (api, sender_api):
                if client is not None:
                    await client.aclose()
            await model.close()

    app = build_app(
        settings,
        title="gateway",
        description=DESCRIPTION,
        version="0.2.0",
        lifespan=lifespan,
        openapi_tags=[
            {"name": "telegram", "description": "Telegram's webhook."},
            {"name": "agent", "description": "The assistant, for other systems and scripts."},
            {"name": "chat", "description": "The web chat, signed in with a user's token."},
        ],
    )
    app.include_router(telegram.router)
    app.include_router(query.router, dependencies=[Depends(require_caller)])
    app.include_router(chat.router)
    return app


def _bot_api(
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None,
    *,
    retry: RetryPolicy | None = None,
) -> BotApi | None:
    if settings.telegram_mode == "off":
        return None
    if settings.telegram_bot_token is None:
        raise SettingsError(
            "gateway cannot start: set TELEGRAM_BOT_TOKEN (or TELEGRAM_MODE=off); "
            "`make run` points it at the local Telegram emulator"
        )
    return BotApi.create(
        settings.telegram_bot_token,
        api_base_url=settings.telegram_api_base_url,
        transport=transport,
        retry=retry,
        max_connections=settings.telegram_max_connections,
    )


async def _start_telegram(settings: Settings, api: BotApi) -> str | None:
    """Who the bot is, its command menu, and where its updates go."""
    try:
        me = await api.get_me()
    except TelegramError as exc:
        raise SettingsError(
            f"gateway cannot start: Telegram refused the bot token ({exc})"
        ) from None
    with contextlib.suppress(TelegramError):
        await api.set_my_commands(COMMANDS)
    if settings.role != "worker":
        if settings.telegram_mode == "webhook":
            assert settings.public_url is not None
            assert settings.telegram_webhook_secret is not None
            await api.set_webhook(
                settings.public_url.rstrip("/") + "/telegram/webhook",
                secret_token=settings.telegram_webhook_secret.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            await api.delete_webhook()
    return me.username


class _NoTelegram:
    """TELEGRAM_MODE=off: the direct API works; nothing is sent to any chat."""

    async def reply(self, *_: object, **__: object) -> list[int]:
        return []

    def typing(self, *_: object) -> contextlib.AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()

    def preview(self, *_: object, **__: object) -> None:
        return None

    async def answer_callback(self, *_: object, **__: object) -> None:
        return None

    async def edit(self, *_: object) -> None:
        return None

    async def edit_keyboard(self, *_: object) -> None:
        return None
