"""The same two contracts give the same report, byte for byte, whatever the order of keys
and of lists whose order means nothing."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

from meshdev.contractdiff import diff_documents
from meshdev.contractdiff.operations import diff_directories
from meshdev.contractdiff.report import Review, render_json, render_markdown
from meshdev.contracts import contracts_dir

# Lists whose order carries no meaning in OpenAPI / JSON Schema (tags do: the first one
# places the operation in the generated client).
UNORDERED = {"parameters", "required", "enum", "anyOf", "oneOf", "security"}


def real_contract(name: str = "sales-agent") -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((contracts_dir() / "openapi" / f"{name}.json").read_text())
    return loaded


def shuffled(value: Any, rng: random.Random, key: str = "") -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: shuffled(v, rng, k) for k, v in items}
    if isinstance(value, list):
        items = [shuffled(v, rng) for v in value]
        if key in UNORDERED:
            rng.shuffle(items)
        return items
    return value


def broken(document: dict[str, Any]) -> dict[str, Any]:
    """Several kinds of change at once, on both sides."""
    out = copy.deepcopy(document)
    schemas = out["components"]["schemas"]
    del schemas["TopItem"]["properties"]["share_of_revenue"]
    schemas["TopItem"]["required"].remove("share_of_revenue")
    schemas["Category"]["enum"].append("brunch")
    schemas["AskRequest"]["properties"]["question"]["maxLength"] = 1000
    operation = out["paths"]["/sales/top-items"]["get"]
    for parameter in operation["parameters"]:
        if parameter["name"] == "limit":
            parameter["required"] = True
    operation["deprecated"] = True
    out["paths"]["/sales/daily"]["get"]["operationId"] = "get_daily_series"
    return out


def test_reordering_keys_and_unordered_lists_is_no_change() -> None:
    for name in ("sales-agent", "review-agent"):
        original = real_contract(name)
        for seed in range(5):
            reordered = shuffled(original, random.Random(seed))
            assert diff_documents(name, original, reordered).changes == ()


def test_change_ids_and_reports_do_not_depend_on_document_order(tmp_path: Path) -> None:
    old, new = real_contract(), broken(real_contract())
    reports = set()
    for seed in range(5):
        rng = random.Random(seed)
        left, right = tmp_path / f"old{seed}", tmp_path / f"new{seed}"
        left.mkdir()
        right.mkdir()
        (left / "sales-agent.json").write_text(json.dumps(shuffled(old, rng)))
        (right / "sales-agent.json").write_text(json.dumps(shuffled(new, rng)))
        review = Review(diff_directories(left, right, old_label="old", new_label="new"))
        reports.add(render_json(review) + render_markdown(review))
    assert len(reports) == 1


def test_every_kind_of_change_in_the_broken_contract_is_found() -> None:
    changes = diff_documents("sales-agent", real_contract(), broken(real_contract())).changes
    assert {(c.kind, c.side, c.breaking) for c in changes} == {
        ("property-removed", "response", True),
        ("enum-value-added", "request", False),
        ("enum-value-added", "response", True),
        ("limit-tightened", "request", True),
        ("parameter-became-required", "request", True),
        ("operation-deprecated", "request", False),
        ("operation-id-changed", "request", True),
    }
