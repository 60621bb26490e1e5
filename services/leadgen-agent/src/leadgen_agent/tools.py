"""leadgen-agent's read operations as tools for its `ask` loop (service calls, not HTTP to
itself; `get_catering_capacity` crosses to sales-agent through its generated client)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field
from sales_agent_client import AuthenticatedClient

from leadgen_agent.config import Settings
from leadgen_agent.models import LeadKind, LeadStage, LocationId
from leadgen_agent.services import capacity, leads
from leadgen_agent.services.leads import local_today
from meshkit.agent import Tool
from meshkit.tools import local_tools

SYSTEM_PROMPT = """\
You are the business-development analyst of Copper Pot Kitchen, a chain of six
restaurants in Lisbon. Answer questions about B2B leads (catering orders, corporate
accounts, private events) with the tools: the pipeline by stage, stale leads, individual
leads with their history and scores, and how much catering each restaurant already sells
(that tool asks sales-agent). Every figure you give must come from a tool result. Money in
results is in euro cents: present it in euros. Name companies and restaurants by name. Be
brief and specific: lead with the answer, then the evidence."""


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LeadSearch(_Input):
    stage: list[LeadStage] | None = Field(default=None, description="Only these stages.")
    kind: LeadKind | None = None
    location: LocationId | None = Field(default=None, description="Preferred restaurant.")
    min_score: int | None = Field(default=None, ge=0, le=100)
    stale: bool | None = Field(default=None, description="Only open leads idle for 14+ days.")
    moved_since: date | None = Field(
        default=None, description="Only leads whose stage changed on or after this day."
    )
    q: str | None = Field(default=None, min_length=1, max_length=100)
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=200)


class LeadRef(_Input):
    lead_id: UUID


class PipelineQuery(_Input):
    location: LocationId | None = None
    start: date | None = None
    end: date | None = None


class LocationRef(_Input):
    location_id: LocationId


def leadgen_tools(
    app: FastAPI, settings: Settings, pool: asyncpg.Pool, sales: AuthenticatedClient
) -> list[Tool[Any]]:
    clock, tz = settings.clock(), settings.timezone

    async def list_leads(q: LeadSearch) -> Any:
        return await leads.list_leads(
            pool,
            stages=q.stage,
            kind=q.kind,
            location_id=q.location,
            min_score=q.min_score,
            stale=q.stale,
            moved_since=q.moved_since,
            tz=tz,
            q=q.q,
            limit=q.limit,
            cursor=q.cursor,
            now=clock(),
        )

    async def pipeline(q: PipelineQuery) -> Any:
        return await leads.get_pipeline_summary(
            pool, location_id=q.location, start=q.start, end=q.end, now=clock(), tz=tz
        )

    async def catering(q: LocationRef) -> Any:
        return await capacity.get_catering_capacity(
            sales,
            q.location_id,
            today=local_today(clock(), tz),
            timeout_s=settings.sales_agent_timeout_s,
        )

    return local_tools(
        app,
        {
            "list_leads": (LeadSearch, list_leads),
            "get_lead": (LeadRef, lambda q: leads.get_lead(pool, q.lead_id, now=clock())),
            "get_pipeline_summary": (PipelineQuery, pipeline),
            "get_catering_capacity": (LocationRef, catering),
        },
    )
