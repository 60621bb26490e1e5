from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter
from pydantic import Field

from gateway import conversation
from gateway.deps import GatewayDep
from gateway.tools import turn_tools
from meshkit.ask import AskAnswer, AskRequest, to_answer
from meshkit.errors import problem_responses

router = APIRouter(prefix="/agent", tags=["agent"])


class Query(AskRequest):
    conversation_id: Annotated[
        str,
        Field(
            min_length=1,
            max_length=100,
            pattern=r"^[A-Za-z0-9_.:-]+$",
            description="Your id for the conversation; the gateway keeps its history.",
            examples=["ops-dashboard-42"],
        ),
    ]


class QueryAnswer(AskAnswer):
    conversation_id: str


@router.post(
    "/query", summary="Ask the whole mesh", responses=problem_responses(401, 403, 422, 503)
)
async def query_agent(body: Query, gateway: GatewayDep) -> QueryAnswer:
    """Asks the gateway's assistant a question within a conversation and returns the answer
    with every tool call it made across the agents. Changes that need a person's approval
    are not made over this API; the answer says what would be changed."""
    pool = gateway.pool
    key = f"api:{body.conversation_id}"
    conversation_id = await conversation.open_conversation(pool, "api", key)
    history = await conversation.load_history(pool, conversation_id, gateway.settings.history_turns)
    question = body.question if not body.context else f"{body.question}\n\n{body.context}"
    started = time.perf_counter()
    result = await gateway.loop.run(
        gateway.today_prompt(),
        turn_tools(gateway.mesh, pool, None),
        [*history, {"role": "user", "content": question}],
        conversation_id=str(conversation_id),
    )
    await conversation.store_turn(
        pool, conversation_id, None, question, result, round((time.perf_counter() - started) * 1000)
    )
    return QueryAnswer(**to_answer(result).model_dump(), conversation_id=body.conversation_id)
