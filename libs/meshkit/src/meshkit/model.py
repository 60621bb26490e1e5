"""The model client: one `AsyncAnthropic` per process, checked at boot, watched by /readyz."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypedDict

import anthropic
import httpx2

from meshkit.agent import AgentLoop, LoopLimits, Tool
from meshkit.settings import ServiceSettings, SettingsError

#: Stand-in key for the offline model, which accepts keys with this prefix.
OFFLINE_KEY = "offline-local"


def model_client(settings: ServiceSettings) -> anthropic.AsyncAnthropic:
    """Claude with `ANTHROPIC_API_KEY`, else the offline model at `ANTHROPIC_BASE_URL`."""
    if settings.anthropic_api_key is not None:
        key = settings.anthropic_api_key.get_secret_value()
    elif settings.anthropic_base_url:
        key = OFFLINE_KEY
    else:
        raise SettingsError(
            f"{settings.service_name} cannot start: set ANTHROPIC_API_KEY to use Claude, or "
            "ANTHROPIC_BASE_URL to use the offline model (`make run` starts it)."
        )
    return anthropic.AsyncAnthropic(
        api_key=key,
        base_url=settings.anthropic_base_url,
        max_retries=settings.model_max_retries,
        timeout=httpx2.Timeout(settings.model_timeout_s, connect=5.0),
        # The SDK's built-in tracing is off: model calls are traced by the official GenAI
        # instrumentation (meshkit.telemetry), and two would make every `chat` span twice.
        open_telemetry=False,
    )


def agent_loop(settings: ServiceSettings, client: anthropic.AsyncAnthropic) -> AgentLoop:
    return AgentLoop(
        client,
        settings.model,
        name=settings.service_name,
        limits=LoopLimits(
            max_tokens=settings.agent_max_tokens,
            max_rounds=settings.agent_max_rounds,
            token_budget=settings.agent_token_budget,
            model_timeout_s=settings.model_timeout_s,
            tool_timeout_s=settings.tool_timeout_s,
        ),
    )


async def verify_model(settings: ServiceSettings, client: anthropic.AsyncAnthropic) -> None:
    """A cheap authenticated call: refuse to start with a key the API rejects."""
    where = settings.anthropic_base_url or "the Anthropic API"
    try:
        async with asyncio.timeout(15):
            await client.with_options(max_retries=1).models.retrieve(settings.model)
    except anthropic.AuthenticationError:
        raise SettingsError(
            f"{settings.service_name} cannot start: {where} rejected ANTHROPIC_API_KEY."
        ) from None
    except anthropic.NotFoundError:
        raise SettingsError(
            f"{settings.service_name} cannot start: {where} does not know the model "
            f"{settings.model!r} (ANTHROPIC_MODEL)."
        ) from None
    except (anthropic.APIConnectionError, TimeoutError):
        raise SettingsError(
            f"{settings.service_name} cannot start: {where} is not reachable."
        ) from None


class ModelProbe:
    """Whether the model endpoint answers, cached so /readyz never hammers the API."""

    def __init__(self, client: anthropic.AsyncAnthropic, model: str, ttl_s: float = 30.0) -> None:
        self._client = client
        self._model = model
        self._ttl_s = ttl_s
        self._checked_at = float("-inf")
        self._reachable = False
        self._lock = asyncio.Lock()

    async def reachable(self) -> bool:
        async with self._lock:
            if time.monotonic() - self._checked_at < self._ttl_s:
                return self._reachable
            try:
                async with asyncio.timeout(3):
                    await self._client.with_options(max_retries=0).models.retrieve(self._model)
                self._reachable = True
            except (anthropic.APIError, TimeoutError):
                self._reachable = False
            self._checked_at = time.monotonic()
            return self._reachable


class AgentState(TypedDict):
    """What the lifespan adds to a service's state for its `ask` operation."""

    agent_loop: AgentLoop
    agent_tools: list[Tool[Any]]
    model_probe: ModelProbe


@asynccontextmanager
async def agent_runtime(
    settings: ServiceSettings, tools: Callable[[], list[Tool[Any]]]
) -> AsyncIterator[AgentState]:
    """The model client (checked at boot when configured), the loop and the tools, for the
    lifetime of the app."""
    client = model_client(settings)
    try:
        if settings.verify_model_at_boot:
            await verify_model(settings, client)
        yield {
            "agent_loop": agent_loop(settings, client),
            "agent_tools": tools(),
            "model_probe": ModelProbe(client, settings.model),
        }
    finally:
        await client.close()
