"""One emulator process (real uvicorn on 127.0.0.1) for the session, reset before each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from meshdev.procs import ServiceProcess, start_service, wait_ready
from meshdev.telegram_emulator.client import EmulatorClient

TOKEN = "424242:test-emulator-token"


@pytest.fixture(scope="session")
async def emulator_process(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[ServiceProcess]:
    log_path = tmp_path_factory.mktemp("telegram-emulator") / "emulator.log"
    process = start_service(
        "telegram-emulator",
        "meshdev.telegram_emulator.server:create_app",
        env={
            "TELEGRAM_EMULATOR_TOKEN": TOKEN,
            "TELEGRAM_EMULATOR_BOT_USERNAME": "restaurant_test_bot",
            # Fast retries keep webhook failure tests short.
            "TELEGRAM_EMULATOR_WEBHOOK_RETRY_INITIAL_S": "0.05",
            "TELEGRAM_EMULATOR_WEBHOOK_RETRY_MAX_S": "0.2",
            "TELEGRAM_EMULATOR_WEBHOOK_TIMEOUT_S": "2",
            "TELEGRAM_EMULATOR_WEBHOOK_MAX_ATTEMPTS": "4",
            "LOG_FORMAT": "json",
        },
        log_path=log_path,
    )
    try:
        await wait_ready(process, within_s=30)
        yield process
    finally:
        process.stop()


@pytest.fixture
async def emulator(emulator_process: ServiceProcess) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator_process.url) as client:
        await client.reset()
        yield client


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
async def bot(
    emulator_process: ServiceProcess, emulator: EmulatorClient
) -> AsyncIterator[httpx.AsyncClient]:
    """Plain HTTP to the Bot API, as a bot's own client would talk to Telegram (after the
    `emulator` fixture has reset the state)."""
    async with httpx.AsyncClient(
        base_url=f"{emulator_process.url}/bot{TOKEN}/", timeout=15.0, trust_env=False
    ) as client:
        yield client
