"""The whole mesh as the gateway's tools: every agent's `x-agent-tool` operations, from the
committed contracts, called through the generated clients with the gateway's token.

Reads run at once (from the tool cache when the contract allows). Writes never run from a
model's say-so: the tool records an approval request and tells the model it is waiting
for the user, who decides with a button; only then does the call go out, with an
idempotency key, so a retried turn or a double tap never writes twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx
from anthropic.types import ToolParam

from gateway.config import Settings
from meshkit.agent import Effect
from meshkit.auth import TokenMinter
from meshkit.clients import agent_http_client
from meshkit.contract_tools import ContractTool, find_endpoint, load_operations

CLIENT_PACKAGES = {
    "sales-agent": ("sales_agent_client", "AuthenticatedClient"),
    "review-agent": ("review_agent_client", "AuthenticatedClient"),
    "leadgen-agent": ("leadgen_agent_client", "AuthenticatedClient"),
}


@dataclass
class Mesh:
    """Every agent's client (one httpx client each, built once) and its contract tools."""

    tools: dict[str, ContractTool]
    http_clients: list[httpx.AsyncClient] = field(default_factory=list)

    async def aclose(self) -> None:
        for client in self.http_clients:
            await client.aclose()


def build_mesh(
    settings: Settings,
    minter: TokenMinter,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> Mesh:
    import importlib

    mesh = Mesh(tools={})
    timeout = httpx.Timeout(settings.agent_call_timeout_s, connect=2.0)
    for service, url in settings.agent_urls.items():
        package, class_name = CLIENT_PACKAGES[service]
        http = agent_http_client(
            url,
            minter,
            service,
            timeout=timeout,
            transport=(transports or {}).get(service),
        )
        mesh.http_clients.append(http)
        client_class = getattr(importlib.import_module(package), class_name)
        # The constructor's token is unused: ServiceTokenAuth stamps every request.
        client = client_class(base_url=url, token="").set_async_httpx_client(http)
        for operation in load_operations(settings.contracts_dir / f"{service}.json"):
            if operation.operation_id == "ask" and not settings.agent_ask_tools:
                # The gateway composes the agents' operations itself; nesting their own
                # loops would hide the tool calls from the user and double the cost.
                continue
            endpoint = find_endpoint(package, operation.operation_id)
            mesh.tools[operation.tool_name] = ContractTool(operation, endpoint, client)
    return mesh


def args_hash(arguments: Mapping[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(arguments, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


class SingleFlight:
    """One computation per key at a time in this process: callers that arrive while it
    runs wait for it, then find its result in the cache instead of repeating the call."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: tuple[str, str]) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


#: Shared by every cached tool of the process: a burst of turns (a morning of briefings)
#: asking the same thing makes one call to the agent.
FLIGHTS = SingleFlight()


class _Recent:
    """The cache's entries this process read or wrote in the last `hold_s` seconds (never
    past their expiry): a burst of turns reading one entry costs a query and a JSON decode
    every `hold_s`, not one each, while a change in PostgreSQL (an entry dropped) shows
    within `hold_s`. Entries are only ever read, never changed, by their users."""

    def __init__(self, size: int = 512, hold_s: float = 2.0) -> None:
        self._size = size
        self._hold_s = hold_s
        self._entries: dict[tuple[str, str], tuple[float, Any]] = {}

    def get(self, name: str, key: str) -> Any:
        found = self._entries.get((name, key))
        if found is None:
            return None
        if found[0] <= time.time():
            del self._entries[(name, key)]
            return None
        return found[1]

    def put(self, name: str, key: str, result: Any, expires_at: datetime) -> None:
        if len(self._entries) >= self._size:
            # Oldest first: dicts keep insertion order.
            del self._entries[next(iter(self._entries))]
        until = min(expires_at.timestamp(), time.time() + self._hold_s)
        self._entries[(name, key)] = (until, result)


RECENT = _Recent()


async def cache_get(pool: asyncpg.Pool, name: str, key: str) -> Any:
    recent = RECENT.get(name, key)
    if recent is not None:
        return recent
    row = await pool.fetchrow(
        "SELECT result, expires_at FROM tool_cache WHERE tool_name = $1 AND args_hash = $2 "
        "AND expires_at > now()",
        name,
        key,
    )
    if row is None:
        return None
    RECENT.put(name, key, row["result"], row["expires_at"])
    return row["result"]


async def cache_put(pool: asyncpg.Pool, name: str, key: str, result: Any, ttl: timedelta) -> None:
    expires_at: datetime = await pool.fetchval(
        """
        INSERT INTO tool_cache (tool_name, args_hash, result, expires_at)
        VALUES ($1, $2, $3, now() + $4::interval)
        ON CONFLICT (tool_name, args_hash)
        DO UPDATE SET result = excluded.result, expires_at = excluded.expires_at
        RETURNING expires_at
        """,
        name,
        key,
        result,
        ttl,
    )
    RECENT.put(name, key, result, expires_at)


class CachedRead:
    """A tool whose results are reused for a while: a read for the lifetime its contract
    declares, or a briefing's calls for the few minutes all the morning's briefings share."""

    def __init__(self, tool: ContractTool, pool: asyncpg.Pool, ttl_s: int) -> None:
        self.tool = tool
        self._pool = pool
        self._ttl = timedelta(seconds=ttl_s)

    @property
    def name(self) -> str:
        return self.tool.name

    @property
    def effect(self) -> Effect:
        return self.tool.effect

    def definition(self) -> ToolParam:
        return self.tool.definition()

    async def invoke(self, raw: object) -> Any:
        arguments = self.tool.validate(raw)
        key = args_hash(arguments)
        cached = await cache_get(self._pool, self.name, key)
        if cached is not None:
            return cached
        async with FLIGHTS.hold((self.name, key)):
            cached = await cache_get(self._pool, self.name, key)
            if cached is not None:
                return cached
            result = await self.tool.invoke(arguments)
            await cache_put(self._pool, self.name, key, result, self._ttl)
            return result


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    id: uuid.UUID
    tool_name: str
    summary: str


RequestApproval = Callable[[ContractTool, dict[str, Any]], Awaitable[ApprovalRequest]]


class NeedsApproval:
    """A write tool: calling it asks the user, it does not write."""

    def __init__(self, tool: ContractTool, request: RequestApproval | None) -> None:
        self.tool = tool
        self._request = request

    @property
    def name(self) -> str:
        return self.tool.name

    @property
    def effect(self) -> Effect:
        return self.tool.effect

    def definition(self) -> ToolParam:
        definition = self.tool.definition()
        definition["description"] = (
            f"{definition['description']} This changes data: calling it asks the user to "
            "approve first, and nothing happens until they do."
        )
        return definition

    async def invoke(self, raw: object) -> Any:
        arguments = self.tool.validate(raw)
        if self._request is None:
            return {
                "status": "not_done",
                "reason": "Changes need a person's approval in a chat; this channel "
                "cannot ask for it. Tell the user what you would change instead.",
            }
        approval = await self._request(self.tool, arguments)
        return {
            "status": "awaiting_approval",
            "approval_id": str(approval.id),
            "note": "The user has been shown Approve / Cancel buttons for this change. It "
            "has NOT been made yet; do not say it has.",
        }


def turn_tools(
    mesh: Mesh, pool: asyncpg.Pool, request_approval: RequestApproval | None
) -> list[Any]:
    tools: list[Any] = []
    for tool in mesh.tools.values():
        op = tool.operation
        if op.effect == "read":
            tools.append(CachedRead(tool, pool, op.cache_ttl_s) if op.cache_ttl_s else tool)
        else:
            tools.append(NeedsApproval(tool, request_approval))
    return tools


def describe_call(tool: ContractTool, arguments: Mapping[str, Any]) -> str:
    """A one-paragraph, human summary of a proposed write, for the approval prompt."""
    shown = {k: v for k, v in arguments.items() if k != "idempotency_key"}
    lines = [f"{tool.operation.description.split('. ')[0]}."]
    for key, value in shown.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        lines.append(f"• {key.replace('_', ' ')}: {str(text)[:200]}")
    return "\n".join(lines)
