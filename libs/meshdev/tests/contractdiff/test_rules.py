"""Every classification rule on a pair of small specs: each side, each verdict."""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

import pytest

from meshdev.contractdiff import diff_documents
from meshdev.contractdiff.model import Change

Schema = dict[str, Any]
Doc = dict[str, Any]

PROBLEM = {"type": "object", "properties": {"title": {"type": "string"}}}


def document(
    *,
    request: Schema | None = None,
    response: Schema | None = None,
    parameters: list[Schema] | None = None,
    components: dict[str, Schema] | None = None,
    operation: dict[str, Any] | None = None,
    responses: dict[str, Any] | None = None,
    security: list[dict[str, list[str]]] | None = None,
    path: str = "/items/{item_id}",
) -> Doc:
    """One operation, `POST /items/{item_id}`, with the given pieces."""
    op: dict[str, Any] = {
        "operationId": "make_item",
        "tags": ["items"],
        "parameters": [
            {
                "in": "path",
                "name": path.split("{")[1].rstrip("}") if "{" in path else "item_id",
                "required": True,
                "schema": {"type": "string"},
            },
            *(parameters or []),
        ],
        "responses": responses
        or {
            "200": {
                "description": "ok",
                "content": {"application/json": {"schema": response or {"type": "object"}}},
            },
            "404": {
                "description": "missing",
                "content": {"application/problem+json": {"schema": PROBLEM}},
            },
        },
        "security": security if security is not None else [{"ServiceToken": []}],
    }
    if request is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": request}},
        }
    op.update(operation or {})
    return {
        "openapi": "3.1.0",
        "info": {"title": "svc", "version": "1.0.0"},
        "paths": {path: {"post": op}},
        "components": {
            "schemas": components or {},
            "securitySchemes": {"ServiceToken": {"type": "http", "scheme": "bearer"}},
        },
    }


def on(side: str, old: Schema, new: Schema, **extra: Any) -> tuple[Doc, Doc]:
    """The same schema change placed in the request body or in the 200 response."""
    key = "request" if side == "request" else "response"
    old_kwargs: dict[str, Any] = {key: old}
    new_kwargs: dict[str, Any] = {key: new}
    for name, value in extra.items():
        if not name.startswith("new_"):
            old_kwargs[name.removeprefix("old_")] = value
        if not name.startswith("old_"):
            new_kwargs[name.removeprefix("new_")] = value
    return document(**old_kwargs), document(**new_kwargs)


def obj(properties: dict[str, Schema], required: list[str] | None = None, **rest: Any) -> Schema:
    return {"type": "object", "properties": properties, "required": required or [], **rest}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def param(name: str, schema: Schema, *, required: bool = False, **rest: Any) -> Schema:
    return {"in": "query", "name": name, "required": required, "schema": schema, **rest}


INT = {"type": "integer"}
STR = {"type": "string"}


class Rule(NamedTuple):
    docs: tuple[Doc, Doc]
    kind: str
    side: str
    breaking: bool


def rule(docs: tuple[Doc, Doc], kind: str, side: str, breaking: bool, name: str) -> Any:
    return pytest.param(Rule(docs, kind, side, breaking), id=name)


def both(
    name: str,
    old: Schema,
    new: Schema,
    kind: str,
    *,
    request: bool,
    response: bool,
    request_kind: str | None = None,
    **extra: Any,
) -> list[Any]:
    """One schema rule judged on each side: `request`/`response` are the verdicts."""
    return [
        rule(
            on("request", old, new, **extra),
            request_kind or kind,
            "request",
            request,
            f"{name}-request",
        ),
        rule(on("response", old, new, **extra), kind, "response", response, f"{name}-response"),
    ]


def with_param(old: Schema | None, new: Schema | None) -> tuple[Doc, Doc]:
    return (
        document(parameters=[old] if old else []),
        document(parameters=[new] if new else []),
    )


