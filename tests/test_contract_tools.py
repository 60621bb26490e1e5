"""Tools derived from the committed contracts, called through the generated clients."""

from __future__ import annotations

import typing
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sales_agent_client import AuthenticatedClient

import sales_agent.config
import sales_agent.main
from meshdev import contracts
from meshdev.testing import TEST_SECRET, TestDatabases, service_settings
from meshkit.agent import InvalidToolInput, ToolFailed
from meshkit.auth import ServiceTokenAuth, TokenMinter
from meshkit.contract_tools import ContractTool, Operation, find_endpoint, load_operations
from meshkit.db import load_migrations, prepare_database


def _all_operations() -> list[Operation]:
    found: list[Operation] = []
    for service in contracts.AGENTS:
        found.extend(load_operations(contracts.contract_path(service)))
    return found


OPERATIONS = _all_operations()


def test_every_marked_operation_becomes_a_uniquely_named_tool() -> None:
    names = [op.tool_name for op in OPERATIONS]
    assert len(names) == len(set(names))
    assert "sales__get_sales_summary" in names
    assert "review__get_rating_vs_sales" in names
    assert "leadgen__create_lead" in names
    for op in OPERATIONS:
        assert len(op.tool_name) <= 64
        assert op.description
        assert op.input_schema["type"] == "object"
        assert "$ref" not in str(op.input_schema)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.tool_name)
def test_every_tool_input_maps_onto_its_generated_client_function(op: Operation) -> None:
    service = next(s for s in contracts.SERVICES if s.name == op.service)
    endpoint = find_endpoint(service.client_package, op.operation_id)
    hints = typing.get_type_hints(endpoint)
    parameters = set(hints) - {"client", "return", "idempotency_key"}
    expected = set(op.parameters) | ({"body"} if op.body else set())
    assert parameters == expected
    assert ("idempotency_key" in hints) == (op.effect != "read")
    for name in op.input_schema.get("required", []):
        assert name in op.parameters or name in op.body


def test_write_tools_need_approval_and_never_show_the_model_the_idempotency_key() -> None:
    for op in OPERATIONS:
        assert "idempotency_key" not in op.input_schema["properties"]
        if op.effect != "read":
            assert op.approval


@pytest.fixture(scope="module")
async def sales_client(test_databases: TestDatabases) -> AsyncIterator[AuthenticatedClient]:
    async def prepare(dsn: str) -> None:
        from importlib.resources import files

        from meshdev.testing import DEMO_END_DAY
        from sales_agent import seed

        async def seed_demo(conn: Any) -> None:
            await seed.seed(conn, DEMO_END_DAY)

        migrations = load_migrations(files("sales_agent") / "migrations")
        await prepare_database(dsn, "sales_agent", migrations, seed=seed_demo)

    template = await test_databases.template("sales_agent", prepare)
    dsn = await test_databases.clone(template)
    app = sales_agent.main.create_app(service_settings(sales_agent.config.Settings, dsn))
    async with LifespanManager(app) as manager:
        http = httpx.AsyncClient(
            base_url="http://sales-agent",
            transport=httpx.ASGITransport(manager.app),
            auth=ServiceTokenAuth(TokenMinter(TEST_SECRET, "gateway"), "sales-agent"),
        )
        async with AuthenticatedClient(
            base_url="http://sales-agent", token=""
        ).set_async_httpx_client(http) as client:
            yield client


def _tool(name: str, client: AuthenticatedClient) -> ContractTool:
    op = next(op for op in OPERATIONS if op.tool_name == name)
    return ContractTool(op, find_endpoint("sales_agent_client", op.operation_id), client)


async def test_a_read_tool_answers_with_the_agents_json(sales_client: AuthenticatedClient) -> None:
    tool = _tool("sales__list_top_items", sales_client)
    result = await tool.invoke(
        {"start": "2026-11-01", "end": "2026-11-22", "category": "catering", "limit": 2}
    )
    assert result["category"] == "catering"
    assert len(result["items"]) == 2


async def test_input_outside_the_schema_is_refused_before_any_call(
    sales_client: AuthenticatedClient,
) -> None:
    tool = _tool("sales__list_top_items", sales_client)
    with pytest.raises(InvalidToolInput, match="limit"):
        await tool.invoke({"start": "2026-11-01", "end": "2026-11-22", "limit": 500})
    with pytest.raises(InvalidToolInput, match="category"):
        await tool.invoke({"start": "2026-11-01", "end": "2026-11-22", "category": "pizza"})
    with pytest.raises(InvalidToolInput, match="Additional properties"):
        await tool.invoke({"start": "2026-11-01", "end": "2026-11-22", "colour": "red"})


async def test_an_agents_problem_becomes_a_tool_failure_with_its_detail(
    sales_client: AuthenticatedClient,
) -> None:
    tool = _tool("sales__get_sales_summary", sales_client)
    with pytest.raises(ToolFailed, match="sales-agent answered 422: end"):
        await tool.invoke({"start": "2026-11-22", "end": "2026-11-01"})
    location = _tool("sales__get_location", sales_client)
    with pytest.raises(ToolFailed, match="404"):
        await location.invoke({"location_id": "atlantis"})


async def test_an_unreachable_agent_is_a_tool_failure() -> None:
    from meshdev.testing import RefusingTransport

    http = httpx.AsyncClient(base_url="http://sales-agent", transport=RefusingTransport())
    client = AuthenticatedClient(base_url="http://sales-agent", token="")
    client.set_async_httpx_client(http)
    with pytest.raises(ToolFailed, match="not reachable"):
        await _tool("sales__list_locations", client).invoke({})
    await http.aclose()
