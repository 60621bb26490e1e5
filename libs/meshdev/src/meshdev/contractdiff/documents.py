"""One OpenAPI document as the review reads it: `$ref`s resolved within it, schemas
normalised to what a client sees, and structural fingerprints that ignore names.

FastAPI writes Optional as `anyOf: [X, {"type": "null"}]`; 3.1 also allows `type: [X,
"null"]` and 3.0 `nullable: true`. All three become "X, nullable" here, so only a real
change of nullability is reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

# Keywords that describe a value without constraining it: they never change the wire.
_ANNOTATIONS: Final = frozenset(
    {
        "title",
        "description",
        "examples",
        "example",
        "deprecated",
        "default",
        "readOnly",
        "writeOnly",
        "$comment",
        "externalDocs",
        "xml",
        "discriminator",
    }
)
# Keywords of a `$ref` sibling that belong to the place using the schema (a property or a
# parameter), not to the referenced component.
_SITE_KEYWORDS: Final = frozenset(
    {"title", "description", "examples", "example", "default", "deprecated"}
)
ANY_TYPE: Final = frozenset({"string", "number", "integer", "boolean", "object", "array"})
_SCHEMA_PREFIX: Final = "#/components/schemas/"
_MAX_REF_HOPS: Final = 64


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Final = _Missing()


class ContractError(ValueError):
    """A document the review cannot read (unresolvable `$ref`, `$ref` loop)."""


@dataclass(frozen=True, slots=True)
class Variant:
    """One non-null alternative of a schema; `ref` is the component it came from."""

    ref: str | None
    schema: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Node:
    """A schema as a client sees it: nullable or not, and its non-null alternatives."""

    nullable: bool
    variants: tuple[Variant, ...]
    default: Any
    deprecated: bool
    union: str


class Document:
    """One OpenAPI document, with `$ref` resolution and structural fingerprints."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._fingerprints: dict[str, str] = {}

    def resolve(self, ref: str) -> tuple[str, Any]:
        """The name and target of a local `$ref`: the component key for schemas, the whole
        reference otherwise."""
        if not ref.startswith("#"):
            raise ContractError(f"only local $refs are supported, not {ref!r}")
        target: Any = self.data
        for token in ref[1:].split("/")[1:] if ref != "#" else []:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(target, dict) and token in target:
                target = target[token]
            elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
                target = target[int(token)]
            else:
                raise ContractError(f"$ref {ref!r} does not resolve")
        name = ref[len(_SCHEMA_PREFIX) :] if ref.startswith(_SCHEMA_PREFIX) else ref
        return name.replace("~1", "/").replace("~0", "~"), target

    def deref(self, obj: Any) -> Any:
        """Follow `$ref`s of non-schema objects (parameters, bodies, responses)."""
        for _ in range(_MAX_REF_HOPS):
            if not (isinstance(obj, dict) and isinstance(obj.get("$ref"), str)):
                return obj
            obj = self.resolve(obj["$ref"])[1]
        raise ContractError("$ref chain too long (a $ref loop?)")

    def follow(self, raw: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """The schema a (possibly `$ref`) schema stands for, and the last component named."""
        schema, ref = raw, None
        for _ in range(_MAX_REF_HOPS):
            target_ref = schema.get("$ref")
            if not isinstance(target_ref, str):
                return schema, ref
            ref, target = self.resolve(target_ref)
            if not isinstance(target, dict):
                target = {} if target is True else {"not": {}}
            siblings = {k: v for k, v in schema.items() if k != "$ref" and k not in _SITE_KEYWORDS}
            schema = {**target, **siblings} if siblings else target
        raise ContractError("$ref chain too long (a $ref loop?)")

    def node(self, raw: Any) -> Node:
        if not isinstance(raw, dict):
            # Boolean schemas: `true` accepts anything, `false` nothing.
            schema: dict[str, Any] = {} if raw is not False else {"not": {}}
            return Node(False, (Variant(None, schema),), MISSING, False, "")
        followed, _ = self.follow(raw)
        union = next((k for k in ("anyOf", "oneOf") if isinstance(followed.get(k), list)), "")
        nullable, variants = self._flatten(raw, frozenset())
        return Node(
            nullable=nullable,
            variants=tuple(variants),
            default=raw.get("default", MISSING),
            deprecated=bool(raw.get("deprecated", False)),
            union=union,
        )

    def _flatten(self, raw: Any, seen: frozenset[str]) -> tuple[bool, list[Variant]]:
        if not isinstance(raw, dict):
            return False, [Variant(None, {} if raw is not False else {"not": {}})]
        schema, ref = self.follow(raw)
        if ref is not None and ref in seen:
            return False, [Variant(ref, schema)]
        seen = seen | {ref} if ref is not None else seen
        for keyword in ("anyOf", "oneOf"):
            alternatives = schema.get(keyword)
            if isinstance(alternatives, list):
                nullable, variants = False, []
                for alternative in alternatives:
                    alt_nullable, alt_variants = self._flatten(alternative, seen)
                    nullable |= alt_nullable
                    variants.extend(alt_variants)
                return nullable, variants
        parts = schema.get("allOf")
        if isinstance(parts, list) and parts:
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            if len(parts) == 1 and set(rest) <= _ANNOTATIONS:
                # Pydantic v1 and some generators wrap a lone $ref in allOf to annotate it.
                return self._flatten(parts[0], seen)
            return self._plain(self._merge_all(parts, rest), ref)
        return self._plain(schema, ref)

    def _merge_all(self, parts: list[Any], rest: dict[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        required: list[str] = []
        for part in [*parts, rest]:
            schema = self.follow(part)[0] if isinstance(part, dict) else {}
            properties.update(schema.get("properties", {}))
            required.extend(r for r in schema.get("required", []) if r not in required)
            merged.update({k: v for k, v in schema.items() if k not in ("properties", "required")})
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = required
        return merged

    @staticmethod
    def _plain(schema: dict[str, Any], ref: str | None) -> tuple[bool, list[Variant]]:
        nullable = schema.get("nullable") is True
        if "nullable" in schema:
            # OpenAPI 3.0's spelling of what 3.1 says with a "null" type.
            schema = {k: v for k, v in schema.items() if k != "nullable"}
        kind = schema.get("type")
        if kind == "null" or schema.get("const", MISSING) is None:
            return True, []
        if isinstance(kind, list) and "null" in kind:
            nullable = True
            rest = [k for k in kind if k != "null"]
            if not rest:
                return True, []
            schema = {**schema, "type": rest[0] if len(rest) == 1 else rest}
        enum = schema.get("enum")
        if isinstance(enum, list) and None in enum:
            nullable = True
            schema = {**schema, "enum": [v for v in enum if v is not None]}
        return nullable, [Variant(ref, schema)]

    def fingerprint(self, variant: Variant) -> str:
        """The structure of a variant with every name and annotation left out, so two
        schemas that accept and produce the same JSON have the same fingerprint."""
        if variant.ref is not None and variant.ref in self._fingerprints:
            return self._fingerprints[variant.ref]
        stack = (variant.ref,) if variant.ref is not None else ()
        text = json.dumps(self._canon_body(variant.schema, stack), sort_keys=True)
        if variant.ref is not None:
            self._fingerprints[variant.ref] = text
        return text

    def _canon(self, raw: Any, stack: tuple[str, ...]) -> Any:
        node = self.node(raw)
        variants = []
        for variant in node.variants:
            if variant.ref is not None and variant.ref in stack:
                # A cycle: name it by how far up it points, not by the component's name.
                variants.append({"$cycle": len(stack) - stack.index(variant.ref)})
                continue
            inner = (*stack, variant.ref) if variant.ref is not None else stack
            variants.append(self._canon_body(variant.schema, inner))
        variants.sort(key=lambda v: json.dumps(v, sort_keys=True))
        return {"nullable": node.nullable, "variants": variants}

    def _canon_body(self, schema: dict[str, Any], stack: tuple[str, ...]) -> Any:
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key in _ANNOTATIONS or key.startswith("x-"):
                continue
            if key in ("properties", "patternProperties") and isinstance(value, dict):
                out[key] = {name: self._canon(sub, stack) for name, sub in value.items()}
            elif key in ("items", "additionalProperties", "not", "contains", "propertyNames"):
                out[key] = self._canon(value, stack) if isinstance(value, dict) else value
            elif key == "prefixItems" and isinstance(value, list):
                out[key] = [self._canon(sub, stack) for sub in value]
            elif key in ("required", "enum", "type") and isinstance(value, list):
                out[key] = sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
            else:
                out[key] = value
        return out


def types_of(schema: dict[str, Any]) -> frozenset[str]:
    """The JSON types a schema admits; every type when it does not say."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return frozenset({kind})
    if isinstance(kind, list):
        return frozenset(k for k in kind if isinstance(k, str)) - {"null"}
    if "properties" in schema or "additionalProperties" in schema:
        return frozenset({"object"})
    if "items" in schema:
        return frozenset({"array"})
    values = enum_values(schema)
    if values:
        return frozenset(_json_type(v) for v in values)
    return ANY_TYPE


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def enum_values(schema: dict[str, Any]) -> list[Any] | None:
    if isinstance(schema.get("enum"), list):
        return [v for v in schema["enum"] if v is not None]
    if "const" in schema and schema["const"] is not None:
        return [schema["const"]]
    return None


def render(value: Any) -> str:
    """A schema value as a short, stable string for reports."""
    if value is MISSING:
        return "(none)"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
