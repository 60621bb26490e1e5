"""Answers shown on Telegram while they are written: drafts in private chats, one edited
message elsewhere, through the one outbound path, against the Bot API emulator.

The gateway runs in this process (worker, sender and long polling included); the emulator
and the offline model are real servers. The model streams a scripted answer slowly, so the
previews can be watched.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from gateway.config import Settings
from gateway.main import create_app
from meshdev.offline_model.control import OfflineModelControl
from meshdev.offline_model.scripted import ScriptedResponse, ScriptedText
from meshdev.procs import start_service, wait_ready
from meshdev.pytest_plugin import OfflineModel
from meshdev.telegram_emulator.client import EmulatorClient
from meshdev.telegram_emulator.models import RecordedCall, UserSpec
from meshdev.telegram_emulator.settings import DEFAULT_TOKEN
from meshdev.testing import app_client, service_settings

ANSWER = " ".join(f"Riverside sold {n} covers on day {n}." for n in range(1, 13))
PREVIEW_METHODS = ("sendMessageDraft", "editMessageText", "deleteMessage")

Gateway = Callable[..., AbstractAsyncContextManager[None]]


@pytest.fixture(scope="module")
async def emulator_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    logs: Path = tmp_path_factory.mktemp("telegram-emulator")
    service = start_service(
        "telegram-emulator",
        "meshdev.telegram_emulator.server:create_app",
        env={"TELEGRAM_EMULATOR_TOKEN": DEFAULT_TOKEN, "LOG_LEVEL": "WARNING"},
        log_path=logs / "emulator.log",
    )
    try:
        await wait_ready(service)
        yield service.url
    finally:
        service.stop()


@pytest.fixture
async def emulator(emulator_url: str) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator_url) as client:
        await client.reset()
        yield client


@pytest.fixture
async def slow_answer(model_control: OfflineModelControl, model_key: str) -> str:
    """The model writes ANSWER in about five seconds."""
    step = ScriptedResponse(content=[ScriptedText(text=ANSWER)], stream_delay_s=0.2)
    await model_control.script(model_key, [step])
    return ANSWER


@pytest.fixture
def gateway(
    database_url: str, emulator_url: str, offline_model: OfflineModel, model_key: str
) -> Gateway:
    @asynccontextmanager
    async def run(streaming: str, **settings: object) -> AsyncIterator[None]:
        app = create_app(
            service_settings(
                Settings,
                database_url,
                TELEGRAM_MODE="polling",
                TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN,
                TELEGRAM_API_BASE_URL=emulator_url,
                TELEGRAM_STREAMING=streaming,
                ANTHROPIC_BASE_URL=offline_model.url,
                ANTHROPIC_API_KEY=model_key,
                **settings,
            )
        )
        async with app_client(app):
            yield

    return run


async def answered(emulator: EmulatorClient, chat_id: int, text: str) -> list[RecordedCall]:
    """The bot's sends, edits and drafts in the chat, once the answer `text` is out and any
    preview has been cleaned up after it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        calls = [
            c
            for c in await emulator.calls(chat_id=chat_id)
            if c.method in ("sendMessage", *PREVIEW_METHODS)
        ]
        sent = [c for c in calls if c.method == "sendMessage" and c.ok]
        if any(c.params.get("text") == text for c in sent):
            await asyncio.sleep(2.0)  # whatever would still follow the answer
            return [
                c
                for c in await emulator.calls(chat_id=chat_id)
                if c.method in ("sendMessage", *PREVIEW_METHODS)
            ]
        await asyncio.sleep(0.1)
    raise AssertionError("the answer was not sent")


def _texts(calls: list[RecordedCall]) -> list[str]:
    return [str(c.params.get("text")) for c in calls]


async def test_a_private_chat_sees_the_answer_grow_as_a_draft_then_the_message(
    gateway: Gateway, emulator: EmulatorClient, slow_answer: str
) -> None:
    chat = await emulator.private_chat(UserSpec(id=5101, first_name="Ana"))
    async with gateway("drafts"):
        await emulator.send_text(chat.id, "How did Riverside do?", user=chat.id)
        calls = await answered(emulator, chat.id, slow_answer)

    methods = [c.method for c in calls]
    assert methods[-1] == "sendMessage", "nothing may follow the answer"
    assert "editMessageText" not in methods
    drafts = [c for c in calls if c.method == "sendMessageDraft"]
    assert len(drafts) >= 2, methods
    assert {c.params["draft_id"] for c in drafts} == {drafts[0].params["draft_id"]}
    assert drafts[0].params["draft_id"] != 0
    texts = _texts(drafts)
    assert all(len(a) < len(b) for a, b in itertools.pairwise(texts)), texts
    assert all(slow_answer.startswith(t.rstrip(" …")) for t in texts), texts
    assert [c.params["text"] for c in calls if c.method == "sendMessage"] == [slow_answer]
    transcript = await emulator.transcript(chat.id)
    (draft,) = transcript.drafts()
    (final,) = transcript.bot_messages()
    assert draft.superseded_by == final.message_id
    assert final.text == slow_answer


