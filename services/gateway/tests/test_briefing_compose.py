"""The briefing as composed from the agents' answers: its fixed sections, the model's note
through the real SDK, and what it says when an agent or the model is down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Any, cast

import anthropic
import asyncpg
import pytest
from anthropic.types import ToolParam

from gateway import briefing
from gateway.telegram.format import to_html
from meshdev.offline_model.control import OfflineModelControl
from meshdev.pytest_plugin import OfflineModel
from meshdev.testing import NO_MODEL
from meshkit.agent import AgentLoop, Effect, LoopLimits, ToolFailed

DAY = date(2026, 11, 23)

HOSTILE = "<b>bold</b> **stars** [click](http://evil.example) `code`"


class FakeTool:
    """An agent operation that answers from a fixture, or fails like an unreachable agent."""

    def __init__(self, name: str, answer: Any) -> None:
        self._name = name
        self.answer = answer
        self.calls: list[Any] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def effect(self) -> Effect:
        return "write" if self._name == briefing.DRAFT else "read"

    def definition(self) -> ToolParam:
        return {"name": self._name, "description": self._name, "input_schema": {"type": "object"}}

    def validate(self, raw: object) -> Any:
        return raw

    async def invoke(self, raw: object) -> Any:
        self.calls.append(raw)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer(raw) if callable(self.answer) else self.answer


def _change(current: int, previous: int) -> dict[str, Any]:
    pct = None if not previous else round((current - previous) * 100 / previous, 1)
    return {"current": current, "previous": previous, "change_pct": pct}


def _place(slug: str, name: str, current: int, previous: int) -> dict[str, Any]:
    return {
        "location_id": slug,
        "location_name": name,
        "revenue": _change(current, previous),
        "covers": _change(100, 100),
        "average_ticket": _change(3000, 3000),
    }


def _review(review_id: str, rating: int, title: str, location: str = "Riverside") -> Any:
    return {
        "id": review_id,
        "rating": rating,
        "title": title,
        "body": "The food was cold and we waited an hour.",
        "author": "Ana M.",
        "location_name": location,
        "created_at": "2026-11-22T20:00:00Z",
    }


def agents() -> dict[str, FakeTool]:
    compare = {
        "revenue": _change(2_600_000, 2_500_000),
        "orders": _change(430, 420),
        "covers": _change(990, 970),
        "average_ticket": _change(6046, 5952),
        "by_location": [
            _place("riverside", "Riverside", 300_000, 400_000),
            _place("midtown", "Midtown", 500_000, 480_000),
            _place("university", "University", 600_000, 450_000),
        ],
    }
    ratings = {
        "count": 7,
        "average_rating": 3.4,
        "by_location": [
            {"location_name": "Riverside", "count": 3, "average_rating": 2.0},
            {"location_name": "Midtown", "count": 4, "average_rating": 4.5},
        ],
    }
    waiting = {
        "items": [
            _review("r-5", 5, "Lovely"),
            _review("r-1", 1, HOSTILE),
            _review("r-2", 2, "Slow service"),
        ],
        "next_cursor": None,
    }
    moved = {
        "items": [
            {"company": "Tejo Analytics", "stage": "proposal", "kind": "catering", "headcount": 40},
            {"company": "Clube Remo", "stage": "new", "kind": "private_event", "headcount": 27},
        ]
    }
    pipeline = {
        "open_leads": 27,
        "open_budget_cents": 1_871_000,
        "period": {"created": 1, "won": 1, "lost": 0},
        "stale_after_days": 14,
        "stale_count": 2,
        "stale_leads": [
            {"company": "Belém Analytics", "stage": "new", "days_since_change": 32},
            {"company": "Lapa Seguros", "stage": "contacted", "days_since_change": 20},
        ],
    }

    def draft(raw: Any) -> Any:
        return {"text": f"Dear guest, thank you ({raw['review_id']})."}

    return {
        briefing.COMPARE: FakeTool(briefing.COMPARE, compare),
        briefing.RATINGS: FakeTool(briefing.RATINGS, ratings),
        briefing.WAITING: FakeTool(briefing.WAITING, waiting),
        briefing.MOVED: FakeTool(briefing.MOVED, moved),
        briefing.PIPELINE: FakeTool(briefing.PIPELINE, pipeline),
        briefing.DRAFT: FakeTool(briefing.DRAFT, draft),
    }


@pytest.fixture
async def loop(offline_model: OfflineModel, model_key: str) -> AsyncIterator[AgentLoop]:
    async with anthropic.AsyncAnthropic(
        api_key=model_key, base_url=offline_model.url, max_retries=0
    ) as client:
        yield AgentLoop(client, "claude-sonnet-5-5", LoopLimits(), name="gateway")


@pytest.fixture
async def no_model() -> AsyncIterator[AgentLoop]:
    async with anthropic.AsyncAnthropic(
        api_key="unused", base_url=NO_MODEL, max_retries=0
    ) as client:
        yield AgentLoop(client, "claude-sonnet-5-5", LoopLimits(model_timeout_s=5))


async def test_a_briefing_has_its_sections_in_order_and_the_models_note_on_top(
    loop: AgentLoop,
) -> None:
    tools = agents()
    composed = await briefing.compose(loop, list(tools.values()), DAY, drafts=2)
    text = composed.text
    assert composed.missing == []
    parts = ("Morning briefing", "(offline model)", "**Sales**", "**Reviews**", "**Leads**")
    order = [text.index(part) for part in (*parts, "**Reply drafts**")]
    assert order == sorted(order)
    assert "Monday 23 November 2026" in text
    assert "**Sales** · Sun 22 Nov against Sun 15 Nov" in text
    assert "Revenue **€26,000** (+4.0%, €25,000 a week before)" in text
    # Riverside fell 25% and University rose 33% while the chain rose 4%: both stand out.
    assert "• Riverside \u221225.0% (€3,000 against €4,000)" in text
    assert "• University +33.3% (€6,000 against €4,500)" in text
    assert "Midtown" not in text.split("Stand out:")[1].split("**Reviews**")[0]
    assert "7 new reviews, average **3.4★**; lowest Riverside at 2.0★" in text
    assert "3 wait for a reply; drafts for the 2 unhappiest below:" in text
    assert "• ★★★★★ Riverside: “Lovely”" in text
    drafts = text.split("**Reply drafts**")[1]
    assert "**1** · ★☆☆☆☆ Riverside, Ana M.:" in drafts
    assert "Dear guest, thank you (r-1)." in drafts
    assert "**2** · ★★☆☆☆ Riverside, Ana M.: “Slow service”" in drafts
    assert "• Tejo Analytics → proposal (catering, 40 people)" in text
    assert "• Clube Remo new lead (private event, 27 people)" in text
    assert (
        "Gone stale (no change in 14+ days): 2, the longest Belém Analytics (new, 32 days)" in text
    )
    # The unhappiest reviews get the drafts, worst first.
    assert [(d.number, d.review_id) for d in composed.drafts] == [(1, "r-1"), (2, "r-2")]
    assert [call["review_id"] for call in tools[briefing.DRAFT].calls] == ["r-1", "r-2"]
    # Every call is in the stored turn, and the turn ends on the briefing as sent.
    assert {call.name for call in composed.turn.tool_calls} == set(tools)
    assert composed.turn.new_messages[-1] == {"role": "assistant", "content": text}
    assert composed.question.startswith("[Morning briefing for Monday 23 November 2026")


async def test_text_from_reviews_stays_text_on_telegram(loop: AgentLoop) -> None:
    composed = await briefing.compose(loop, list(agents().values()), DAY, drafts=3)
    html = to_html(composed.text) + "".join(to_html(d.summary()) for d in composed.drafts)
    assert "<a " not in html
    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "**stars**" in html


async def test_an_agent_down_leaves_its_section_saying_so_and_the_rest_stands(
    loop: AgentLoop,
) -> None:
    tools = agents()
    down = ToolFailed("leadgen-agent is not reachable right now.")
    tools[briefing.MOVED].answer = down
    tools[briefing.PIPELINE].answer = down
    composed = await briefing.compose(loop, list(tools.values()), DAY, drafts=3)
    text = composed.text
    assert composed.missing == ["leads that moved", "the pipeline"]
    assert "Partial briefing: leads that moved, the pipeline could not be fetched" in text
    assert "Leads that moved are missing: leadgen-agent is not reachable right now." in text
    assert "Revenue **€26,000**" in text
    assert "3 wait for a reply" in text


async def test_without_the_model_the_briefing_still_goes_out(no_model: AgentLoop) -> None:
    tools = agents()
    tools[briefing.WAITING].answer = ToolFailed("review-agent did not answer in time.")
    composed = await briefing.compose(no_model, list(tools.values()), DAY, drafts=3)
    assert composed.missing == [
        "reviews waiting for a reply",
        "the summary note (the model did not answer)",
    ]
    assert "Revenue **€26,000**" in composed.text
    assert composed.drafts == []
    assert tools[briefing.DRAFT].calls == []
    assert composed.turn.rounds == 0
    assert composed.turn.new_messages[-1]["content"] == composed.text


def test_each_draft_gets_a_numbered_post_button_and_the_same_briefing_the_same_approvals() -> None:
    buttons = [(n, briefing.approval_id("briefing-7", n)) for n in (1, 2, 3, 4)]
    assert briefing.approval_id("briefing-7", 2) == buttons[1][1]
    assert briefing.approval_id("briefing-8", 2) != buttons[1][1]
    markup = briefing.keyboard(buttons)
    assert markup is not None
    rows = markup["inline_keyboard"]
    assert [[b["text"] for b in row] for row in rows] == [
        ["📤 Post reply 1", "📤 Post reply 2", "📤 Post reply 3"],
        ["📤 Post reply 4"],
    ]
    assert rows[0][0]["callback_data"] == f"ap:{buttons[0][1]}:y"
    assert all(len(b["callback_data"].encode()) <= 64 for row in rows for b in row)
    assert briefing.keyboard([]) is None


async def test_a_morning_of_briefings_asks_each_agent_and_the_model_once(
    loop: AgentLoop,
    pool: asyncpg.Pool,
    model_control: OfflineModelControl,
    model_key: str,
) -> None:
    tools = agents()
    shared = briefing.cached_tools(cast(Any, tools), pool, 300)
    notes = briefing.SharedNotes(pool, 300)
    composed = await asyncio.gather(
        *(briefing.compose(loop, shared, DAY, drafts=2, notes=notes) for _ in range(12))
    )
    assert len({c.text for c in composed}) == 1
    calls = {name: len(tool.calls) for name, tool in tools.items()}
    assert calls == {name: 2 if name == briefing.DRAFT else 1 for name in tools}
    assert len(await model_control.requests(model_key)) == 1
    assert sorted(c.turn.rounds for c in composed) == [0] * 11 + [1]
    # Every stored turn still shows the calls its briefing was built from.
    assert all(len(c.turn.tool_calls) == 7 for c in composed)
