"""The Markdown (pull-request comment, job summary) and JSON renderings of a review."""

from __future__ import annotations

import json
from typing import Any

from meshdev.contractdiff.operations import diff_services
from meshdev.contractdiff.policy import Announcement, evaluate
from meshdev.contractdiff.report import Review, render_json, render_markdown


def item(properties: dict[str, Any], version: str = "1.0.0") -> dict[str, Any]:
    body = {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "shop", "version": version},
        "paths": {
            "/items": {
                "get": {
                    "operationId": "list_items",
                    "parameters": [
                        {
                            "in": "query",
                            "name": "q",
                            "required": False,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": body}},
                        }
                    },
                }
            }
        },
    }


OLD = {"shop": item({"a|b": {"type": "integer"}, "name": {"type": "string"}})}
NEW = {
    "shop": item({"name": {"type": "string"}, "size": {"type": "integer"}}, "2.0.0"),
    "books": item({}),
}
DIFF = diff_services(OLD, NEW, old_label="git:base", new_label="working tree")
REMOVED = "shop:response:property-removed:GET /items#200.application/json/properties/a|b"
STAT = " contracts/clients/shop-client/shop_client/models/item.py | 4 +---\n 1 file changed\n"


def test_markdown_has_summary_table_breaking_first_and_collapsed_details() -> None:
    text = render_markdown(Review(DIFF, client_stat=STAT))
    assert text.startswith("## Contract review: ❌ 1 breaking change\n")
    assert "| service | version | status | breaking | non-breaking |" in text
    assert "| shop | `1.0.0` → `2.0.0` | ❌ changed | 1 | 1 |" in text
    assert "| books | `—` → `1.0.0` | ✅ added | 0 | 1 |" in text
    shop = text.index("### shop")
    assert text.index("**Breaking (1)**", shop) < text.index("Non-breaking changes (1)", shop)
    assert text.index("### shop") < text.index("### books")
    assert "<details>" in text
    assert "</details>" in text
    assert "schema `a\\|b`" not in text
    assert "`/properties/a\\|b`" in text
    assert "<summary>Generated clients: 1 file changed</summary>" in text
    assert "shop_client/models/item.py | 4 +---" in text


def test_markdown_marks_announced_changes_and_passes() -> None:
    verdict = evaluate(
        DIFF,
        [Announcement(REMOVED, "shop", "2.0.0", "Nobody reads it.")],
        source="contracts/announcements.toml",
    )
    text = render_markdown(Review(DIFF, verdict))
    assert text.startswith("## Contract review: ✅ 1 breaking, all announced\n")
    assert "| ✅ | property removed | `GET /items` |" in text


def test_json_report_lists_every_change_with_its_verdict() -> None:
    report = json.loads(render_json(Review(DIFF)))
    assert report["passed"] is False
    assert report["summary"] == {
        "services": 2,
        "changes": 3,
        "breaking": 1,
        "unannounced_breaking": 1,
    }
    changes = {c["id"]: c for c in report["changes"]}
    removed = changes[REMOVED]
    assert removed["breaking"] is True
    assert removed["side"] == "response"
    assert removed["location"] == "response 200 (application/json)"
    assert removed["pointer"] == "/properties/a|b"
    assert removed["used_by"] == ["GET /items response 200"]
    assert report["changes"][0]["id"] == REMOVED
    assert report["policy"] is None
    assert report["client_diff_stat"] is None


def test_no_changes_reads_as_such() -> None:
    same = diff_services(OLD, OLD, old_label="a", new_label="b")
    text = render_markdown(Review(same))
    assert text.startswith("## Contract review: ✅ no contract changes\n")
    assert "### " not in text
