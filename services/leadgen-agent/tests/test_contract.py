"""The operations as the gateway will see them: names, tools, effects."""

from __future__ import annotations

from typing import Any

import pytest

from leadgen_agent.config import Settings
from leadgen_agent.main import create_app
from meshkit.settings import load_settings

EXPECTED = {
    # operationId: (method, path, effect, approval, idempotent, cache_ttl_s)
    # Lead data is never cached: every read must reflect the writes just approved.
    "create_lead": ("post", "/leads", "write", True, False, None),
    "list_leads": ("get", "/leads", "read", False, True, None),
    "get_lead": ("get", "/leads/{lead_id}", "read", False, True, None),
    "update_lead_stage": ("post", "/leads/{lead_id}/stage", "write", True, True, None),
    "qualify_lead": ("post", "/leads/{lead_id}/qualification", "write", True, True, None),
    "get_pipeline_summary": ("get", "/leads/pipeline", "read", False, True, None),
    # Sales figures of past days, from sales-agent: safe to reuse for a while.
    "get_catering_capacity": (
        "get",
        "/locations/{location_id}/catering-capacity",
        "read",
        False,
        True,
        600,
    ),
    "ask": ("post", "/ask", "read", False, True, None),
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    settings = load_settings(Settings, MESH_ENV="test", LOG_LEVEL="WARNING")
    openapi: dict[str, Any] = create_app(settings).openapi()
    return openapi


def _operations(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        operation["operationId"]: (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def test_operations_are_exactly_the_leadgen_tools(document: dict[str, Any]) -> None:
    operations = _operations(document)
    assert set(operations) == set(EXPECTED)
    for op_id, (method, path, effect, approval, idempotent, ttl) in EXPECTED.items():
        got_method, got_path, operation = operations[op_id]
        assert (got_method, got_path) == (method, path)
        assert operation["x-agent-tool"] == {
            "effect": effect,
            "approval": approval,
            "idempotent": idempotent,
            "cache_ttl_s": ttl,
        }, op_id
        assert operation["summary"]
        assert len(operation["description"]) > 80, op_id
        assert operation["security"] == [{"ServiceToken": []}]


def test_models_are_named_for_the_domain(document: dict[str, Any]) -> None:
    schemas = set(document["components"]["schemas"])
    assert {"Lead", "LeadCreate", "LeadDetail", "LeadPage", "LeadStageUpdate"} <= schemas
    assert not [name for name in schemas if name.endswith(("Schema", "Response"))]


def test_enumerations_are_spelled_out_for_the_model(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["LocationId"]["enum"] == [
        "riverside",
        "old-town",
        "harbour-front",
        "university",
        "airport",
        "midtown",
    ]
    assert schemas["LeadStage"]["enum"] == [
        "new",
        "contacted",
        "qualified",
        "proposal",
        "won",
        "lost",
    ]
