"""The review runs on every committed contract."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from meshdev.contractdiff import diff_documents
from meshdev.contractdiff.operations import METHODS, diff_directories, load_directory
from meshdev.contracts import contracts_dir


def committed() -> Path:
    return contracts_dir() / "openapi"


def test_committed_contracts_have_no_changes_against_themselves() -> None:
    diff = diff_directories(committed(), committed())
    assert diff.services
    assert diff.changes == ()
    assert {s.status for s in diff.services} == {"unchanged"}


def test_removing_each_operation_of_each_contract_is_one_breaking_change() -> None:
    for service, document in load_directory(committed()).items():
        for path, item in document["paths"].items():
            for method in (m for m in item if m in METHODS):
                smaller: dict[str, Any] = copy.deepcopy(document)
                del smaller["paths"][path][method]
                (change,) = diff_documents(service, document, smaller).changes
                assert (change.kind, change.breaking) == ("operation-removed", True)
                assert change.operation == f"{method.upper()} {path}"


def test_dropping_a_required_field_of_every_component_is_caught() -> None:
    """Each component loses a required property; the diff reports it wherever an operation
    reaches it, and as breaking wherever a response does."""
    for service, document in load_directory(committed()).items():
        schemas = document["components"]["schemas"]
        for name, schema in sorted(schemas.items()):
            required = schema.get("required") or []
            if not required or name == "ProblemDetails":
                continue
            smaller: dict[str, Any] = json.loads(json.dumps(document))
            target = smaller["components"]["schemas"][name]
            del target["properties"][required[0]]
            target["required"].remove(required[0])
            changes = diff_documents(service, document, smaller).changes
            pointer = f"#/components/schemas/{name}/properties/{required[0]}"
            removed = [c for c in changes if c.kind == "property-removed" and pointer in c.id]
            assert removed, f"{service} {name}.{required[0]}"
            assert all(c.breaking for c in removed if c.side == "response")
