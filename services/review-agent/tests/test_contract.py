from __future__ import annotations

from meshdev.testing import TEST_SECRET
from meshkit.openapi import EXTENSION
from meshkit.settings import load_settings
from review_agent.config import Settings
from review_agent.main import create_app

EXPECTED = {
    "list_reviews": "read",
    "get_review": "read",
    "get_rating_summary": "read",
    "list_themes": "read",
    "create_review": "write",
    "draft_review_reply": "write",
    "post_review_reply": "write",
    "get_rating_vs_sales": "read",
    "ask": "read",
}


def test_operations_are_named_after_their_handlers_and_marked_as_tools() -> None:
    app = create_app(load_settings(Settings, MESH_ENV="test", MESH_SERVICE_SECRET=TEST_SECRET))
    document = app.openapi()
    operations = {
        op["operationId"]: op for item in document["paths"].values() for op in item.values()
    }
    assert set(operations) == set(EXPECTED)
    for name, operation in operations.items():
        assert len(operation["description"]) >= 80, name
        assert operation["summary"], name
        assert operation["tags"], name
        assert operation["security"] == [{"ServiceToken": []}], name
        assert "401" in operation["responses"], name
        assert "403" in operation["responses"], name
        tool = operation[EXTENSION]
        assert tool["effect"] == EXPECTED[name], name
        assert tool["approval"] is (tool["effect"] != "read"), name
    assert operations["create_review"][EXTENSION]["idempotent"] is False
    assert operations["draft_review_reply"][EXTENSION]["idempotent"] is True
    assert operations["post_review_reply"][EXTENSION]["idempotent"] is True
    assert "502" in operations["get_rating_vs_sales"]["responses"]
