from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field

from meshdev.testing import app_client
from meshkit.app import build_app
from meshkit.errors import NotFound, problem_responses
from meshkit.openapi import agent_tool, render_openapi
from meshkit.pagination import InvalidCursor, decode_cursor, encode_cursor
from meshkit.settings import ServiceSettings, load_settings


class DemoSettings(ServiceSettings):
    service_name: ClassVar[str] = "demo-agent"


class ThingCreate(BaseModel):
    name: str = Field(max_length=20)


class ThingNotFound(NotFound):
    slug = "thing-not-found"
    title = "Thing not found"


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[dict[str, Any]]:
    yield {}


def demo_app(*, freeze: bool = False) -> FastAPI:
    settings = load_settings(DemoSettings, MAX_BODY_BYTES=2048, MESH_GC_FREEZE=freeze)
    app = build_app(
        settings,
        title="demo",
        description="demo",
        version="1",
        lifespan=lifespan,
        openapi_tags=[],
    )

    @app.post("/things", status_code=201, responses=problem_responses(422))
    async def create_thing(body: ThingCreate) -> ThingCreate:
        """Create a thing."""
        return body

    @app.get("/things/{thing_id}", openapi_extra=agent_tool("read"))
    async def get_thing(thing_id: int) -> ThingCreate:
        """Get a thing."""
        raise ThingNotFound(f"no thing {thing_id}", thing_id=thing_id)

    @app.get("/boom")
    async def boom() -> None:
        """Fail."""
        raise RuntimeError("database password is hunter2")

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(demo_app()) as client:
        yield client


async def test_the_heap_is_frozen_once_start_up_is_done() -> None:
    assert gc.get_freeze_count() == 0
    try:
        async with app_client(demo_app(freeze=True)) as client:
            # Everything start-up built (the app, its routes, the modules) is out of the
            # collector's walks from now on.
            frozen = gc.get_freeze_count()
            assert frozen > 10_000
            assert (await client.get("/healthz")).status_code == 200
    finally:
        gc.unfreeze()


async def test_a_test_app_leaves_the_heap_alone() -> None:
    async with app_client(demo_app()) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert gc.get_freeze_count() == 0


async def test_named_problem_carries_its_extensions(client: httpx.AsyncClient) -> None:
    response = await client.get("/things/7")
    assert response.status_code == 404
    assert response.json() == {
        "type": "https://errors.agent-mesh.dev/thing-not-found",
        "title": "Thing not found",
        "status": 404,
        "detail": "no thing 7",
        "instance": "/things/7",
        "thing_id": 7,
    }


async def test_unexpected_error_is_500_without_internals(client: httpx.AsyncClient) -> None:
    transport = httpx.ASGITransport(client._transport.app, raise_app_exceptions=False)  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as raw:
        response = await raw.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "hunter2" not in response.text


async def test_validation_problem_lists_fields_without_echoing_input(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/things", json={"name": "n" * 500, "extra": 1})
    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/validation-failed")
    assert body["errors"][0]["loc"] == ["body", "name"]
    assert "n" * 100 not in response.text


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/things", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


async def test_declared_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/things", json={"name": "x" * 5000})
    assert response.status_code == 413


async def test_streamed_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 1000

    response = await client.post(
        "/things", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_bad_content_length_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/things",
        content=b"{}",
        headers={"content-length": "-5", "content-type": "application/json"},
    )
    assert response.status_code == 400


def test_openapi_declares_problems_and_tools() -> None:
    document = render_openapi(demo_app())
    assert "HTTPValidationError" not in document
    assert '"x-agent-tool"' in document
    assert render_openapi(demo_app()) == document


def test_write_tools_cannot_skip_approval() -> None:
    with pytest.raises(ValueError, match="approval"):
        agent_tool("write", approval=False)
    assert agent_tool("write")["x-agent-tool"]["approval"] is True


def test_cursor_round_trip_and_forgery() -> None:
    cursor = encode_cursor("2026-11-22T10:00:00", "abc")
    assert decode_cursor(cursor, 2) == ["2026-11-22T10:00:00", "abc"]
    for bad in ("!!!", encode_cursor(1, 2, 3), "eyJ4IjogMX0"):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad, 2)
