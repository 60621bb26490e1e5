"""`mesh run`: the whole mesh on one machine, on a shared embedded PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from meshdev.localenv import data_dir, local_service_secret, local_web_chat_token
from meshdev.procs import ServiceProcess, start_service, wait_ready
from meshdev.telegram_emulator.settings import DEFAULT_TOKEN as EMULATOR_TOKEN
from meshkit.auth import TokenMinter
from meshkit.clients import agent_http_client


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    factory: str
    port_offset: int
    url_variable: str


OFFLINE_MODEL = "meshdev.offline_model.server:create_app"
OFFLINE_MODEL_PORT_OFFSET = 9
TELEGRAM_EMULATOR = "meshdev.telegram_emulator.server:create_app"
TELEGRAM_EMULATOR_PORT_OFFSET = 8
#: The web chat user `mesh run` signs in, unless WEB_CHAT_TOKENS names others.
LOCAL_WEB_USER = "local"

COMPONENTS = (
    Component("sales-agent", "sales_agent.main:create_app", 1, "SALES_AGENT_URL"),
    Component("review-agent", "review_agent.main:create_app", 2, "REVIEW_AGENT_URL"),
    Component("leadgen-agent", "leadgen_agent.main:create_app", 3, "LEADGEN_AGENT_URL"),
    Component("gateway", "gateway.main:create_app", 0, "GATEWAY_URL"),
)


async def _sample_figures(urls: dict[str, str], minter: TokenMinter) -> list[str]:
    """A few figures read back through the generated clients, proving the data is there."""
    from sales_agent_client import AuthenticatedClient
    from sales_agent_client.api.sales import get_sales_summary
    from sales_agent_client.models import SalesSummary

    lines = []
    end = datetime.now(UTC).date() - timedelta(days=1)
    start = end - timedelta(days=6)
    http = agent_http_client(urls["sales-agent"], minter, "sales-agent")
    async with AuthenticatedClient(base_url=urls["sales-agent"], token="").set_async_httpx_client(
        http
    ) as sales:
        summary = await get_sales_summary.asyncio(client=sales, start=start, end=end)
        if isinstance(summary, SalesSummary):
            euros = summary.totals.revenue_cents / 100
            lines.append(
                f"sales {start:%d %b} to {end:%d %b}: €{euros:,.0f} over "
                f"{summary.totals.covers:,} covers at {len(summary.by_location)} locations"
            )
    return lines


async def run_mesh(
    *,
    host: str = "127.0.0.1",
    base_port: int = 8100,
    check: bool = False,
    echo: Callable[[str], None] = print,
) -> int:
    """Start every component, print where they are, and supervise them until interrupted.

    With `check`, start, verify the seeded data through the generated clients, and stop.
    """
    from meshdev.localpg import local_database_url

    secret = local_service_secret()
    echo("starting PostgreSQL (embedded, data in .data/pg) ...")
    database_url = await local_database_url()
    urls = {c.name: f"http://{host}:{base_port + c.port_offset}" for c in COMPONENTS}
    env = {
        "DATABASE_URL": database_url,
        "MESH_SERVICE_SECRET": secret,
        "MESH_ENV": "local",
        **{c.url_variable: urls[c.name] for c in COMPONENTS},
    }
    web_token: str | None = None
    if not os.environ.get("WEB_CHAT_TOKENS"):
        web_token = local_web_chat_token()
        env["WEB_CHAT_TOKENS"] = f"{LOCAL_WEB_USER}:{web_token}"
    logs = data_dir() / "logs"
    logs.mkdir(exist_ok=True)
    processes: list[ServiceProcess] = []
    try:
        if os.environ.get("ANTHROPIC_API_KEY"):
            echo(f"model: Claude ({os.environ.get('ANTHROPIC_MODEL', 'default model')})")
        else:
            model = start_service(
                "offline-model",
                OFFLINE_MODEL,
                env={"LOG_FORMAT": "text"},
                host=host,
                port=base_port + OFFLINE_MODEL_PORT_OFFSET,
                log_path=logs / "offline-model.log",
            )
            processes.append(model)
            await wait_ready(model)
            env["ANTHROPIC_BASE_URL"] = model.url
            echo(f"model: the bundled offline model at {model.url}")
            echo("       (set ANTHROPIC_API_KEY to use Claude instead)")
        emulator_url: str | None = None
        if os.environ.get("TELEGRAM_BOT_TOKEN"):
            echo("telegram: the real Bot API (TELEGRAM_BOT_TOKEN is set)")
        else:
            emulator = start_service(
                "telegram-emulator",
                TELEGRAM_EMULATOR,
                env={"LOG_FORMAT": "text", "TELEGRAM_EMULATOR_TOKEN": EMULATOR_TOKEN},
                host=host,
                port=base_port + TELEGRAM_EMULATOR_PORT_OFFSET,
                log_path=logs / "telegram-emulator.log",
            )
            processes.append(emulator)
            await wait_ready(emulator)
            emulator_url = emulator.url
            env["TELEGRAM_BOT_TOKEN"] = EMULATOR_TOKEN
            env["TELEGRAM_API_BASE_URL"] = emulator.url
            env["TELEGRAM_MODE"] = "polling"
            echo(f"telegram: the local Bot API emulator at {emulator.url}")
        for component in COMPONENTS:
            processes.append(
                start_service(
                    component.name,
                    component.factory,
                    env={**env, "LOG_FORMAT": "text"},
                    host=host,
                    port=base_port + component.port_offset,
                    log_path=logs / f"{component.name}.log" if check else None,
                )
            )
        await asyncio.gather(*(wait_ready(p) for p in processes))
        minter = TokenMinter(secret, "mesh-cli", 3600)
        echo("")
        echo("The mesh is up:")
        for process in processes:
            echo(f"  {process.name:<14} {process.url}   docs: {process.url}/docs")
        for line in await _sample_figures(urls, minter):
            echo(f"  {line}")
        echo("")
        echo("Every operation needs a service token. For /docs (Authorize) or curl:")
        echo("  uv run mesh token sales-agent")
        echo(
            f'  curl -H "Authorization: Bearer $(uv run mesh token sales-agent)" '
            f"{urls['sales-agent']}/locations"
        )
        if emulator_url is not None:
            echo("")
            echo("Talk to the bot as a Telegram user would:")
            echo(f"  uv run mesh chat --url {emulator_url}")
        if web_token is not None:
            echo("")
            echo("Or in the browser (the link signs you in as the local user):")
            echo(f"  {urls['gateway']}/chat#token={web_token}")
        echo("")
        otlp = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get(
            "OTEL_EXPORTER_OTLP_ENDPOINT"
        )
        if otlp:
            echo(f"Traces (one per message, across every service) go over OTLP to {otlp}.")
        else:
            echo("Each message is one trace across every service. After sending one, see it with:")
            echo("  uv run mesh traces show --latest")
            echo("  (or --chat CHAT_ID, or a trace id from a log line; all: mesh traces list)")
        if check:
            return 0
        echo("\nPress Ctrl-C to stop.")
        return await _supervise(processes, echo)
    finally:
        for process in processes:
            process.stop()


async def _supervise(processes: list[ServiceProcess], echo: Callable[[str], None]) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # The handlers stay installed through the shutdown that follows, so a second Ctrl-C
    # cannot cut the clean-up short and leave services running.
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    while not stop.is_set():
        for process in processes:
            if process.process.poll() is not None:
                echo(f"{process.name} exited with status {process.process.returncode}")
                return 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)
    echo("stopping ...")
    return 0