SCHEMA_RULES = [
    *both(
        "optional-property-added",
        obj({"a": INT}),
        obj({"a": INT, "b": INT}),
        "property-added",
        request=False,
        response=False,
    ),
    *both(
        "required-property-added",
        obj({"a": INT}),
        obj({"a": INT, "b": INT}, ["b"]),
        "property-added",
        request_kind="required-property-added",
        request=True,
        response=False,
    ),
    *both(
        "property-removed-from-forbidding-model",
        obj({"a": INT, "b": INT}, additionalProperties=False),
        obj({"a": INT}, additionalProperties=False),
        "property-removed",
        request=True,
        response=True,
    ),
    rule(
        on("request", obj({"a": INT, "b": INT}), obj({"a": INT})),
        "property-removed",
        "request",
        False,
        "property-removed-from-open-model-request",
    ),
    *both(
        "property-retyped",
        obj({"a": INT}),
        obj({"a": STR}),
        "type-changed",
        request=True,
        response=True,
    ),
    *both(
        "type-widened",
        obj({"a": INT}),
        obj({"a": {"type": "number"}}),
        "type-widened",
        request=False,
        response=True,
    ),
    *both(
        "type-narrowed",
        obj({"a": {"type": "number"}}),
        obj({"a": INT}),
        "type-narrowed",
        request=True,
        response=False,
    ),
    *both(
        "property-became-required",
        obj({"a": INT}),
        obj({"a": INT}, ["a"]),
        "property-became-required",
        request=True,
        response=False,
    ),
    *both(
        "property-became-optional",
        obj({"a": INT}, ["a"]),
        obj({"a": INT}),
        "property-became-optional",
        request=False,
        response=True,
    ),
    *both(
        "became-nullable",
        obj({"a": INT}),
        obj({"a": nullable(INT)}),
        "became-nullable",
        request=False,
        response=True,
    ),
    *both(
        "became-non-nullable",
        obj({"a": nullable(INT)}),
        obj({"a": INT}),
        "became-non-nullable",
        request=True,
        response=False,
    ),
    *both(
        "enum-value-added",
        {"enum": ["a", "b"], "type": "string"},
        {"enum": ["a", "b", "c"], "type": "string"},
        "enum-value-added",
        request=False,
        response=True,
    ),
    *both(
        "enum-value-removed",
        {"enum": ["a", "b"], "type": "string"},
        {"enum": ["a"], "type": "string"},
        "enum-value-removed",
        request=True,
        response=False,
    ),
    *both(
        "enum-added",
        STR,
        {"enum": ["a"], "type": "string"},
        "enum-added",
        request=True,
        response=False,
    ),
    *both(
        "enum-removed",
        {"enum": ["a"], "type": "string"},
        STR,
        "enum-removed",
        request=False,
        response=True,
    ),
    *both(
        "maximum-lowered",
        {**INT, "maximum": 50},
        {**INT, "maximum": 20},
        "limit-tightened",
        request=True,
        response=False,
    ),
    *both(
        "maximum-raised",
        {**INT, "maximum": 20},
        {**INT, "maximum": 50},
        "limit-loosened",
        request=False,
        response=True,
    ),
    *both(
        "minimum-raised",
        {**INT, "minimum": 1},
        {**INT, "minimum": 5},
        "limit-tightened",
        request=True,
        response=False,
    ),
    *both(
        "max-length-added",
        STR,
        {**STR, "maxLength": 10},
        "limit-tightened",
        request=True,
        response=False,
    ),
    *both(
        "min-length-removed",
        {**STR, "minLength": 1},
        STR,
        "limit-loosened",
        request=False,
        response=True,
    ),
    *both(
        "max-items-lowered",
        {"type": "array", "items": INT, "maxItems": 9},
        {"type": "array", "items": INT, "maxItems": 3},
        "limit-tightened",
        request=True,
        response=False,
    ),
    *both(
        "multiple-of-coarser",
        {**INT, "multipleOf": 5},
        {**INT, "multipleOf": 10},
        "limit-tightened",
        request=True,
        response=False,
    ),
    *both(
        "pattern-added",
        STR,
        {**STR, "pattern": "^[a-z]+$"},
        "pattern-added",
        request=True,
        response=False,
    ),
    *both(
        "pattern-removed",
        {**STR, "pattern": "^[a-z]+$"},
        STR,
        "pattern-removed",
        request=False,
        response=True,
    ),
    *both(
        "pattern-changed",
        {**STR, "pattern": "^[a-z]+$"},
        {**STR, "pattern": "^[0-9]+$"},
        "pattern-changed",
        request=True,
        response=True,
    ),
    *both(
        "format-added",
        STR,
        {**STR, "format": "email"},
        "format-added",
        request=True,
        response=False,
    ),
    *both(
        "format-removed",
        {**STR, "format": "email"},
        STR,
        "format-removed",
        request=False,
        response=True,
    ),
    *both(
        "client-typed-format-removed",
        {**STR, "format": "date"},
        STR,
        "format-removed",
        request=True,
        response=True,
    ),
    *both(
        "items-retyped",
        {"type": "array", "items": INT},
        {"type": "array", "items": STR},
        "type-changed",
        request=True,
        response=True,
    ),
    *both(
        "variant-added",
        {"anyOf": [INT, STR]},
        {"anyOf": [INT, STR, {"type": "boolean"}]},
        "variant-added",
        request=False,
        response=True,
    ),
    *both(
        "variant-removed",
        {"oneOf": [INT, STR]},
        {"oneOf": [INT]},
        "variant-removed",
        request=True,
        response=False,
    ),
    *both(
        "extra-properties-forbidden",
        obj({"a": INT}),
        obj({"a": INT}, additionalProperties=False),
        "additional-properties-forbidden",
        request=True,
        response=False,
    ),
    *both(
        "extra-properties-allowed",
        obj({"a": INT}, additionalProperties=False),
        obj({"a": INT}),
        "additional-properties-allowed",
        request=False,
        response=False,
    ),
    *both(
        "property-deprecated",
        obj({"a": INT}),
        obj({"a": {**INT, "deprecated": True}}),
        "deprecated",
        request=False,
        response=False,
    ),
    *both(
        "default-of-required-property-changed",
        obj({"a": {**INT, "default": 1}}, ["a"]),
        obj({"a": {**INT, "default": 2}}, ["a"]),
        "default-changed",
        request=False,
        response=False,
    ),
    rule(
        on("request", obj({"a": {**INT, "default": 1}}), obj({"a": {**INT, "default": 2}})),
        "default-changed",
        "request",
        True,
        "default-of-optional-property-changed-request",
    ),
]

