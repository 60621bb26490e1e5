"""The terminal chat, run as a person would run it, with its output piped."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from meshdev.procs import ServiceProcess
from meshdev.telegram_emulator.client import EmulatorClient

pytestmark = pytest.mark.processes

USER_ID = 1101


class Terminal:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.seen: list[str] = []

    async def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()

    async def read_until(self, needle: str, within_s: float = 10.0) -> str:
        return (await self.read_all(needle, within_s=within_s))[needle]

    async def read_all(self, *needles: str, within_s: float = 10.0) -> dict[str, str]:
        """The first line containing each needle, whatever order they come in."""
        assert self.process.stdout is not None
        found: dict[str, str] = {}
        async with asyncio.timeout(within_s):
            while len(found) < len(needles):
                line = (await self.process.stdout.readline()).decode().rstrip("\n")
                if not line:
                    raise AssertionError(f"the chat ended before {needles}: {self.seen}")
                self.seen.append(line)
                found.update({n: line for n in needles if n in line and n not in found})
        return found


@pytest.fixture
async def terminal(
    emulator_process: ServiceProcess, emulator: EmulatorClient
) -> AsyncIterator[Terminal]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from meshdev.telegram_emulator.chat import main; main()",
        "--url",
        emulator_process.url,
        "--user-id",
        str(USER_ID),
        "--first-name",
        "Ana",
        "--plain",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    terminal = Terminal(process)
    try:
        await terminal.read_until("Chatting with @restaurant_test_bot")
        yield terminal
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def _next_update(bot: httpx.AsyncClient, offset: int) -> dict[str, Any]:
    response = await bot.post("getUpdates", json={"offset": offset, "timeout": 10})
    [update] = response.json()["result"]
    return dict(update)


async def test_a_person_chats_and_presses_a_button_from_the_terminal(
    terminal: Terminal, bot: httpx.AsyncClient
) -> None:
    await terminal.type("refund table 4?")
    question = await _next_update(bot, 0)
    await bot.post("sendChatAction", json={"chat_id": USER_ID, "action": "typing"})
    typing = await terminal.read_until("typing")
    sent = await bot.post(
        "sendMessage",
        json={
            "chat_id": USER_ID,
            "text": '<b>Refund</b> 18 EUR? <a href="https://pos.example/t4">bill</a>',
            "parse_mode": "HTML",
            "reply_markup": {
                "inline_keyboard": [
                    [
                        {"text": "Approve", "callback_data": "approve"},
                        {"text": "Cancel", "callback_data": "cancel"},
                    ]
                ]
            },
        },
    )
    reply = await terminal.read_until("Refund")
    buttons = await terminal.read_until("Approve")

    await terminal.type("1")
    press = await _next_update(bot, question["update_id"] + 1)
    await bot.post(
        "answerCallbackQuery",
        json={"callback_query_id": press["callback_query"]["id"], "text": "Approved"},
    )
    await bot.post(
        "editMessageText",
        json={
            "chat_id": USER_ID,
            "message_id": sent.json()["result"]["message_id"],
            "text": "Refunded 18 EUR",
        },
    )
    # The edit and the answer may reach the screen in either order.
    lines = await terminal.read_all("pressed", "Approved", "Refunded")
    assert terminal.process.stdin is not None
    terminal.process.stdin.close()

    assert question["message"]["text"] == "refund table 4?"
    assert typing == "bot is typing…"
    assert reply == "bot: *Refund* 18 EUR? bill (https://pos.example/t4)"
    assert buttons.split() == ["[1]", "Approve", "[2]", "Cancel"]
    assert press["callback_query"]["data"] == "approve"
    assert lines == {
        "pressed": "you pressed [Approve]",
        "Approved": "bot (notice): Approved",
        "Refunded": "bot: Refunded 18 EUR (edited)",
    }
    assert await asyncio.wait_for(terminal.process.wait(), 10) == 0
