"""Reply drafts: composed from the review, stored so a manager can check and post them."""

from __future__ import annotations

import uuid
from uuid import UUID

import asyncpg

from review_agent import repository
from review_agent.compose import compose_reply
from review_agent.errors import NoDraftToPost, ReplyAlreadyPosted, ReviewNotFound
from review_agent.models import ReplyPost, ReplyTone, ReviewReply, Sentiment, Theme


async def draft_review_reply(
    pool: asyncpg.Pool, review_id: UUID, *, regenerate: bool = False
) -> tuple[ReviewReply, bool]:
    """The review's latest draft, or a new one when there is none or `regenerate` is set.

    Returns the draft and whether it was created by this call. The review row is locked
    for the transaction, so two concurrent calls for one review never both draft.
    """
    async with pool.acquire() as conn, conn.transaction():
        review = await repository.lock_review_for_reply(conn, review_id)
        if review is None:
            raise ReviewNotFound(review_id)
        counts = await repository.reply_counts(conn, review_id)
        if counts["posted"]:
            raise ReplyAlreadyPosted(review_id)
        if not regenerate:
            existing = await repository.latest_draft(conn, review_id)
            if existing is not None:
                return _reply(existing), False
        composed = compose_reply(
            rating=review["rating"],
            sentiment=Sentiment(review["sentiment"]),
            themes=[Theme(theme) for theme in review["themes"]],
            title=review["title"],
            body=review["body"],
            location_name=review["location_name"],
            author=review["author"],
            # Each regeneration takes the next wording, so a new draft reads differently.
            variant=int(counts["drafts"]),
        )
        row = await repository.insert_reply(
            conn,
            reply_id=uuid.uuid4(),
            review_id=review_id,
            tone=composed.tone.value,
            body=composed.text,
            themes=[theme.value for theme in composed.themes],
        )
    return _reply(row), True


async def post_review_reply(pool: asyncpg.Pool, review_id: UUID, post: ReplyPost) -> ReviewReply:
    """Publish the restaurant's answer: the text given, or else the latest draft as it
    stands. A review is answered once; the review row is locked, so two concurrent posts
    cannot both succeed."""
    async with pool.acquire() as conn, conn.transaction():
        review = await repository.lock_review_for_reply(conn, review_id)
        if review is None:
            raise ReviewNotFound(review_id)
        counts = await repository.reply_counts(conn, review_id)
        if counts["posted"]:
            raise ReplyAlreadyPosted(review_id)
        draft = await repository.latest_draft(conn, review_id)
        if post.text is None and draft is None:
            raise NoDraftToPost(review_id)
        if post.text is not None:
            text = post.text
        else:
            assert draft is not None
            text = draft["body"]
        tone = draft["tone"] if draft is not None else ReplyTone.BALANCED.value
        themes = draft["themes"] if draft is not None else list(review["themes"])
        row = await repository.insert_reply(
            conn,
            reply_id=uuid.uuid4(),
            review_id=review_id,
            tone=tone,
            body=text,
            themes=themes,
            posted=True,
        )
    return _reply(row)


def _reply(row: asyncpg.Record) -> ReviewReply:
    return ReviewReply(
        id=row["id"],
        review_id=row["review_id"],
        status=row["status"],
        tone=row["tone"],
        text=row["body"],
        themes=row["themes"],
        created_at=row["created_at"],
        posted_at=row["posted_at"],
    )