PARAMETER_RULES = [
    rule(
        with_param(None, param("q", STR, required=True)),
        "required-parameter-added",
        "request",
        True,
        "required-parameter-added",
    ),
    rule(
        with_param(None, param("q", STR)),
        "parameter-added",
        "request",
        False,
        "optional-parameter-added",
    ),
    rule(
        with_param(param("q", STR), None), "parameter-removed", "request", True, "parameter-removed"
    ),
    rule(
        with_param(param("q", STR), param("q", STR, required=True)),
        "parameter-became-required",
        "request",
        True,
        "parameter-became-required",
    ),
    rule(
        with_param(param("q", STR, required=True), param("q", STR)),
        "parameter-became-optional",
        "request",
        False,
        "parameter-became-optional",
    ),
    rule(
        with_param(param("q", INT), param("q", STR)),
        "type-changed",
        "request",
        True,
        "parameter-retyped",
    ),
    rule(
        with_param(param("q", {**INT, "default": 10}), param("q", {**INT, "default": 20})),
        "default-changed",
        "request",
        True,
        "parameter-default-changed",
    ),
    rule(
        with_param(param("q", {**INT, "maximum": 50}), param("q", {**INT, "maximum": 99})),
        "limit-loosened",
        "request",
        False,
        "parameter-limit-loosened",
    ),
    rule(
        with_param(param("q", INT), param("q", INT, deprecated=True)),
        "parameter-deprecated",
        "request",
        False,
        "parameter-deprecated",
    ),
    rule(
        with_param(param("q", nullable(STR)), param("q", STR)),
        "became-non-nullable",
        "request",
        True,
        "parameter-no-longer-nullable",
    ),
]


