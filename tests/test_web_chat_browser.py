"""The web chat as a person uses it: headless Chromium (Debian's `chromium`, driven by
Playwright) on the page a running gateway serves, every service a real process, the
bundled offline model answering in demo mode and streaming at a visible pace.

Screenshots are kept under `.data/test-artifacts/` (or `$TEST_ARTIFACTS_DIR`).
"""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright, expect

from meshdev.localenv import data_dir
from meshdev.procs import ServiceProcess, start_service, wait_ready
from meshdev.testing import DEMO_END_DAY, TEST_SECRET, TestDatabases

pytestmark = pytest.mark.processes

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "browser-test-token-0123456789"
MODEL_KEY = "offline-web-chat-browser"
PHONE: ViewportSize = {"width": 390, "height": 844}
AGENTS = (
    ("sales-agent", "sales_agent.main:create_app", "SALES_AGENT_URL"),
    ("review-agent", "review_agent.main:create_app", "REVIEW_AGENT_URL"),
    ("leadgen-agent", "leadgen_agent.main:create_app", "LEADGEN_AGENT_URL"),
)


@dataclass
class Mesh:
    database_url: str
    gateway: ServiceProcess
    processes: dict[str, ServiceProcess]

    @property
    def chat_url(self) -> str:
        return f"{self.gateway.url}/chat#token={TOKEN}"

    async def scalar(self, sql: str, *args: object) -> Any:
        conn = await asyncpg.connect(self.database_url)
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()


def artifacts() -> Path:
    configured = os.environ.get("TEST_ARTIFACTS_DIR")
    path = Path(configured) if configured else data_dir() / "test-artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
async def mesh(
    test_databases: TestDatabases, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Mesh]:
    logs = tmp_path_factory.mktemp("web-chat")
    database_url = await test_databases.empty()
    today = DEMO_END_DAY + timedelta(days=1)
    base = {
        "DATABASE_URL": database_url,
        "MESH_SERVICE_SECRET": TEST_SECRET,
        "MESH_ENV": "test",
        "SEED_END_DATE": DEMO_END_DAY.isoformat(),
        "MESH_TODAY": today.isoformat(),
        "LOG_FORMAT": "json",
    }
    processes: dict[str, ServiceProcess] = {}
    try:
        # Its own model server: demo answers, streamed at a pace a person can watch.
        model = start_service(
            "offline-model",
            "meshdev.offline_model.server:create_app",
            env={
                "OFFLINE_MODEL_TODAY": today.isoformat(),
                "OFFLINE_MODEL_STREAM_DELAY_MS": "40",
                "LOG_LEVEL": "WARNING",
            },
            log_path=logs / "offline-model.log",
        )
        processes["offline-model"] = model
        await wait_ready(model)
        base |= {"ANTHROPIC_BASE_URL": model.url, "ANTHROPIC_API_KEY": MODEL_KEY}
        for name, factory, _ in AGENTS:
            processes[name] = start_service(name, factory, env=base, log_path=logs / f"{name}.log")
        await asyncio.gather(*(wait_ready(p) for p in processes.values()))
        gateway = start_service(
            "gateway",
            "gateway.main:create_app",
            env={
                **base,
                **{variable: processes[name].url for name, _, variable in AGENTS},
                "TELEGRAM_MODE": "off",
                "WEB_CHAT_TOKENS": f"manager:{TOKEN}",
            },
            log_path=logs / "gateway.log",
        )
        processes["gateway"] = gateway
        await wait_ready(gateway)
        yield Mesh(database_url, gateway, processes)
    finally:
        for process in processes.values():
            process.stop()
        await test_databases.drop(database_url)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - one stat, before any I/O starts
        pytest.fail(
            f"{CHROMIUM} is missing: the web chat's browser tests need Debian's Chromium "
            "(apt-get install -y chromium). Playwright's own browser downloads are not used."
        )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser, mesh: Mesh) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    try:
        yield page
    finally:
        await context.close()
    assert errors == [], f"the page reported errors: {errors}"


async def watch_answers(page: Page) -> None:
    """Record the visible answer text each time the page changes it."""
    await page.evaluate(
        """() => {
            window.__answers = [];
            new MutationObserver(() => {
                const answers = document.querySelectorAll(".msg.assistant .answer");
                const last = answers[answers.length - 1];
                if (last) window.__answers.push({
                    text: last.textContent,
                    streaming: last.classList.contains("streaming"),
                });
            }).observe(document.getElementById("messages"),
                       {childList: true, subtree: true, characterData: true});
        }"""
    )


async def ask(page: Page, question: str) -> None:
    box = page.locator("#question")
    await box.fill(question)
    await box.press("Enter")
    await expect(page.locator("#stop")).to_be_visible()
    await expect(page.locator("#send")).to_be_visible(timeout=60_000)


