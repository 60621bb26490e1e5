"""Demo mode on the mesh's real tools: the committed sales-agent contract, turned into tools
the way the gateway turns it (`sales__<operationId>`), driven through the real SDK."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import anthropic
import pytest
from anthropic.types import Message, MessageParam, TextBlock, ToolParam, ToolUseBlock

from meshdev.localenv import repo_root
from meshdev.offline_model.control import OfflineModelControl
from meshdev.pytest_plugin import OfflineModel

MODEL = "claude-sonnet-5-5"
#: A Wednesday, so "this week" has two days of data and "last week" is 16-22 November.
WEDNESDAY = date(2026, 11, 25)


def _resolve(node: Any, document: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            target = document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**_resolve(target, document), **_resolve(rest, document)}
        return {key: _resolve(value, document) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, document) for item in node]
    return node


def contract_tools(path: Path, agent: str) -> list[ToolParam]:
    """Every `x-agent-tool` operation as a tool: parameters plus body properties, refs
    resolved, described by summary and description."""
    document = json.loads(path.read_text())
    tools: list[ToolParam] = []
    for item in document["paths"].values():
        for operation in item.values():
            if "x-agent-tool" not in operation:
                continue
            properties: dict[str, Any] = {}
            required: list[str] = []
            for parameter in operation.get("parameters", []):
                schema = _resolve(parameter["schema"], document)
                schema.setdefault("description", parameter.get("description", ""))
                properties[parameter["name"]] = schema
                if parameter.get("required"):
                    required.append(parameter["name"])
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = _resolve(content["application/json"]["schema"], document)
                properties.update(body.get("properties", {}))
                required += body.get("required", [])
            summary = operation.get("summary", "")
            description = operation.get("description", "")
            tools.append(
                {
                    "name": f"{agent}__{operation['operationId']}",
                    "description": f"{summary}\n\n{description}".strip(),
                    "input_schema": {
                        "type": "object",
                        "properties": properties,
                        "required": required,
                    },
                }
            )
    return tools


SALES_TOOLS = contract_tools(repo_root() / "contracts/openapi/sales-agent.json", "sales")

REVIEW_TOOL: ToolParam = {
    "name": "reviews__get_rating_summary",
    "description": "Rating summary for a period\n\nHow guests rated the chain or one location "
    "over a date range: review count, average stars and a weekly trend. Use it to spot when "
    "a rating fell.",
    "input_schema": {
        "type": "object",
        "properties": {
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date"},
            "location_id": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["start", "end"],
    },
}

LOCATIONS = {
    "items": [
        {"id": "riverside", "name": "Riverside", "seats": 96},
        {"id": "old-town", "name": "Old Town", "seats": 72},
        {"id": "harbour-front", "name": "Harbour Front", "seats": 120},
    ]
}


def _summary(start: str, end: str) -> dict[str, Any]:
    return {
        "start": start,
        "end": end,
        "location_id": None,
        "currency": "EUR",
        "totals": {
            "revenue_cents": 4_213_950,
            "orders": 1_820,
            "covers": 2_310,
            "average_ticket_cents": 2_315,
        },
        "by_location": [
            {
                "location_id": "riverside",
                "location_name": "Riverside",
                "totals": {"revenue_cents": 912_300},
                "share_of_revenue": 0.216,
            }
        ],
        "best_day": {"day": end, "revenue_cents": 801_200},
        "worst_day": {"day": start, "revenue_cents": 402_100},
    }


def text_of(message: Message) -> str:
    return "".join(block.text for block in message.content if isinstance(block, TextBlock))


def tool_uses(message: Message) -> list[ToolUseBlock]:
    return [block for block in message.content if isinstance(block, ToolUseBlock)]


class Conversation:
    """One user question and the tool rounds after it, as an agent loop runs them."""

    def __init__(self, client: anthropic.AsyncAnthropic, tools: list[ToolParam]) -> None:
        self.client = client
        self.tools = tools
        self.messages: list[MessageParam] = []

    async def ask(self, question: str, **options: Any) -> Message:
        self.messages.append({"role": "user", "content": question})
        return await self._send(**options)

    async def answer(self, message: Message, results: dict[str, Any], **options: Any) -> Message:
        """Send back a result for every tool call of `message`, by tool name."""
        self.messages.append(message.to_param())
        blocks: list[Any] = []
        for use in tool_uses(message):
            outcome = results[use.name]
            if isinstance(outcome, Exception):
                blocks.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": use.id,
                        "content": str(outcome),
                        "is_error": True,
                    }
                )
            else:
                blocks.append(
                    {"type": "tool_result", "tool_use_id": use.id, "content": json.dumps(outcome)}
                )
        self.messages.append({"role": "user", "content": blocks})
        return await self._send(**options)

    async def _send(self, **options: Any) -> Message:
        message: Message = await self.client.messages.create(
            model=MODEL, max_tokens=2048, tools=self.tools, messages=self.messages, **options
        )
        return message


@pytest.fixture
async def pinned(model_control: OfflineModelControl, model_key: str) -> date:
    await model_control.configure(model_key, today=WEDNESDAY)
    return WEDNESDAY


async def test_sales_last_week_calls_the_summary_for_last_monday_to_sunday(
    claude: anthropic.AsyncAnthropic, offline_model: OfflineModel
) -> None:
    message = await Conversation(claude, SALES_TOOLS).ask("How were sales last week?")

    this_monday = offline_model.today - timedelta(days=offline_model.today.weekday())
    assert message.stop_reason == "tool_use"
    (use,) = tool_uses(message)
    assert use.name == "sales__get_sales_summary"
    assert use.input == {
        "start": (this_monday - timedelta(days=7)).isoformat(),
        "end": (this_monday - timedelta(days=1)).isoformat(),
    }
    assert text_of(message).startswith("(offline model)")


async def test_the_final_answer_gives_the_euro_figure_from_the_result(
    claude: anthropic.AsyncAnthropic, pinned: date
) -> None:
    conversation = Conversation(claude, SALES_TOOLS)
    first = await conversation.ask("How were sales last week?")

    final = await conversation.answer(
        first, {"sales__get_sales_summary": _summary("2026-11-16", "2026-11-22")}
    )

    assert final.stop_reason == "end_turn"
    text = text_of(final)
    assert text.startswith("(offline model)")
    assert "€42,140" in text
    assert "16\u201322 Nov 2026" in text
    assert "Riverside" in text


async def test_a_location_the_tools_do_not_name_is_looked_up_before_comparing(
    claude: anthropic.AsyncAnthropic, pinned: date
) -> None:
    conversation = Conversation(claude, SALES_TOOLS)
    first = await conversation.ask("Compare this week with last week at Old Town")

    assert [use.name for use in tool_uses(first)] == ["sales__list_locations"]
    second = await conversation.answer(first, {"sales__list_locations": LOCATIONS})

    (use,) = tool_uses(second)
    assert use.name == "sales__compare_periods"
    assert use.input == {
        "current_start": "2026-11-23",
        "current_end": "2026-11-24",
        "previous_start": "2026-11-16",
        "previous_end": "2026-11-17",
        "location_id": "old-town",
    }


async def test_a_location_the_schema_names_is_compared_straight_away(
    claude: anthropic.AsyncAnthropic, pinned: date
) -> None:
    message = await Conversation(claude, SALES_TOOLS).ask(
        "Compare this week with last week at Riverside"
    )

    (use,) = tool_uses(message)
    assert use.name == "sales__compare_periods"
    assert use.input["location_id"] == "riverside"
    assert use.input["current_start"] == "2026-11-23"
    assert use.input["previous_start"] == "2026-11-16"


async def test_a_two_part_question_calls_a_tool_for_each_part_and_reports_a_failure(
    claude: anthropic.AsyncAnthropic, pinned: date
) -> None:
    conversation = Conversation(claude, [*SALES_TOOLS, REVIEW_TOOL])
    first = await conversation.ask(
        "How were sales this week, and are the reviews at Riverside getting worse?"
    )

    calls = {use.name: use.input for use in tool_uses(first)}
    assert calls["sales__get_sales_summary"] == {"start": "2026-11-23", "end": "2026-11-24"}
    assert calls["reviews__get_rating_summary"]["location_id"] == "riverside"

    final = await conversation.answer(
        first,
        {
            "sales__get_sales_summary": _summary("2026-11-23", "2026-11-24"),
            "reviews__get_rating_summary": RuntimeError("review-agent did not answer in time"),
        },
    )
    text = text_of(final)
    assert "€42,140" in text
    assert "I couldn't reach the review data: review-agent did not answer in time." in text


async def test_tool_choice_none_answers_without_calling_tools(
    claude: anthropic.AsyncAnthropic,
) -> None:
    message = await Conversation(claude, SALES_TOOLS).ask(
        "How were sales last week?", tool_choice={"type": "none"}
    )

    assert message.stop_reason == "end_turn"
    assert not tool_uses(message)
    assert text_of(message).startswith("(offline model)")


async def test_tool_choice_tool_calls_that_tool_even_for_an_unrelated_question(
    claude: anthropic.AsyncAnthropic,
) -> None:
    message = await Conversation(claude, SALES_TOOLS).ask(
        "Tell me a joke", tool_choice={"type": "tool", "name": "sales__list_top_items"}
    )

    (use,) = tool_uses(message)
    assert use.name == "sales__list_top_items"
    assert set(use.input) >= {"start", "end"}
    assert message.content[0].type == "tool_use"


async def test_a_question_no_tool_covers_is_answered_honestly(
    claude: anthropic.AsyncAnthropic,
) -> None:
    message = await Conversation(claude, SALES_TOOLS).ask("What's the weather tomorrow?")

    assert message.stop_reason == "end_turn"
    assert "couldn't match" in text_of(message)


async def test_the_date_in_the_system_prompt_is_today(claude: anthropic.AsyncAnthropic) -> None:
    message = await claude.messages.create(
        model=MODEL,
        max_tokens=1024,
        system="You are the sales analyst.\n\nToday is Monday 2026-03-16.",
        tools=SALES_TOOLS,
        messages=[{"role": "user", "content": "How were sales last week?"}],
    )

    (use,) = tool_uses(message)
    assert use.input == {"start": "2026-03-09", "end": "2026-03-15"}


async def test_a_follow_up_keeps_the_subject_and_period_of_the_question_before(
    claude: anthropic.AsyncAnthropic, pinned: date
) -> None:
    conversation = Conversation(claude, SALES_TOOLS)
    first = await conversation.ask("How were sales at Riverside last week?")
    answered = await conversation.answer(
        first, {"sales__get_sales_summary": _summary("2026-11-16", "2026-11-22")}
    )
    conversation.messages.append(answered.to_param())

    follow_up = await conversation.ask("And the week before?")

    (use,) = tool_uses(follow_up)
    assert use.name == "sales__get_sales_summary"
    assert use.input == {"start": "2026-11-09", "end": "2026-11-15", "location_id": "riverside"}


async def test_an_unrelated_question_after_a_sales_question_is_not_taken_for_a_follow_up(
    claude: anthropic.AsyncAnthropic, pinned: date
) -> None:
    conversation = Conversation(claude, SALES_TOOLS)
    first = await conversation.ask("How were sales last week?")
    answered = await conversation.answer(
        first, {"sales__get_sales_summary": _summary("2026-11-16", "2026-11-22")}
    )
    conversation.messages.append(answered.to_param())

    unrelated = await conversation.ask("What's the weather like?")

    assert not tool_uses(unrelated)
    assert "couldn't match" in text_of(unrelated)


LIST_REVIEWS: ToolParam = {
    "name": "reviews__list_reviews",
    "description": "List reviews\n\nCustomer reviews, newest first, with stars and text.",
    "input_schema": {
        "type": "object",
        "properties": {
            "min_rating": {
                "anyOf": [{"type": "integer", "minimum": 1, "maximum": 5}, {"type": "null"}]
            },
            "max_rating": {
                "anyOf": [{"type": "integer", "minimum": 1, "maximum": 5}, {"type": "null"}]
            },
            "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        },
    },
}
DRAFT_REPLY: ToolParam = {
    "name": "reviews__draft_review_reply",
    "description": "Draft a reply to a review\n\nThe restaurant's public answer, for a manager "
    "to check before it is posted.",
    "input_schema": {
        "type": "object",
        "properties": {"review_id": {"type": "string", "format": "uuid"}},
        "required": ["review_id"],
    },
}
CREATE_LEAD: ToolParam = {
    "name": "leadgen__create_lead",
    "description": "Capture a new lead\n\nRecord a new B2B lead: a catering order or an event.",
    "input_schema": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "company": {"type": "string", "minLength": 1},
            "contact_name": {"type": "string", "minLength": 1},
            "email": {"type": "string", "format": "email"},
            "headcount": {"type": "integer", "minimum": 1, "maximum": 5000},
            "budget_cents": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
            "event_date": {
                "anyOf": [{"type": "string", "format": "date"}, {"type": "null"}],
                "description": "Day of the event; today or later.",
            },
            "kind": {"type": "string", "enum": ["catering", "corporate_account", "private_event"]},
            "preferred_location_id": {
                "type": "string",
                "enum": ["riverside", "old-town", "midtown"],
            },
        },
        "required": ["company", "contact_name", "email", "kind", "headcount"],
    },
}


async def test_an_action_on_an_unnamed_item_looks_it_up_first_then_acts_on_the_first(
    claude: anthropic.AsyncAnthropic,
) -> None:
    conversation = Conversation(claude, [LIST_REVIEWS, DRAFT_REPLY])
    first = await conversation.ask("Draft a reply to the latest 1-star review")

    (lookup,) = tool_uses(first)
    assert lookup.name == "reviews__list_reviews"
    assert lookup.input == {"min_rating": 1, "max_rating": 1}

    review_id = "7d2f0b53-4a7e-4f53-9d4e-5d0c1b8f2a10"
    second = await conversation.answer(
        first,
        {
            "reviews__list_reviews": {
                "items": [{"id": review_id, "rating": 1, "title": "Cold food", "author": "Ana"}]
            }
        },
    )
    (act,) = tool_uses(second)
    assert (act.name, act.input) == ("reviews__draft_review_reply", {"review_id": review_id})

    final = await conversation.answer(
        second,
        {"reviews__draft_review_reply": {"review_id": review_id, "draft": "Dear Ana, sorry."}},
    )
    assert "Dear Ana, sorry." in text_of(final)
    assert final.stop_reason == "end_turn"


async def test_a_write_takes_every_detail_from_the_request(
    claude: anthropic.AsyncAnthropic, pinned: date
) -> None:
    message = await Conversation(claude, [CREATE_LEAD]).ask(
        "Add a lead: Acme Corp wants catering for 40 people at Midtown on 10 December, "
        "contact Jane Doe jane@acme.com, budget €2,000"
    )

    (use,) = tool_uses(message)
    assert use.input == {
        "company": "Acme Corp",
        "contact_name": "Jane Doe",
        "email": "jane@acme.com",
        "headcount": 40,
        "budget_cents": 200_000,
        "event_date": "2026-12-10",
        "kind": "catering",
        "preferred_location_id": "midtown",
    }