def responses(*statuses: str) -> dict[str, Any]:
    return {
        s: {"description": s, "content": {"application/json": {"schema": {"type": "object"}}}}
        for s in statuses
    }


def media(*types: str) -> dict[str, Any]:
    """The default responses, with the 200 answered in several media types."""
    content = {t: {"schema": {"type": "object"}} for t in types}
    problem = {"application/problem+json": {"schema": PROBLEM}}
    return {
        "200": {"description": "ok", "content": content},
        "404": {"description": "missing", "content": problem},
    }


def removed_operation() -> tuple[Doc, Doc]:
    old = document()
    new = copy.deepcopy(old)
    new["paths"] = {}
    return old, new


def added_operation() -> tuple[Doc, Doc]:
    old, new = removed_operation()
    return new, old


OPERATION_RULES = [
    rule(removed_operation(), "operation-removed", "request", True, "operation-removed"),
    rule(added_operation(), "operation-added", "request", False, "operation-added"),
    rule(
        (document(responses=responses("200")), document(responses=responses("200", "201"))),
        "response-status-added",
        "response",
        True,
        "success-status-added",
    ),
    rule(
        (document(responses=responses("200", "201")), document(responses=responses("201"))),
        "response-status-removed",
        "response",
        True,
        "success-status-removed",
    ),
    rule(
        (document(responses=responses("200")), document(responses=responses("200", "409"))),
        "response-status-added",
        "response",
        False,
        "error-status-added",
    ),
    rule(
        (document(responses=responses("200", "409")), document(responses=responses("200"))),
        "response-status-removed",
        "response",
        False,
        "error-status-removed",
    ),
    rule((document(security=[]), document()), "security-added", "request", True, "security-added"),
    rule(
        (document(), document(security=[])),
        "security-removed",
        "request",
        False,
        "security-removed",
    ),
    rule(
        (document(), document(security=[{"ServiceToken": []}, {"ApiKey": []}])),
        "security-changed",
        "request",
        False,
        "security-alternative-added",
    ),
    rule(
        (document(), document(security=[{"ApiKey": []}])),
        "security-changed",
        "request",
        True,
        "security-replaced",
    ),
    rule(
        (
            document(security=[{"OAuth": ["read"]}]),
            document(security=[{"OAuth": ["read", "write"]}]),
        ),
        "security-changed",
        "request",
        True,
        "security-scope-added",
    ),
    rule(
        (document(), document(operation={"deprecated": True})),
        "operation-deprecated",
        "request",
        False,
        "operation-deprecated",
    ),
    rule(
        (document(), document(operation={"operationId": "create_item"})),
        "operation-id-changed",
        "request",
        True,
        "operation-id-renamed",
    ),
    rule(
        (document(), document(operation={"tags": ["things"]})),
        "tag-changed",
        "request",
        True,
        "first-tag-renamed",
    ),
    rule(
        (document(), document(operation={"tags": ["items", "extra"]})),
        "tags-changed",
        "request",
        False,
        "second-tag-added",
    ),
    rule(
        (document(), document(path="/items/{id}")),
        "path-parameter-renamed",
        "request",
        True,
        "path-parameter-renamed",
    ),
    rule(
        (document(), document(request={"type": "object"})),
        "required-request-body-added",
        "request",
        True,
        "required-request-body-added",
    ),
    rule(
        (document(), document(operation={"requestBody": {"content": {"text/plain": {}}}})),
        "request-body-added",
        "request",
        False,
        "optional-request-body-added",
    ),
    rule(
        (
            document(
                operation={"requestBody": {"content": {"text/plain": {}, "application/json": {}}}}
            ),
            document(operation={"requestBody": {"content": {"application/json": {}}}}),
        ),
        "media-type-removed",
        "request",
        True,
        "request-media-type-removed",
    ),
    rule(
        (
            document(operation={"requestBody": {"content": {"application/json": {}}}}),
            document(
                operation={"requestBody": {"content": {"text/plain": {}, "application/json": {}}}}
            ),
        ),
        "media-type-added",
        "request",
        False,
        "request-media-type-added",
    ),
    rule(
        (
            document(operation={"x-agent-tool": {"effect": "read"}}),
            document(operation={"x-agent-tool": {"effect": "write", "approval": True}}),
        ),
        "agent-tool-changed",
        "request",
        False,
        "agent-tool-changed",
    ),
    rule(
        (document(responses=media("application/json", "text/csv")), document()),
        "media-type-removed",
        "response",
        True,
        "response-media-type-removed",
    ),
    rule(
        (document(), document(responses=media("application/json", "text/csv"))),
        "media-type-added",
        "response",
        False,
        "response-media-type-added",
    ),
]