async def test_a_manager_asks_watches_the_answer_stream_approves_a_change_and_reloads(
    page: Page, mesh: Mesh
) -> None:
    leads = "SELECT count(*) FROM leadgen_agent.leads"
    before = await mesh.scalar(leads)
    await page.goto(mesh.chat_url)
    await expect(page.locator("#composer")).to_be_visible()
    assert "#token" not in page.url, "the token must leave the address bar"
    await expect(page.locator("#empty")).to_be_visible()

    await watch_answers(page)
    await ask(page, "How were sales last week?")
    tool = page.locator(".msg.assistant .tool").first
    await expect(tool).to_have_attribute("data-tool", "sales__get_sales_summary")
    await expect(tool).to_have_class("tool ok")
    await expect(tool.locator(".duration")).to_have_text(re.compile(r"^\d+(\.\d)? (ms|s)$"))
    answer = page.locator(".msg.assistant .answer").last
    final = await answer.text_content()
    assert final is not None
    assert "€" in final
    snapshots: list[dict[str, Any]] = await page.evaluate("window.__answers")
    growing = [s["text"] for s in snapshots if s["streaming"] and s["text"]]
    sizes = sorted({len(text) for text in growing})
    assert len(sizes) >= 3, f"the answer arrived in {len(sizes)} pieces, not streamed"
    assert sizes[0] < len(final)
    assert all(final.startswith(text) for text in growing[-3:])

    await ask(
        page,
        "Create a catering lead for Tejo Analytics, 40 people at Midtown, contact Marta "
        "marta@tejo.pt",
    )
    card = page.locator(".approval").last
    await expect(card).to_have_class("approval pending")
    await expect(card.locator(".summary")).to_contain_text("Tejo Analytics")
    assert await mesh.scalar(leads) == before, "written before approval"
    await page.screenshot(path=artifacts() / "web-chat-approval-phone.png", full_page=True)
    await card.get_by_role("button", name="Approve").click()
    await expect(card).to_have_class("approval done", timeout=30_000)
    await expect(page.locator(".msg.note").last).to_have_text("You approved the change")
    await expect(page.locator("#send")).to_be_visible(timeout=30_000)
    assert await mesh.scalar(leads) == before + 1

    await page.reload()
    await expect(page.locator(".msg.user .bubble")).to_have_text(
        [
            "How were sales last week?",
            "Create a catering lead for Tejo Analytics, 40 people at Midtown, contact Marta "
            "marta@tejo.pt",
        ]
    )
    await expect(page.locator(".tool[data-tool='sales__get_sales_summary']")).to_have_count(1)
    await expect(page.locator(".approval")).to_have_class(["approval done"])
    await expect(page.locator(".msg.note")).to_have_text(["You approved the change"])
    answers = page.locator(".msg.assistant .answer")
    await expect(answers).to_have_count(3)
    await expect(answers.first).to_have_text(final)
    await page.screenshot(path=artifacts() / "web-chat-phone.png", full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.screenshot(path=artifacts() / "web-chat-desktop.png")


async def test_a_review_with_markup_is_shown_as_text_and_never_runs(page: Page, mesh: Mesh) -> None:
    hostile = (
        'Great bacalhau <script>window.__pwned = "script"</script> '
        '<img src="x" onerror="window.__pwned = \'img\'"> **bold** [click](javascript:alert(1))'
    )
    # The agent's API refuses markup, but reviews also arrive from imports and other
    # systems: the page must be safe whatever the database holds.
    await mesh.scalar(
        "INSERT INTO review_agent.reviews (id, location_id, source, rating, title, body, "
        "author, created_at, sentiment) VALUES ($1, 'riverside', 'google', 5, "
        "'<b>Loved it</b>', $2, '<i>Mallory</i>', now(), 'positive') RETURNING id",
        uuid.uuid4(),
        hostile,
    )

    await page.goto(mesh.chat_url)
    await expect(page.locator("#composer")).to_be_visible()
    await page.locator("#new-chat").click()
    await expect(page.locator("#empty")).to_be_visible()
    await expect(page.locator(".msg")).to_have_count(0)
    await ask(page, "Show me the latest reviews at Riverside")
    answer = page.locator(".msg.assistant .answer").last
    await expect(answer).to_contain_text("<script>")
    await expect(answer).to_contain_text('<img src="x"')
    assert await page.evaluate("window.__pwned") is None
    assert await answer.locator("script, img, [onerror]").count() == 0
    assert await page.locator("a[href^='javascript']").count() == 0
    await page.screenshot(path=artifacts() / "web-chat-injection-phone.png", full_page=True)
