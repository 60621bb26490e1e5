from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query, Response

from meshkit.errors import problem_responses
from meshkit.openapi import agent_tool
from review_agent.deps import PoolDep
from review_agent.models import ReplyPost, ReviewReply
from review_agent.services import replies

router = APIRouter(tags=["replies"])


@router.post(
    "/reviews/{review_id}/reply-draft",
    status_code=201,
    summary="Draft a reply to a review",
    # Writes only a draft (nothing is published), and asking again returns the same one.
    openapi_extra=agent_tool("write", approval=True, idempotent=True),
    responses={
        200: {"model": ReviewReply, "description": "The review's existing draft."},
        **problem_responses(401, 403, 404, 409, 422),
    },
)
async def draft_review_reply(
    pool: PoolDep,
    response: Response,
    review_id: Annotated[UUID, Path(description="The review to answer.")],
    regenerate: Annotated[
        bool,
        Query(description="Write a fresh draft in other words instead of returning the latest."),
    ] = False,
) -> ReviewReply:
    """Draft the restaurant's public answer to a review, for a manager to check before
    posting: it thanks happy guests, apologises to unhappy ones and invites them back, and
    names the themes the review raised without promising anything or adding facts. The
    draft is saved with the review (its `reply_status` becomes `draft`). Asking again
    returns the same draft (200) unless `regenerate` is set; a new draft is 201. A review
    that already has a posted reply is a 409."""
    draft, created = await replies.draft_review_reply(pool, review_id, regenerate=regenerate)
    if not created:
        response.status_code = 200
    return draft


@router.post(
    "/reviews/{review_id}/reply",
    status_code=201,
    summary="Post the reply to a review",
    # Publishes in the restaurant's name: a person approves every post.
    openapi_extra=agent_tool("write", approval=True, idempotent=True),
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def post_review_reply(
    pool: PoolDep,
    review_id: Annotated[UUID, Path(description="The review to answer.")],
    post: Annotated[ReplyPost, Body()],
) -> ReviewReply:
    """Publish the restaurant's public answer to a review: the `text` given, or the
    review's latest draft when `text` is left out (draft one with `draft_review_reply`
    first). A review is answered once: a second post is a 409, and so is posting with no
    text and no draft. The review's `reply_status` becomes `posted`."""
    return await replies.post_review_reply(pool, review_id, post)
