"""Claude tools derived from the committed contracts, called through the generated clients.

Every operation marked `x-agent-tool` in `contracts/openapi/<service>.json` becomes a tool
named `<agent>__<operationId>` (`sales__get_sales_summary`). Its `input_schema` is the
operation's path and query parameters plus the properties of its JSON body, with every
`$ref` resolved; its description is the operation's summary and description. A call is
validated against that schema, converted to the generated client function's types and
made through it, so the request the agent receives is exactly what the contract promises.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
import json
import pkgutil
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Literal, Union
from uuid import UUID

import httpx
from anthropic.types import ToolParam
from jsonschema import Draft202012Validator

from meshkit.agent import Effect, InvalidToolInput, ToolFailed
from meshkit.openapi import EXTENSION
from meshkit.tools import describe

#: Claude's limit on tool names.
MAX_TOOL_NAME = 64
_METHODS = ("get", "post", "put", "patch", "delete")


class ContractError(RuntimeError):
    """A contract, or the generated client for it, cannot be turned into tools."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One `x-agent-tool` operation of one agent, as its contract describes it."""

    service: str
    operation_id: str
    method: str
    path: str
    description: str
    effect: Effect
    approval: bool
    idempotent: bool
    cache_ttl_s: int | None
    input_schema: dict[str, Any]
    #: Input property name -> where it goes: ("path" | "query" | "header", wire name).
    parameters: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Input properties that form the JSON body (empty when there is none).
    body: tuple[str, ...] = ()

    @property
    def agent(self) -> str:
        return self.service.removesuffix("-agent")

    @property
    def tool_name(self) -> str:
        return f"{self.agent}__{self.operation_id}"