async def test_a_group_sees_one_message_edited_at_most_every_interval_then_the_answer(
    gateway: Gateway, emulator: EmulatorClient, slow_answer: str
) -> None:
    group = await emulator.group("Managers", chat_id=-1_005_101, kind="supergroup")
    async with gateway("drafts"):
        await emulator.send_text(
            group.id, "@mesh_emulator_bot how did Riverside do?", user=UserSpec(id=5102)
        )
        calls = await answered(emulator, group.id, slow_answer)

    methods = [c.method for c in calls]
    assert "sendMessageDraft" not in methods, "drafts are for private chats"
    preview, *edits = [c for c in calls if c.method in ("sendMessage", "editMessageText")][:-1]
    assert preview.method == "sendMessage"
    assert preview.params["disable_notification"] is True
    assert edits, methods
    assert all(c.method == "editMessageText" for c in edits)
    preview_id = preview.result["message_id"]
    assert {c.params["message_id"] for c in edits} == {preview_id}
    shown = [preview, *edits]
    texts = _texts(shown)
    assert all(a != b for a, b in itertools.pairwise(texts)), "an unchanged edit"
    gaps = [b.at - a.at for a, b in itertools.pairwise(shown)]
    assert min(gaps) >= 1.4, gaps
    final = calls[-2]
    assert (final.method, final.params["text"]) == ("sendMessage", slow_answer)
    assert final.params.get("disable_notification") is None
    delete = calls[-1]
    assert (delete.method, delete.params["message_id"], delete.ok) == (
        "deleteMessage",
        preview_id,
        True,
    )
    transcript = await emulator.transcript(group.id)
    assert [m.text for m in transcript.bot_messages()] == [slow_answer]


async def test_a_429_mid_stream_slows_the_drafts_and_the_answer_still_arrives(
    gateway: Gateway, emulator: EmulatorClient, slow_answer: str
) -> None:
    chat = await emulator.private_chat(UserSpec(id=5103, first_name="Ana"))
    async with gateway("drafts", TELEGRAM_STREAM_INTERVAL_S=0.5):
        await emulator.send_text(chat.id, "How did Riverside do?", user=chat.id)
        for _ in range(200):
            if await emulator.calls("sendMessageDraft", chat_id=chat.id):
                break
            await asyncio.sleep(0.02)
        await emulator.inject(
            "sendMessageDraft", "too_many_requests", chat_id=chat.id, retry_after=2
        )
        calls = await answered(emulator, chat.id, slow_answer)

    drafts = [c for c in calls if c.method == "sendMessageDraft"]
    refused = [c for c in drafts if c.status == 429]
    assert len(refused) == 1
    later = [c for c in drafts if c.ok and c.seq > refused[0].seq]
    assert later, "the drafts should resume after the flood wait"
    assert later[0].at - refused[0].at >= 2.0, "the stream did not slow down"
    # After the wait, the interval doubled: previews come no faster than every second.
    gaps = [b.at - a.at for a, b in itertools.pairwise(later)]
    assert all(gap >= 0.95 for gap in gaps), gaps
    final = [c for c in calls if c.method == "sendMessage"]
    assert [(c.ok, c.params["text"]) for c in final] == [(True, slow_answer)]
    assert calls[-1].method == "sendMessage"


async def test_with_streaming_off_only_the_answer_is_sent(
    gateway: Gateway, emulator: EmulatorClient, slow_answer: str
) -> None:
    chat = await emulator.private_chat(UserSpec(id=5104, first_name="Ana"))
    async with gateway("off"):
        await emulator.send_text(chat.id, "How did Riverside do?", user=chat.id)
        calls = await answered(emulator, chat.id, slow_answer)
    assert [(c.method, c.params["text"]) for c in calls] == [("sendMessage", slow_answer)]


async def test_a_quick_answer_is_sent_without_a_preview(
    gateway: Gateway,
    emulator: EmulatorClient,
    model_control: OfflineModelControl,
    model_key: str,
) -> None:
    await model_control.script(model_key, [ScriptedResponse(content=[ScriptedText(text=ANSWER)])])
    group = await emulator.group("Managers", chat_id=-1_005_105, kind="supergroup")
    async with gateway("edits"):
        await emulator.send_text(group.id, "@mesh_emulator_bot hi", user=UserSpec(id=5105))
        calls = await answered(emulator, group.id, ANSWER)
    assert [c.method for c in calls] == ["sendMessage"]
