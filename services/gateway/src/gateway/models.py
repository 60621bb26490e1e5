"""The web chat's request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ApprovalStatus = Literal["pending", "approved", "cancelled", "expired", "done", "failed"]


class ChatQuestion(BaseModel):
    """A question for the assistant, in the signed-in user's conversation."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1,
        max_length=4000,
        description="The question, as a person would ask it.",
        examples=["How were sales last week, and are the reviews at Riverside getting worse?"],
    )


class ApprovalDecision(BaseModel):
    """The user's answer to a change the assistant proposed."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "cancel"]


class ChatToolCall(BaseModel):
    """A tool the assistant called while answering."""

    id: str
    tool: str = Field(description="`<agent>__<operationId>`, for example sales__get_sales_summary.")
    arguments: object = Field(description="What the assistant asked the tool for.")
    ok: bool
    duration_ms: float


class ChatApproval(BaseModel):
    """A change the assistant proposed, and where it stands."""

    id: uuid.UUID
    tool: str
    summary: str = Field(description="The change in plain words, as the user was asked.")
    status: ApprovalStatus = Field(
        description="pending until decided; done or failed once approved and made; "
        "cancelled; expired when nobody decided in time."
    )


class ChatTurn(BaseModel):
    """One question and its answer."""

    id: int
    question: str | None = Field(
        description="The user's question; null for a turn that reports on a decision."
    )
    answer: str = Field(description="The answer, in Markdown.")
    created_at: datetime
    tool_calls: list[ChatToolCall]
    approvals: list[ChatApproval] = Field(description="Changes proposed in this turn.")
    decision: ChatApproval | None = Field(
        description="The decided change this turn tells the user about, if any."
    )


class ChatHistory(BaseModel):
    """The signed-in user's current conversation, oldest turn first."""

    user: str
    turns: list[ChatTurn]