def _resolve(node: Any, components: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """Inline every local `$ref`; a cycle is cut to an open object rather than looping."""
    if isinstance(node, list):
        return [_resolve(item, components, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name in seen:
            return {"type": "object"}
        target = components.get(name)
        if target is None:
            raise ContractError(f"unresolved reference {ref}")
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        return {**_resolve(target, components, (*seen, name)), **siblings}
    return {
        key: _resolve(value, components, seen)
        for key, value in node.items()
        # Titles are Pydantic's class names: noise to the model.
        if key != "title" or not isinstance(value, str)
    }


def _input_schema(
    operation: dict[str, Any], components: Mapping[str, Any], where: str
) -> tuple[dict[str, Any], dict[str, tuple[str, str]], tuple[str, ...]]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    parameters: dict[str, tuple[str, str]] = {}
    for parameter in operation.get("parameters", []):
        location = parameter["in"]
        if location not in ("path", "query", "header"):
            continue
        wire = parameter["name"]
        if location == "header" and wire.lower() == "idempotency-key":
            # The caller derives it (from the update and the tool call), never the model.
            continue
        # The generated client names parameters in snake case: Idempotency-Key -> idempotency_key.
        name = wire.lower().replace("-", "_")
        schema = _resolve(parameter.get("schema", {}), components)
        if parameter.get("description"):
            schema = {**schema, "description": parameter["description"]}
        properties[name] = schema
        parameters[name] = (location, wire)
        if parameter.get("required"):
            required.append(name)
    body: tuple[str, ...] = ()
    content = operation.get("requestBody", {}).get("content", {})
    if content:
        media = content.get("application/json")
        if media is None:
            raise ContractError(f"{where}: only JSON request bodies can become tools")
        schema = _resolve(media["schema"], components)
        if schema.get("type") != "object" or "properties" not in schema:
            raise ContractError(f"{where}: the request body must be an object")
        clash = set(schema["properties"]) & set(properties)
        if clash:
            raise ContractError(f"{where}: body fields {sorted(clash)} clash with parameters")
        properties.update(schema["properties"])
        required.extend(schema.get("required", []))
        body = tuple(schema["properties"])
    input_schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        input_schema["required"] = sorted(set(required))
    return input_schema, parameters, body


def load_operations(contract: Path) -> list[Operation]:
    """The `x-agent-tool` operations of one committed contract, in path order."""
    document = json.loads(contract.read_text())
    service = contract.stem
    components = document.get("components", {}).get("schemas", {})
    found = []
    for path, item in sorted(document.get("paths", {}).items()):
        for method in _METHODS:
            operation = item.get(method)
            if operation is None or EXTENSION not in operation:
                continue
            marker = operation[EXTENSION]
            where = f"{service} {method.upper()} {path}"
            schema, parameters, body = _input_schema(operation, components, where)
            found.append(
                Operation(
                    service=service,
                    operation_id=operation["operationId"],
                    method=method,
                    path=path,
                    description=describe(operation),
                    effect=marker["effect"],
                    approval=bool(marker["approval"]),
                    idempotent=bool(marker["idempotent"]),
                    cache_ttl_s=marker.get("cache_ttl_s"),
                    input_schema=schema,
                    parameters=parameters,
                    body=body,
                )
            )
    for op in found:
        if len(op.tool_name) > MAX_TOOL_NAME:
            raise ContractError(f"tool name {op.tool_name} exceeds {MAX_TOOL_NAME} characters")
    return found


# --- calling through the generated client ---------------------------------------------

Endpoint = Callable[..., Awaitable[Any]]


def find_endpoint(client_package: str, operation_id: str) -> Endpoint:
    """The generated `asyncio_detailed` function of an operation, wherever its tag put it."""
    api = importlib.import_module(f"{client_package}.api")
    for module in pkgutil.walk_packages(api.__path__, prefix=f"{client_package}.api."):
        if not module.ispkg and module.name.rsplit(".", 1)[-1] == operation_id:
            function: Endpoint = importlib.import_module(module.name).asyncio_detailed
            return function
    raise ContractError(f"{client_package} has no generated function for {operation_id}")


def _convert(value: Any, annotation: Any) -> Any:
    """A JSON value as the generated client's parameter type wants it."""
    if value is None or annotation is Any:
        return value
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        last: Exception | None = None
        for option in typing.get_args(annotation):
            if option is type(None) or getattr(option, "__name__", "") == "Unset":
                continue
            try:
                return _convert(value, option)
            except (ValueError, TypeError, KeyError) as exc:
                last = exc
        raise ValueError(f"{value!r} fits none of {annotation}") from last
    if origin is list:
        (item,) = typing.get_args(annotation)
        return [_convert(v, item) for v in value]
    if origin is Literal:
        return value
    if annotation is datetime.date:
        return datetime.date.fromisoformat(value)
    if annotation is datetime.datetime:
        return datetime.datetime.fromisoformat(value)
    if annotation is UUID:
        return UUID(str(value))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation(value)
    if hasattr(annotation, "from_dict"):
        return annotation.from_dict(value)
    if annotation is float and isinstance(value, int):
        return float(value)
    if isinstance(annotation, type) and not isinstance(value, annotation):
        raise TypeError(f"{value!r} is not a {annotation.__name__}")
    return value


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int
    body: Any


class ContractTool:
    """One contract operation as a tool; `invoke` makes the call (approval is the caller's
    business: the gateway decides whether to run a write now or ask first)."""

    def __init__(self, operation: Operation, endpoint: Endpoint, client: Any) -> None:
        self.operation = operation
        self._endpoint = endpoint
        self._client = client
        self._hints = typing.get_type_hints(endpoint)
        self._validator = Draft202012Validator(operation.input_schema)

    @property
    def name(self) -> str:
        return self.operation.tool_name

    @property
    def effect(self) -> Effect:
        return self.operation.effect

    def definition(self) -> ToolParam:
        return {
            "name": self.name,
            "description": self.operation.description,
            # Shared, not copied: nothing downstream writes to it (the SDK copies the request
            # body it sends), and a deep copy of every tool for every model call is CPU a
            # gateway with hundreds of turns in flight does not have.
            "input_schema": self.operation.input_schema,
        }

    def validate(self, raw: object) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise InvalidToolInput("Invalid input: expected an object.")
        errors = sorted(self._validator.iter_errors(raw), key=lambda e: list(e.path))
        if errors:
            parts = []
            for error in errors[:8]:
                where = ".".join(str(p) for p in error.path) or "input"
                parts.append(f"{where}: {error.message[:200]}")
            raise InvalidToolInput("Invalid input. " + "; ".join(parts))
        return raw

    def kwargs(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Arguments for the generated function: parameters by name, the body as a model."""
        out: dict[str, Any] = {}
        try:
            for name, value in arguments.items():
                if name in self.operation.body:
                    continue
                out[name] = _convert(value, self._hints[name])
            if self.operation.body:
                body = {k: v for k, v in arguments.items() if k in self.operation.body}
                out["body"] = _convert(body, self._hints["body"])
        except (ValueError, TypeError, KeyError) as exc:
            raise InvalidToolInput(f"Invalid input: {exc}") from None
        return out

    async def call(
        self, arguments: Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> Outcome:
        kwargs = self.kwargs(arguments)
        if idempotency_key is not None and "idempotency_key" in self._hints:
            kwargs["idempotency_key"] = idempotency_key
        try:
            response = await self._endpoint(client=self._client, **kwargs)
        except httpx.TimeoutException:
            raise ToolFailed(f"{self.operation.service} did not answer in time.") from None
        except httpx.TransportError:
            raise ToolFailed(f"{self.operation.service} is not reachable right now.") from None
        try:
            body = json.loads(response.content) if response.content else None
        except ValueError:
            body = response.content.decode("utf-8", "replace")[:2000]
        return Outcome(int(response.status_code), body)

    async def invoke(self, raw: object) -> Any:
        outcome = await self.call(self.validate(raw))
        if outcome.status >= 400:
            raise ToolFailed(_problem_text(self.operation.service, outcome))
        return outcome.body


def _problem_text(service: str, outcome: Outcome) -> str:
    body = outcome.body
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("title") or ""
        errors = body.get("errors")
        extra = f" {json.dumps(errors)[:800]}" if errors else ""
        return f"{service} answered {outcome.status}: {detail}{extra}"
    return f"{service} answered {outcome.status}."


def idempotency_key(*parts: str) -> str:
    """A stable key for a side-effecting call, so a retried turn never writes twice."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