def split(title: str, key: str) -> dict[str, Schema]:
    return {key: {"title": title, **obj({"a": INT})}}


NAME_RULES = [
    rule(
        on(
            "response",
            {"$ref": "#/components/schemas/Item"},
            {"$ref": "#/components/schemas/Thing"},
            old_components=split("Item", "Item"),
            new_components=split("Thing", "Thing"),
        ),
        "schema-renamed",
        "response",
        True,
        "schema-renamed-with-same-structure",
    ),
    rule(
        on(
            "request",
            {"$ref": "#/components/schemas/Item"},
            {"$ref": "#/components/schemas/Item-Input"},
            old_components=split("Item", "Item"),
            new_components=split("Item", "Item-Input"),
        ),
        "schema-key-renamed",
        "request",
        False,
        "fastapi-input-split-keeps-class-name",
    ),
]


@pytest.mark.parametrize("case", [*SCHEMA_RULES, *PARAMETER_RULES, *OPERATION_RULES, *NAME_RULES])
def test_rule_is_classified(case: Rule) -> None:
    old, new = case.docs
    changes = diff_documents("svc", old, new).changes
    matching = [c for c in changes if c.kind == case.kind and c.side == case.side]
    assert matching, f"no {case.kind} on the {case.side} side in {_summary(changes)}"
    assert {c.breaking for c in matching} == {case.breaking}, _summary(matching)
    if not case.breaking:
        assert not [c for c in changes if c.breaking], _summary(changes)
    assert all(c.reason for c in changes)


def _summary(changes: tuple[Change, ...] | list[Change]) -> str:
    return "; ".join(f"{c.kind}/{c.side}/{'breaking' if c.breaking else 'ok'}" for c in changes)


def test_fastapi_anyof_null_type_list_and_3_0_nullable_are_the_same_nullability() -> None:
    spellings = [
        obj({"a": {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "null"}]}}),
        obj({"a": {"type": ["string", "null"], "maxLength": 5}}),
        obj({"a": {"type": "string", "maxLength": 5, "nullable": True}}),
    ]
    for old in spellings:
        for new in spellings:
            for side in ("request", "response"):
                assert diff_documents("svc", *on(side, old, new)).changes == ()


def test_inlining_a_component_with_the_same_structure_is_no_change() -> None:
    components = {"Item": {"title": "Item", **obj({"a": INT})}}
    old = {"$ref": "#/components/schemas/Item"}
    new = {"title": "Item", **obj({"a": INT})}
    docs = on("response", old, new, old_components=components, new_components=components)
    assert diff_documents("svc", *docs).changes == ()


def test_input_output_split_with_one_title_breaks_client_generation() -> None:
    shared = {"$ref": "#/components/schemas/Item"}
    old = document(request=shared, response=shared, components=split("Item", "Item"))
    new = document(
        request={"$ref": "#/components/schemas/Item-Input"},
        response={"$ref": "#/components/schemas/Item-Output"},
        components={**split("Item", "Item-Input"), **split("Item", "Item-Output")},
    )
    changes = diff_documents("svc", old, new).changes
    collisions = [c for c in changes if c.kind == "client-class-collision"]
    assert len(collisions) == 1
    assert collisions[0].breaking
    assert collisions[0].surface == "client"
    assert "Item-Input" in collisions[0].reason
    assert "Item-Output" in collisions[0].reason
    wire = [c for c in changes if c.surface == "wire"]
    assert wire == []


