"""End to end on a real agent: break sales-agent in code, render both contracts, and see
the review fail without an announcement and pass with one and a major version bump."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated

import pytest
from fastapi import APIRouter, FastAPI, Query
from fastapi.routing import APIRoute
from pydantic import Field
from typer.testing import CliRunner

import sales_agent.main
from meshdev.cli import app as mesh
from meshkit.openapi import render_openapi
from meshkit.settings import load_settings
from sales_agent.config import Settings
from sales_agent.deps import PoolDep
from sales_agent.main import create_app
from sales_agent.models import TopItemList, TopItemsQuery
from sales_agent.routes import sales as sales_routes
from sales_agent.services import sales

LIMIT_REQUIRED = "sales-agent:request:parameter-became-required:GET /sales/top-items#query.limit"


class StrictTopItemsQuery(TopItemsQuery):
    """The breaking edit under test: `limit` loses its default, so callers must send it."""

    limit: int = Field(ge=1, le=50, description="How many items to return.")


async def list_top_items(
    pool: PoolDep, query: Annotated[StrictTopItemsQuery, Query()]
) -> TopItemList:
    """The menu items that sold best in a period, by revenue or units, optionally for one
    location or one category (for example `catering` to see catering volume)."""
    return await sales.list_top_items(pool, query)


def sales_agent_app(version: str | None = None) -> FastAPI:
    app = create_app(load_settings(Settings, MESH_ENV="test", LOG_LEVEL="WARNING"))
    if version is not None:
        app.version = version
    return app


def router_with_limit_required() -> APIRouter:
    """sales-agent's sales router with `GET /sales/top-items` rebuilt around the stricter
    query model; everything else about the route (tags, problems, x-agent-tool) is kept."""
    router = APIRouter()
    for route in sales_routes.router.routes:
        if not (isinstance(route, APIRoute) and route.name == "list_top_items"):
            router.routes.append(route)
            continue
        router.add_api_route(
            route.path,
            list_top_items,
            response_model=route.response_model,
            tags=list(route.tags),
            summary=route.summary,
            description=route.description,
            responses=route.responses,
            methods=sorted(route.methods or ()),
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
        )
    return router


@pytest.fixture
def break_sales_agent(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Makes the next `create_app` mount the broken router, as if the code were edited."""

    def apply() -> None:
        broken = SimpleNamespace(router=router_with_limit_required())
        monkeypatch.setattr(sales_agent.main, "sales", broken)

    return apply


def export(app: FastAPI, directory: Path) -> Path:
    directory.mkdir()
    (directory / "sales-agent.json").write_text(render_openapi(app))
    return directory


def diff(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(mesh, ["contracts", "diff", *args])
    return result.exit_code, result.output


def test_making_an_optional_query_parameter_required_fails_the_diff(
    tmp_path: Path, break_sales_agent: Callable[[], None]
) -> None:
    old = export(sales_agent_app(), tmp_path / "old")
    break_sales_agent()
    new = export(sales_agent_app(), tmp_path / "new")

    code, output = diff(str(old), str(new), "--format", "json")

    assert code == 1
    report = json.loads(output)
    breaking = [c for c in report["changes"] if c["breaking"]]
    assert [c["id"] for c in breaking] == [LIMIT_REQUIRED]
    (change,) = breaking
    assert change["operation"] == "GET /sales/top-items"
    assert change["location"] == "query parameter limit"
    assert change["side"] == "request"
    assert "rejected with 422" in change["reason"]


def test_the_markdown_report_tells_the_reviewer_what_to_announce(
    tmp_path: Path, break_sales_agent: Callable[[], None]
) -> None:
    old = export(sales_agent_app(), tmp_path / "old")
    break_sales_agent()
    new = export(sales_agent_app(), tmp_path / "new")
    announcements = tmp_path / "announcements.toml"
    announcements.write_text("")

    code, output = diff(str(old), str(new), "--announcements", str(announcements))

    assert code == 1
    assert output.startswith("## Contract review: ❌ 1 unannounced breaking change")
    assert f'id = "{LIMIT_REQUIRED}"' in output
    assert 'version = "1.0.0"' in output
    assert "set it to 1.0.0" in output


def test_announced_break_with_a_major_bump_passes(
    tmp_path: Path, break_sales_agent: Callable[[], None]
) -> None:
    old = export(sales_agent_app(), tmp_path / "old")
    break_sales_agent()
    new = export(sales_agent_app(version="1.0.0"), tmp_path / "new")
    announcements = tmp_path / "announcements.toml"
    announcements.write_text(
        "[[announcement]]\n"
        f'id = "{LIMIT_REQUIRED}"\n'
        'service = "sales-agent"\n'
        'version = "1.0.0"\n'
        'reason = "Every caller already sends a limit; an explicit one keeps queries cheap."\n'
    )

    code, output = diff(str(old), str(new), "--announcements", str(announcements))

    assert code == 0, output
    assert output.startswith("## Contract review: ✅ 1 breaking, all announced")


def test_announced_break_without_the_version_bump_still_fails(
    tmp_path: Path, break_sales_agent: Callable[[], None]
) -> None:
    old = export(sales_agent_app(), tmp_path / "old")
    break_sales_agent()
    new = export(sales_agent_app(), tmp_path / "new")
    announcements = tmp_path / "announcements.toml"
    announcements.write_text(
        "[[announcement]]\n"
        f'id = "{LIMIT_REQUIRED}"\n'
        'service = "sales-agent"\n'
        'version = "1.0.0"\n'
        'reason = "Every caller already sends a limit."\n'
    )

    code, output = diff(
        str(old), str(new), "--announcements", str(announcements), "--format", "json"
    )

    assert code == 1
    messages = [f["message"] for f in json.loads(output)["policy"]["findings"]]
    published = json.loads((old / "sales-agent.json").read_text())["info"]["version"]
    assert any(f"info.version is {published}" in m for m in messages), messages
    assert any("major version bump" in m for m in messages), messages
