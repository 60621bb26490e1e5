"""A service's own operations as tools for its `ask` loop.

The tool's name, summary and description are the route's, so the operation a client calls,
the tool the gateway offers and the tool the agent's own loop uses read the same. Only
read operations qualify: a write needs the user's approval, which only the gateway (which
talks to the user) can ask for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

from meshkit.agent import Tool
from meshkit.openapi import EXTENSION

Binding = tuple[type[BaseModel], Callable[[Any], Awaitable[Any]]]


class NoInput(BaseModel):
    """For tools that take no arguments."""

    model_config = ConfigDict(extra="forbid")


def operations(app: FastAPI) -> dict[str, dict[str, Any]]:
    """The app's operations by operationId, as its published OpenAPI document has them."""
    found: dict[str, dict[str, Any]] = {}
    for item in app.openapi().get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                found[operation["operationId"]] = operation
    return found


def describe(operation: dict[str, Any]) -> str:
    summary = str(operation.get("summary", "")).strip().rstrip(".")
    description = " ".join(str(operation.get("description", "")).split())
    return f"{summary}. {description}" if summary else description


def local_tools(app: FastAPI, bindings: Mapping[str, Binding]) -> list[Tool[Any]]:
    """Tools for the operations named in `bindings`, described as the contract describes them."""
    published = operations(app)
    tools: list[Tool[Any]] = []
    for name, (input_model, handler) in bindings.items():
        operation = published.get(name)
        if operation is None:
            raise ValueError(f"no operation named {name!r} to describe the tool")
        marker = operation.get(EXTENSION)
        if marker is None or marker["effect"] != "read":
            raise ValueError(f"{name} is not a read tool; `ask` may only read")
        tools.append(Tool(name, describe(operation), input_model, handler))
    return tools


def read_tool_names(app: FastAPI, *, exclude: frozenset[str] = frozenset({"ask"})) -> set[str]:
    """Every read operation marked as a tool: what `local_tools` should cover."""
    return {
        name
        for name, operation in operations(app).items()
        if operation.get(EXTENSION, {}).get("effect") == "read" and name not in exclude
    }
