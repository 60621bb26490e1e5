"""Demo mode's note at the head of the gateway's morning briefing.

The gateway gathers the briefing's figures itself and asks the model for a short note on
what deserves attention; a request whose question starts with `[Morning briefing` gets
this note, worked out from the results of the calls in the conversation."""

from __future__ import annotations

import json
import re
from typing import Any

from meshdev.offline_model.demo.answers import MARKER, euros, signed_pct
from meshdev.offline_model.demo.knowledge import ToolCall, short_name

QUESTION = re.compile(r"^\s*\[Morning briefing\b")


def _result(calls: list[ToolCall], name: str, **matching: Any) -> Any:
    for call in calls:
        if short_name(call.name) != name or call.failed or call.result is None:
            continue
        if any(call.input.get(key) != value for key, value in matching.items()):
            continue
        try:
            return json.loads(call.text)
        except ValueError:
            return None
    return None


def _sales(calls: list[ToolCall]) -> str | None:
    compared = _result(calls, "compare_periods")
    if not isinstance(compared, dict):
        return None
    revenue = compared.get("revenue") or {}
    change = revenue.get("change_pct")
    text = f"Revenue was {euros(revenue.get('current', 0))}"
    if change is not None:
        text += f", {signed_pct(change)} on the same weekday last week"
    places = [
        place
        for place in compared.get("by_location") or []
        if (place.get("revenue") or {}).get("change_pct") is not None
    ]
    if places:
        lowest = min(places, key=lambda place: place["revenue"]["change_pct"])
        if lowest["revenue"]["change_pct"] < 0:
            pct = signed_pct(lowest["revenue"]["change_pct"])
            text += f"; {lowest['location_name']} fell furthest ({pct})"
    return text + "."


def _reviews(calls: list[ToolCall]) -> str | None:
    page = _result(calls, "list_reviews", needs_reply=True)
    if not isinstance(page, dict):
        return None
    waiting = page.get("items") or []
    if not waiting:
        return "No new review is waiting for a reply."
    worst = min(waiting, key=lambda review: review.get("rating", 5))
    noun = "review waits" if len(waiting) == 1 else "reviews wait"
    return (
        f"{len(waiting)} new {noun} for a reply, the lowest a {worst.get('rating')}-star "
        f"one at {worst.get('location_name')}."
    )


def _leads(calls: list[ToolCall]) -> str | None:
    pipeline = _result(calls, "get_pipeline_summary")
    if not isinstance(pipeline, dict):
        return None
    stale = pipeline.get("stale_count", 0)
    return f"{stale} open lead{'s have' if stale != 1 else ' has'} gone stale."


def briefing_note(calls: list[ToolCall]) -> str:
    parts = [part for part in (_sales(calls), _reviews(calls), _leads(calls)) if part]
    if not parts:
        return f"{MARKER} None of the agents answered, so I have nothing to add."
    return f"{MARKER} " + " ".join(parts)