def test_renamed_schema_is_a_client_break_not_a_wire_change() -> None:
    docs = on(
        "response",
        {"$ref": "#/components/schemas/Item"},
        {"$ref": "#/components/schemas/Thing"},
        old_components=split("Item", "Item"),
        new_components=split("Thing", "Thing"),
    )
    (change,) = diff_documents("svc", *docs).changes
    assert change.surface == "client"
    assert "wire is unchanged" in change.reason
    assert "`Item` becomes `Thing`" in change.reason


def test_recursive_schemas_are_compared_once_per_cycle() -> None:
    def tree(extra: dict[str, Schema]) -> dict[str, Schema]:
        children = {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
        return {"Node": obj({"name": STR, "children": children, **extra}, ["name"])}

    docs = on(
        "response",
        {"$ref": "#/components/schemas/Node"},
        {"$ref": "#/components/schemas/Node"},
        old_components=tree({"size": INT}),
        new_components=tree({}),
    )
    (change,) = diff_documents("svc", *docs).changes
    assert change.kind == "property-removed"
    assert change.id == "svc:response:property-removed:#/components/schemas/Node/properties/size"


def test_a_change_in_a_shared_schema_is_one_change_listing_every_use() -> None:
    item = {"Item": obj({"a": INT, "b": INT}, ["a", "b"])}
    smaller = {"Item": obj({"a": INT}, ["a"])}
    old = document(response={"$ref": "#/components/schemas/Item"}, components=item)
    new = document(response={"$ref": "#/components/schemas/Item"}, components=smaller)
    old["paths"]["/other"] = copy.deepcopy(old["paths"]["/items/{item_id}"])
    new["paths"]["/other"] = copy.deepcopy(new["paths"]["/items/{item_id}"])
    for doc in (old, new):
        doc["paths"]["/other"]["post"]["operationId"] = "other"
        doc["paths"]["/other"]["post"]["parameters"] = []
    (change,) = diff_documents("svc", old, new).changes
    assert change.used_by == ("POST /items/{item_id} response 200", "POST /other response 200")
    assert change.operation == "POST /items/{item_id}"


def test_enum_component_change_is_judged_per_side_it_is_used_on() -> None:
    colour = {"Colour": {"title": "Colour", "type": "string", "enum": ["red"]}}
    more = {"Colour": {"title": "Colour", "type": "string", "enum": ["red", "blue"]}}
    ref = {"$ref": "#/components/schemas/Colour"}
    old = document(request=obj({"c": ref}), response=obj({"c": ref}), components=colour)
    new = document(request=obj({"c": ref}), response=obj({"c": ref}), components=more)
    verdicts = {(c.side, c.breaking) for c in diff_documents("svc", old, new).changes}
    assert verdicts == {("request", False), ("response", True)}


def test_security_scheme_redefined_breaks_its_users() -> None:
    old = document()
    new = copy.deepcopy(old)
    new["components"]["securitySchemes"]["ServiceToken"] = {
        "type": "apiKey",
        "in": "header",
        "name": "X-Key",
    }
    (change,) = diff_documents("svc", old, new).changes
    assert change.kind == "security-scheme-changed"
    assert change.breaking
    assert change.used_by == ("POST /items/{item_id} security",)


def test_service_removed_is_breaking_and_added_is_not() -> None:
    (removed,) = diff_documents("svc", document(), None).changes
    (added,) = diff_documents("svc", None, document()).changes
    assert (removed.kind, removed.breaking) == ("service-removed", True)
    assert (added.kind, added.breaking) == ("service-added", False)


def test_agent_tool_null_field_means_the_same_as_no_field() -> None:
    old = document(operation={"x-agent-tool": {"effect": "read", "approval": False}})
    new = document(
        operation={"x-agent-tool": {"effect": "read", "approval": False, "cache_ttl_s": None}}
    )
    assert diff_documents("svc", old, new).changes == ()
