"""The committed contracts are the source of truth: code, contracts and clients agree."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from meshdev import contracts

TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
METHODS = {"get", "post", "put", "patch", "delete"}


def _document(service: contracts.Service) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(contracts.contract_path(service).read_text())
    return loaded


def _operations() -> list[tuple[str, str, str, dict[str, Any]]]:
    out = []
    for service in contracts.SERVICES:
        for path, item in _document(service)["paths"].items():
            for method, operation in item.items():
                if method in METHODS:
                    out.append((service.name, path, method, operation))
    return out


def test_committed_contracts_and_clients_match_the_code() -> None:
    problems = contracts.check_all()
    assert not problems, (
        "Code, committed contracts and generated clients disagree. "
        "Run `make contracts` and commit the result.\n" + "\n".join(problems)
    )


def test_contract_export_is_deterministic() -> None:
    for service in contracts.SERVICES:
        assert contracts.render_contract(service) == contracts.render_contract(service)


def test_operation_ids_are_unique_and_snake_case() -> None:
    seen: dict[str, str] = {}
    for service, path, method, operation in _operations():
        op_id = operation["operationId"]
        assert re.fullmatch(r"[a-z][a-z0-9_]*", op_id), f"{service} {method} {path}: {op_id}"
        key = f"{service}:{op_id}"
        assert key not in seen, f"{op_id} is used twice in {service}"
        seen[key] = path


def test_every_operation_is_documented_and_tagged() -> None:
    for service, path, method, operation in _operations():
        where = f"{service} {method.upper()} {path}"
        assert operation.get("summary"), f"{where} has no summary"
        assert len(operation.get("description", "")) >= 40, f"{where} needs a description"
        assert operation.get("tags"), f"{where} has no tag"


WEB_CHAT_PATHS = ("/agent/stream", "/agent/history", "/agent/approvals/")


def test_every_operation_requires_a_credential() -> None:
    for service, path, method, operation in _operations():
        # Telegram has its secret, web chat users their own tokens, services theirs.
        if path == "/telegram/webhook":
            expected: list[dict[str, list[str]]] = [{"TelegramWebhookSecret": []}]
        elif service == "gateway" and path.startswith(WEB_CHAT_PATHS):
            expected = [{"WebChatToken": []}]
        else:
            expected = [{"ServiceToken": []}]
        assert operation.get("security") == expected, f"{service} {path}"
        assert "401" in operation["responses"], f"{service} {method} {path} lacks its 401"


def test_errors_are_declared_as_problem_details() -> None:
    for service, path, method, operation in _operations():
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (
                    f"{service} {method} {path} {status}"
                )


@pytest.mark.parametrize("service", contracts.AGENTS, ids=lambda s: s.name)
def test_agent_tools_are_well_formed(service: contracts.Service) -> None:
    prefix = service.name.removesuffix("-agent")
    tools = []
    for item in _document(service)["paths"].values():
        for method, operation in item.items():
            tool = operation.get("x-agent-tool")
            if tool is None:
                continue
            name = f"{prefix}__{operation['operationId']}"
            assert TOOL_NAME.match(name), name
            assert set(tool) == {"effect", "approval", "idempotent", "cache_ttl_s"}, name
            assert tool["effect"] in {"read", "write", "destructive"}
            if tool["effect"] != "read":
                assert tool["approval"] is True, f"{name} writes without approval"
                assert tool["cache_ttl_s"] is None
            if method == "get":
                assert tool["effect"] == "read", f"{name}: GET must not write"
            tools.append(name)
    assert len(tools) >= 4, f"{service.name} offers too few tools: {tools}"
