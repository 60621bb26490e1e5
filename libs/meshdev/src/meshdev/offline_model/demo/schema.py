"""Just enough JSON Schema to read tool parameters and never send input that breaks them."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

Schema = Mapping[str, Any]


def resolve(schema: Schema, root: Schema) -> Schema:
    """Follow local `$ref`s (`#/$defs/...`, `#/components/schemas/...`)."""
    seen = 0
    while "$ref" in schema and seen < 32:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return {}
        target: Any = root
        for part in ref[2:].split("/"):
            if not isinstance(target, Mapping) or part not in target:
                return {}
            target = target[part]
        if not isinstance(target, Mapping):
            return {}
        extra = {key: value for key, value in schema.items() if key != "$ref"}
        schema = {**target, **extra}
        seen += 1
    return schema


@dataclass(frozen=True, slots=True)
class Param:
    """One input property, with nullable unions unwrapped."""

    name: str
    schema: Schema
    required: bool
    nullable: bool
    description: str

    @property
    def type(self) -> str | None:
        return json_type(self.schema)

    @property
    def enum(self) -> list[Any] | None:
        values = self.schema.get("enum")
        if isinstance(values, list):
            return values
        if "const" in self.schema:
            return [self.schema["const"]]
        return None

    @property
    def format(self) -> str | None:
        value = self.schema.get("format")
        return value if isinstance(value, str) else None


def json_type(schema: Schema) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return str(kinds[0]) if kinds else None
    if isinstance(kind, str):
        return kind
    if "enum" in schema:
        values = schema["enum"]
        if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
            return "string"
    if "properties" in schema:
        return "object"
    return None


def unwrap(schema: Schema, root: Schema) -> tuple[Schema, bool]:
    """The non-null branch of `anyOf: [X, {type: null}]` and whether null is allowed."""
    schema = resolve(schema, root)
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list):
            resolved = [resolve(option, root) for option in options if isinstance(option, Mapping)]
            non_null = [option for option in resolved if option.get("type") != "null"]
            nullable = len(non_null) < len(resolved)
            if len(non_null) == 1:
                outer = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
                merged = {**non_null[0], **outer}
                notes = [
                    str(s["description"]) for s in (outer, non_null[0]) if s.get("description")
                ]
                if notes:
                    # Both descriptions matter: the outer says what the parameter does, the
                    # inner what its values look like ("a location's slug, such as `x`").
                    merged["description"] = " ".join(dict.fromkeys(notes))
                return merged, nullable
            return schema, nullable
    kind = schema.get("type")
    nullable = isinstance(kind, list) and "null" in kind
    return schema, nullable


def params(input_schema: Schema) -> list[Param]:
    root = input_schema
    schema = resolve(input_schema, root)
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return []
    required = schema.get("required")
    required_names = set(required) if isinstance(required, list) else set()
    out = []
    for name, raw in properties.items():
        if not isinstance(raw, Mapping):
            continue
        inner, nullable = unwrap(raw, root)
        description = str(inner.get("description") or raw.get("description") or "")
        out.append(Param(str(name), inner, name in required_names, nullable, description))
    return out


def _type_ok(value: Any, kind: str) -> bool:
    checks: dict[str, bool] = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
        "null": value is None,
    }
    return checks.get(kind, True)


def _format_ok(value: str, fmt: str) -> bool:
    try:
        if fmt == "date":
            date.fromisoformat(value)
        elif fmt == "date-time":
            datetime.fromisoformat(value)
        elif fmt == "email":
            return re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) is not None
        elif fmt == "uuid":
            return (
                re.fullmatch(r"[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}", value)
                is not None
            )
    except ValueError:
        return False
    return True


def errors(value: Any, schema: Schema, root: Schema, where: str = "input") -> list[str]:
    """Why `value` breaks `schema` (empty when it conforms)."""
    schema = resolve(schema, root)
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if (
            isinstance(options, list)
            and options
            and all(errors(value, option, root, where) for option in options)
        ):
            return [f"{where}: matches none of the allowed shapes"]
    for option in schema.get("allOf", []) or []:
        found = errors(value, option, root, where)
        if found:
            return found
    kind = schema.get("type")
    if isinstance(kind, str) and not _type_ok(value, kind):
        return [f"{where}: should be {kind}"]
    if isinstance(kind, list) and not any(_type_ok(value, str(k)) for k in kind):
        return [f"{where}: should be one of {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: should be one of {schema['enum']}"]
    if "const" in schema and value != schema["const"]:
        return [f"{where}: should be {schema['const']!r}"]
    problems: list[str] = []
    if isinstance(value, str):
        if len(value) < int(schema.get("minLength", 0)):
            problems.append(f"{where}: too short")
        if "maxLength" in schema and len(value) > int(schema["maxLength"]):
            problems.append(f"{where}: too long")
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and re.search(pattern, value) is None:
            problems.append(f"{where}: does not match {pattern}")
        fmt = schema.get("format")
        if isinstance(fmt, str) and not _format_ok(value, fmt):
            problems.append(f"{where}: not a valid {fmt}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{where}: below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{where}: above {schema['maximum']}")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            problems.append(f"{where}: not above {schema['exclusiveMinimum']}")
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            problems.append(f"{where}: not below {schema['exclusiveMaximum']}")
        step = schema.get("multipleOf")
        if (
            isinstance(step, int | float)
            and step > 0
            and not math.isclose(value / step, round(value / step))
        ):
            problems.append(f"{where}: not a multiple of {step}")
    if isinstance(value, list):
        if len(value) < int(schema.get("minItems", 0)):
            problems.append(f"{where}: too few items")
        if "maxItems" in schema and len(value) > int(schema["maxItems"]):
            problems.append(f"{where}: too many items")
        items = schema.get("items")
        if isinstance(items, Mapping):
            for index, item in enumerate(value):
                problems.extend(errors(item, items, root, f"{where}[{index}]"))
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        for name in schema.get("required", []) or []:
            if name not in value:
                problems.append(f"{where}.{name}: required")
        for name, item in value.items():
            if name in properties:
                problems.extend(errors(item, properties[name], root, f"{where}.{name}"))
            elif schema.get("additionalProperties") is False:
                problems.append(f"{where}.{name}: not allowed")
    return problems
