"""The `ask` operation every agent offers: a question in, an answer with its evidence out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from meshkit.agent import AgentLoop, Tool, TurnResult
from meshkit.errors import problem_responses
from meshkit.openapi import agent_tool


class AskRequest(BaseModel):
    """A question in plain language."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1,
        max_length=4000,
        description="The question, as a person would ask it.",
        examples=["Which location's sales dipped last month, and by how much?"],
    )
    context: str | None = Field(
        default=None,
        max_length=8000,
        description="Anything the caller already knows that helps: earlier turns, the "
        "user's role, figures from other agents.",
    )


class ToolCallRecord(BaseModel):
    """One tool the agent called while answering."""

    id: str
    name: str
    input: dict[str, Any]
    is_error: bool
    error_type: str | None = None
    duration_ms: float


class TokenUsage(BaseModel):
    input_tokens: int
    output_tokens: int
    cache_read_input_tokens: int
    cache_creation_input_tokens: int


class AskAnswer(BaseModel):
    """The agent's answer with the tool calls it made and the tokens it used."""

    answer: str
    model: str
    stop_reason: str = Field(
        description="end_turn when the model finished; max_rounds, token_budget or "
        "max_tokens when a limit cut the turn short."
    )
    rounds: int = Field(description="Model calls made.")
    tool_calls: list[ToolCallRecord]
    usage: TokenUsage


def to_answer(result: TurnResult) -> AskAnswer:
    return AskAnswer(
        answer=result.answer,
        model=result.model,
        stop_reason=result.stop_reason,
        rounds=result.rounds,
        tool_calls=[
            ToolCallRecord(
                id=call.id,
                name=call.name,
                input=call.input if isinstance(call.input, dict) else {"value": call.input},
                is_error=call.is_error,
                error_type=call.error_type,
                duration_ms=call.duration_ms,
            )
            for call in result.tool_calls
        ],
        usage=TokenUsage(
            input_tokens=result.usage.input_tokens,
            output_tokens=result.usage.output_tokens,
            cache_read_input_tokens=result.usage.cache_read_input_tokens,
            cache_creation_input_tokens=result.usage.cache_creation_input_tokens,
        ),
    )


def dated_system_prompt(prompt: str, today: date) -> str:
    """The agent's instructions with today's date, which relative questions depend on."""
    return f"{prompt.strip()}\n\nToday is {today:%A} {today.isoformat()}."


async def answer_question(
    loop: AgentLoop, system: str, tools: list[Tool[Any]], request: AskRequest
) -> AskAnswer:
    text = request.question
    if request.context:
        text = f"{request.question}\n\n<context>\n{request.context}\n</context>"
    result = await loop.run(system, tools, [{"role": "user", "content": text}])
    return to_answer(result)


async def _loop(request: Request) -> AgentLoop:
    loop: AgentLoop = request.state.agent_loop
    return loop


async def _tools(request: Request) -> list[Tool[Any]]:
    tools: list[Tool[Any]] = request.state.agent_tools
    return tools


def ask_router(system_prompt: str, today: Callable[[], date], *, subject: str) -> APIRouter:
    """`POST /ask` over the agent loop and tools the lifespan put in state."""
    router = APIRouter(tags=["ask"])

    @router.post(
        "/ask",
        summary=f"Ask about {subject} in plain language",
        openapi_extra=agent_tool("read"),
        responses=problem_responses(401, 403, 422, 503),
    )
    async def ask(
        body: AskRequest,
        loop: Annotated[AgentLoop, Depends(_loop)],
        tools: Annotated[list[Tool[Any]], Depends(_tools)],
    ) -> AskAnswer:
        """Answers a free-text question with this agent's own tools and returns the answer
        with every tool call it made and the tokens it used. Prefer the specific operations
        when you know which figures you need; use this for open questions."""
        return await answer_question(loop, dated_system_prompt(system_prompt, today()), tools, body)

    return router
