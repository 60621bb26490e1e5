"""Operation-level comparison of two OpenAPI documents of one service, and of two
directories of documents (one `<service>.json` per service)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from meshdev.contractdiff.documents import ContractError, Document, render
from meshdev.contractdiff.model import (
    Anchor,
    ContractDiff,
    Recorder,
    ServiceDiff,
    Side,
    Use,
    escape,
)
from meshdev.contractdiff.naming import component_class, function_module, identifier, tag_package
from meshdev.contractdiff.schemas import SchemaComparer

METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
EXTENSION: Final = "x-agent-tool"
_PATH_PARAM: Final = re.compile(r"\{([^}/]+)\}")
# Serialisation defaults per parameter location (OpenAPI 3.x, "Style Values").
_DEFAULT_STYLE: Final = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


def load_directory(directory: Path) -> dict[str, dict[str, Any]]:
    """Every `<service>.json` in a directory, by service name."""
    documents: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ContractError(f"{path}: not a readable JSON document ({exc})") from exc
        if not isinstance(data, dict):
            raise ContractError(f"{path}: an OpenAPI document must be a JSON object")
        documents[path.stem] = data
    return documents


def diff_directories(
    old: Path, new: Path, *, old_label: str | None = None, new_label: str | None = None
) -> ContractDiff:
    return diff_services(
        load_directory(old),
        load_directory(new),
        old_label=old_label or str(old),
        new_label=new_label or str(new),
    )


def diff_services(
    old: dict[str, dict[str, Any]],
    new: dict[str, dict[str, Any]],
    *,
    old_label: str,
    new_label: str,
) -> ContractDiff:
    services = tuple(
        diff_documents(name, old.get(name), new.get(name))
        for name in sorted(old.keys() | new.keys())
    )
    return ContractDiff(old_label=old_label, new_label=new_label, services=services)


def diff_documents(
    service: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> ServiceDiff:
    """Every change between two versions of one service's contract."""
    recorder = Recorder(service)
    whole = Anchor("", "service")
    if old is None and new is None:
        raise ContractError(f"{service}: no document on either side")
    if old is None:
        assert new is not None
        recorder.add(
            kind="service-added",
            side="request",
            breaking=False,
            reason="a new service; no client depends on it yet",
            anchor=whole,
            use=None,
        )
        return ServiceDiff(service, None, _version(new), recorder.changes())
    if new is None:
        count = len(_operations(old))
        recorder.add(
            kind="service-removed",
            side="request",
            breaking=True,
            reason=f"all {count} operations are gone and its generated client has no contract",
            anchor=whole,
            use=None,
        )
        return ServiceDiff(service, _version(old), None, recorder.changes())
    _DocumentDiff(service, Document(old), Document(new), recorder).run()
    return ServiceDiff(service, _version(old), _version(new), recorder.changes())


def _version(document: dict[str, Any]) -> str:
    info = document.get("info")
    return str(info.get("version", "")) if isinstance(info, dict) else ""


@dataclass(frozen=True, slots=True)
class _Operation:
    method: str
    path: str
    operation: dict[str, Any]
    path_item: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.path)


def _template(path: str) -> str:
    """The path with its parameter names left out: `/a/{id}` and `/a/{a_id}` are one path."""
    return _PATH_PARAM.sub("{}", path)


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], _Operation]:
    out: dict[tuple[str, str], _Operation] = {}
    paths = document.get("paths") or {}
    for path in sorted(paths):
        item = paths[path]
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                out[(method, _template(path))] = _Operation(method, path, operation, item)
    return out


class _DocumentDiff:
    def __init__(self, service: str, old: Document, new: Document, recorder: Recorder) -> None:
        self.service = service
        self.old = old
        self.new = new
        self.recorder = recorder
        self.schemas = SchemaComparer(old, new, recorder)

    def run(self) -> None:
        old_ops, new_ops = _operations(self.old.data), _operations(self.new.data)
        for key in sorted(old_ops.keys() | new_ops.keys()):
            old_op, new_op = old_ops.get(key), new_ops.get(key)
            if new_op is None:
                assert old_op is not None
                self._removed(old_op)
            elif old_op is None:
                self._add(
                    new_op,
                    "operation-added",
                    side="request",
                    breaking=False,
                    reason="a new operation; existing calls are unaffected",
                )
            else:
                self._operation(old_op, new_op)
        self._security_schemes(new_ops)
        self._class_collisions()

    def _add(
        self,
        op: _Operation,
        kind: str,
        *,
        side: Side,
        breaking: bool,
        reason: str,
        part: str = "",
        location: str = "operation",
        where: str = "",
        client: bool = False,
        old: str | None = None,
        new: str | None = None,
    ) -> None:
        self.recorder.add(
            kind=kind,
            side=side,
            breaking=breaking,
            reason=reason,
            anchor=Anchor(f"{op.label}{part}", location, op.label),
            use=Use(op.label, where),
            surface="client" if client else "wire",
            old=old,
            new=new,
        )

    def _removed(self, op: _Operation) -> None:
        tag = tag_package(op.operation)
        module = f"api.{tag}.{function_module(op.operation, op.method, op.path)}"
        reason = f"clients calling it get 404/405, and the generated client loses `{module}`"
        if op.operation.get("deprecated"):
            # Deprecation warns clients; it does not make the removal safe for those who stayed.
            reason += "; it was deprecated, but removing it still breaks whoever calls it"
        self._add(op, "operation-removed", side="request", breaking=True, reason=reason)

    def _operation(self, old: _Operation, new: _Operation) -> None:
        self._names(old, new)
        if bool(old.operation.get("deprecated")) != bool(new.operation.get("deprecated")):
            deprecated = bool(new.operation.get("deprecated"))
            self._add(
                new,
                "operation-deprecated" if deprecated else "operation-undeprecated",
                side="request",
                breaking=False,
                reason=(
                    "it still works; clients are told to move off it before it is removed"
                    if deprecated
                    else "it is supported again; nothing changes for clients"
                ),
                old=str(not deprecated).lower(),
                new=str(deprecated).lower(),
            )
        self._security(old, new)
        self._parameters(old, new)
        self._request_body(old, new)
        self._responses(old, new)
        self._agent_tool(old, new)

    def _names(self, old: _Operation, new: _Operation) -> None:
        """Names the generated client and the gateway's tools are built from."""
        old_id, new_id = old.operation.get("operationId"), new.operation.get("operationId")
        if old_id != new_id:
            old_module = function_module(old.operation, old.method, old.path)
            new_module = function_module(new.operation, new.method, new.path)
            self._add(
                new,
                "operation-id-changed",
                side="request",
                breaking=True,
                client=True,
                reason=(
                    f"the generated client's `{old_module}` becomes `{new_module}` and the "
                    f"gateway's tool `<agent>__{old_id}` is renamed; the wire is unchanged"
                    if old_module != new_module
                    else f"the generated module keeps its name `{new_module}`, but the gateway's "
                    f"tool `<agent>__{old_id}` is renamed; the wire is unchanged"
                ),
                part="#operationId",
                old=render(old_id),
                new=render(new_id),
            )
        old_tag, new_tag = tag_package(old.operation), tag_package(new.operation)
        if old_tag != new_tag:
            self._add(
                new,
                "tag-changed",
                side="request",
                breaking=True,
                client=True,
                reason=(
                    f"the generated client files operations under their first tag: "
                    f"`api.{old_tag}` becomes `api.{new_tag}`, so imports of it break; "
                    "the wire is unchanged"
                ),
                part="#tags",
                old=render(old.operation.get("tags")),
                new=render(new.operation.get("tags")),
            )
        elif (old.operation.get("tags") or []) != (new.operation.get("tags") or []):
            self._add(
                new,
                "tags-changed",
                side="request",
                breaking=False,
                client=True,
                reason=(
                    "only the first tag places the operation in the generated client, and it "
                    "is unchanged"
                ),
                part="#tags",
                old=render(old.operation.get("tags")),
                new=render(new.operation.get("tags")),
            )
        old_params, new_params = old.path_params, new.path_params
        for old_name, new_name in zip(old_params, new_params, strict=False):
            if old_name != new_name:
                self._add(
                    new,
                    "path-parameter-renamed",
                    side="request",
                    breaking=True,
                    client=True,
                    reason=(
                        f"the URL is the same, but the generated client's argument "
                        f"`{identifier(old_name, 'field_')}` becomes "
                        f"`{identifier(new_name, 'field_')}`, so keyword calls break"
                    ),
                    part=f"#path.{escape(old_name)}",
                    location=f"path parameter {old_name}",
                    old=old_name,
                    new=new_name,
                )

    def _security(self, old: _Operation, new: _Operation) -> None:
        before = _alternatives(old.operation.get("security", self.old.data.get("security", [])))
        after = _alternatives(new.operation.get("security", self.new.data.get("security", [])))
        if before == after:
            return
        texts = {"old": _security_text(before), "new": _security_text(after)}
        before_open, after_open = _anonymous(before), _anonymous(after)
        if before_open and not after_open:
            kind, breaking = "security-added", True
            reason = "clients that call it without credentials now get 401"
        elif after_open and not before_open:
            kind, breaking = "security-removed", False
            reason = "credentials are no longer required; clients that send them still work"
        else:
            lost = [alt for alt in before if not _covered(alt, after)]
            kind, breaking = "security-changed", bool(lost)
            reason = (
                f"clients that authenticate with {_security_text(lost)} are no longer accepted"
                if lost
                else "every way clients authenticated before is still accepted"
            )
        self._add(
            new,
            kind,
            side="request",
            breaking=breaking,
            reason=reason,
            part="#security",
            location="security",
            old=texts["old"],
            new=texts["new"],
        )

    def _security_schemes(self, new_ops: dict[tuple[str, str], _Operation]) -> None:
        old_schemes = _security_schemes(self.old.data)
        new_schemes = _security_schemes(self.new.data)
        for name in sorted(old_schemes.keys() & new_schemes.keys()):
            before = {k: v for k, v in old_schemes[name].items() if k != "description"}
            after = {k: v for k, v in new_schemes[name].items() if k != "description"}
            if before == after:
                continue
            anchor = Anchor(
                f"#/components/securitySchemes/{escape(name)}", f"security scheme {name}"
            )
            users = [
                op
                for op in new_ops.values()
                if any(
                    name in alt
                    for alt in _alternatives(
                        op.operation.get("security", self.new.data.get("security", []))
                    )
                )
            ]
            uses: list[Use | None] = [Use(op.label, "security") for op in users] or [None]
            for use in uses:
                self.recorder.add(
                    kind="security-scheme-changed",
                    side="request",
                    breaking=True,
                    reason="clients present credentials the way the old scheme described",
                    anchor=anchor,
                    use=use,
                    old=render(before),
                    new=render(after),
                )

    def _parameters(self, old: _Operation, new: _Operation) -> None:
        before = self._parameter_map(old, self.old)
        after = self._parameter_map(new, self.new)
        for key in sorted(before.keys() | after.keys()):
            o, n = before.get(key), after.get(key)
            param = n or o
            assert param is not None
            place, name = param["in"], param["name"]
            label = f"{place} parameter {name}"
            part = f"#{place}.{escape(name)}"
            arg = identifier(name, "field_")
            if n is None:
                self._add(
                    new,
                    "parameter-removed",
                    side="request",
                    breaking=True,
                    reason=(
                        f"clients that still send `{name}` get 422 where the route's parameter "
                        'model forbids extra fields (extra="forbid"), or have it silently ignored; '
                        f"either way their call changes meaning. The generated function loses "
                        f"`{arg}`"
                    ),
                    part=part,
                    location=label,
                    where=label,
                    old=name,
                )
                continue
            if o is None:
                required = bool(n.get("required"))
                self._add(
                    new,
                    "required-parameter-added" if required else "parameter-added",
                    side="request",
                    breaking=required,
                    reason=(
                        f"clients built on the old contract do not send `{name}`; their calls "
                        "are rejected with 422 and the generated function gains a required "
                        f"`{arg}`"
                        if required
                        else f"`{name}` is optional; calls without it behave as before"
                    ),
                    part=part,
                    location=label,
                    where=label,
                    new=name,
                )
                continue
            self._parameter(new, o, n, part, label)

    def _parameter(
        self, op: _Operation, old: dict[str, Any], new: dict[str, Any], part: str, label: str
    ) -> None:
        name = new["name"]
        if bool(old.get("required")) != bool(new.get("required")):
            required = bool(new.get("required"))
            self._add(
                op,
                "parameter-became-required" if required else "parameter-became-optional",
                side="request",
                breaking=required,
                reason=(
                    f"clients that leave out `{name}` are now rejected with 422, and the "
                    "generated function's argument loses its default"
                    if required
                    else f"clients may leave out `{name}`; sending it still works"
                ),
                part=part,
                location=label,
                where=label,
                old="optional" if required else "required",
                new="required" if required else "optional",
            )
        if bool(old.get("deprecated")) != bool(new.get("deprecated")):
            deprecated = bool(new.get("deprecated"))
            self._add(
                op,
                "parameter-deprecated" if deprecated else "parameter-undeprecated",
                side="request",
                breaking=False,
                reason=(
                    "it still works; clients are told to stop sending it before it is removed"
                    if deprecated
                    else "it is supported again; nothing changes for clients"
                ),
                part=part + "/deprecated",
                location=label,
                where=label,
            )
        old_style = _style(old)
        new_style = _style(new)
        if old_style != new_style:
            self._add(
                op,
                "parameter-style-changed",
                side="request",
                breaking=True,
                reason="clients serialise the value the old way, which the server now reads "
                "differently",
                part=part + "/style",
                location=label,
                where=label,
                old=render(list(old_style)),
                new=render(list(new_style)),
            )
        self.schemas.compare(
            _parameter_schema(old),
            _parameter_schema(new),
            side="request",
            anchor=Anchor(f"{op.label}{part}", label, op.label),
            use=Use(op.label, label),
            optional=not new.get("required"),
        )

    def _parameter_map(
        self, op: _Operation, document: Document
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """Parameters by location and name; path parameters by position, because renaming
        one does not change the URL."""
        merged: dict[tuple[str, str], dict[str, Any]] = {}
        positions = {name: str(i) for i, name in enumerate(op.path_params)}
        for raw in [*op.path_item.get("parameters", []), *op.operation.get("parameters", [])]:
            param = document.deref(raw)
            if not isinstance(param, dict) or "name" not in param or "in" not in param:
                continue
            place, name = str(param["in"]), str(param["name"])
            if place == "path":
                key = (place, positions.get(name, name))
            elif place == "header":
                key = (place, name.lower())
            else:
                key = (place, name)
            merged[key] = param
        return merged

    def _request_body(self, old: _Operation, new: _Operation) -> None:
        before = self.old.deref(old.operation.get("requestBody"))
        after = self.new.deref(new.operation.get("requestBody"))
        if not before and not after:
            return
        label = "request body"
        if not after:
            self._add(
                new,
                "request-body-removed",
                side="request",
                breaking=True,
                reason="clients still send a body the operation no longer reads, and the "
                "generated function loses its `body` argument",
                part="#request",
                location=label,
                where=label,
            )
            return
        if not before:
            required = bool(after.get("required"))
            self._add(
                new,
                "required-request-body-added" if required else "request-body-added",
                side="request",
                breaking=required,
                reason=(
                    "clients built on the old contract send no body; they are rejected with 422"
                    if required
                    else "the body is optional; calls without it behave as before"
                ),
                part="#request",
                location=label,
                where=label,
            )
            return
        if bool(before.get("required")) != bool(after.get("required")):
            required = bool(after.get("required"))
            self._add(
                new,
                "request-body-became-required" if required else "request-body-became-optional",
                side="request",
                breaking=required,
                reason=(
                    "clients that send no body are now rejected with 422"
                    if required
                    else "clients may leave the body out; sending it still works"
                ),
                part="#request",
                location=label,
                where=label,
            )
        self._content(
            new,
            before.get("content") or {},
            after.get("content") or {},
            side="request",
            part="#request",
            label=label,
            optional=not after.get("required"),
        )

    def _responses(self, old: _Operation, new: _Operation) -> None:
        before = old.operation.get("responses") or {}
        after = new.operation.get("responses") or {}
        for status in sorted(set(before) | set(after), key=str):
            label = f"response {status}"
            success = str(status).startswith("2")
            if status not in after:
                self._add(
                    new,
                    "response-status-removed",
                    side="response",
                    breaking=success,
                    reason=(
                        f"clients written for {status} lose it: the generated client's parsed "
                        f"result for {status} goes away and the operation answers differently"
                        if success
                        else f"clients no longer receive {status}; handling it stays harmless"
                    ),
                    part=f"#{status}",
                    location=label,
                    where=label,
                    old=str(status),
                )
                continue
            if status not in before:
                self._add(
                    new,
                    "response-status-added",
                    side="response",
                    breaking=success,
                    reason=(
                        f"clients built on the old contract do not expect {status}: the "
                        "generated client returns None (or raises UnexpectedStatus) for a "
                        "status its contract did not declare"
                        if success
                        else "clients already treat an undeclared error status as a failure; "
                        "regenerated clients can also parse its body"
                    ),
                    part=f"#{status}",
                    location=label,
                    where=label,
                    new=str(status),
                )
                continue
            old_response = self.old.deref(before[status]) or {}
            new_response = self.new.deref(after[status]) or {}
            self._content(
                new,
                old_response.get("content") or {},
                new_response.get("content") or {},
                side="response",
                part=f"#{status}",
                label=label,
                optional=False,
            )

    def _content(
        self,
        op: _Operation,
        before: dict[str, Any],
        after: dict[str, Any],
        *,
        side: Side,
        part: str,
        label: str,
        optional: bool,
    ) -> None:
        request = side == "request"
        for media in sorted(before.keys() | after.keys()):
            where = f"{label} ({media})"
            if media not in after:
                self._add(
                    op,
                    "media-type-removed",
                    side=side,
                    breaking=True,
                    reason=(
                        f"clients that send {media} are rejected with 415"
                        if request
                        else f"clients that read {media} no longer get it"
                    ),
                    part=f"{part}.{media}",
                    location=where,
                    where=label,
                    old=media,
                )
                continue
            if media not in before:
                self._add(
                    op,
                    "media-type-added",
                    side=side,
                    breaking=False,
                    reason=(
                        f"clients may also send {media}; what they sent before still works"
                        if request
                        else "another representation; the ones clients read are still served"
                    ),
                    part=f"{part}.{media}",
                    location=where,
                    where=label,
                    new=media,
                )
                continue
            old_schema = (before[media] or {}).get("schema")
            new_schema = (after[media] or {}).get("schema")
            if old_schema is None and new_schema is None:
                continue
            self.schemas.compare(
                old_schema if old_schema is not None else {},
                new_schema if new_schema is not None else {},
                side=side,
                anchor=Anchor(f"{op.label}{part}.{media}", where, op.label),
                use=Use(op.label, label),
                optional=optional,
            )

    def _agent_tool(self, old: _Operation, new: _Operation) -> None:
        """The gateway turns `x-agent-tool` operations into Claude tools; API clients do not
        see the extension, so none of this breaks them, but reviewers should."""
        before = _extension(old.operation.get(EXTENSION))
        after = _extension(new.operation.get(EXTENSION))
        if before == after:
            return
        if before is None:
            kind, reason = "agent-tool-added", "the gateway offers it to Claude as a new tool"
        elif after is None:
            kind, reason = (
                "agent-tool-removed",
                "the gateway stops offering it to Claude; API clients are unaffected",
            )
        else:
            kind = "agent-tool-changed"
            approval = isinstance(after, dict) and after.get("approval")
            reason = (
                "the gateway now asks the user before running it"
                if approval and not (isinstance(before, dict) and before.get("approval"))
                else "the gateway reads it at start-up; API clients are unaffected"
            )
        self._add(
            new,
            kind,
            side="request",
            breaking=False,
            client=True,
            reason=reason,
            part=f"#{EXTENSION}",
            location=EXTENSION,
            old=None if before is None else render(before),
            new=None if after is None else render(after),
        )

    def _class_collisions(self) -> None:
        """Components that openapi-python-client would give the same class name.

        FastAPI splits a model into `X-Input` and `X-Output` when its two JSON schemas differ,
        and both keep the title `X`; the generator names classes after titles, keeps one
        and drops the other with a warning, which `mesh contracts export` treats as failure.
        """
        before = _classes(self.old.data)
        after = _classes(self.new.data)
        sides = _component_sides(self.new)
        for name in sorted(after):
            keys = after[name]
            if len(keys) < 2 or before.get(name) == keys:
                continue
            side: Side = (
                "response" if any("response" in sides.get(k, ()) for k in keys) else "request"
            )
            listed = ", ".join(f"`{k}`" for k in keys)
            self.recorder.add(
                kind="client-class-collision",
                side=side,
                breaking=True,
                reason=(
                    f"{listed} all become class `{name}` (the generator names classes after "
                    "schema titles), so the client generator keeps one, drops the other's "
                    "operations' parsed bodies and `mesh contracts export` fails; use one "
                    "schema for both directions or give them distinct titles"
                ),
                anchor=Anchor(f"class {name}", f"schemas {', '.join(keys)}"),
                use=None,
                surface="client",
                new=", ".join(keys),
            )


def _extension(value: Any) -> Any:
    """`x-agent-tool` with null fields left out: `"cache_ttl_s": null` and no `cache_ttl_s`
    both mean "not cached" to the gateway."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not None}
    return value


def _parameter_schema(param: dict[str, Any]) -> Any:
    if "schema" in param:
        return param["schema"]
    content = param.get("content")
    if isinstance(content, dict) and content:
        first = content[sorted(content)[0]]
        if isinstance(first, dict):
            return first.get("schema", {})
    return {}


def _style(param: dict[str, Any]) -> tuple[str, bool]:
    style = str(param.get("style", _DEFAULT_STYLE.get(str(param.get("in")), "simple")))
    explode = bool(param.get("explode", style == "form"))
    return style, explode


Alternative = dict[str, frozenset[str]]


def _alternatives(requirements: Any) -> list[Alternative]:
    """Security requirements as alternatives (any one will do), each a set of schemes
    (all of them needed) with their scopes."""
    out: list[Alternative] = []
    if not isinstance(requirements, list):
        return out
    for requirement in requirements:
        if isinstance(requirement, dict):
            out.append({str(k): frozenset(map(str, v or [])) for k, v in requirement.items()})
    return sorted(out, key=lambda a: _security_text([a]))


def _anonymous(alternatives: list[Alternative]) -> bool:
    return not alternatives or any(not alt for alt in alternatives)


def _covered(alternative: Alternative, candidates: list[Alternative]) -> bool:
    """Whether credentials satisfying `alternative` satisfy one of `candidates`."""
    return any(
        all(name in alternative and scopes <= alternative[name] for name, scopes in c.items())
        for c in candidates
    )


def _security_text(alternatives: Iterable[Alternative]) -> str:
    parts = []
    for alt in alternatives:
        names = [f"{n}[{','.join(sorted(s))}]" if s else n for n, s in sorted(alt.items())]
        parts.append(" + ".join(names) or "no credentials")
    return " or ".join(parts) or "no credentials"


def _security_schemes(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    return {k: v for k, v in schemes.items() if isinstance(v, dict)}


def _classes(document: dict[str, Any]) -> dict[str, list[str]]:
    schemas = (document.get("components") or {}).get("schemas") or {}
    by_class: dict[str, list[str]] = {}
    for key in sorted(schemas):
        schema = schemas[key]
        if isinstance(schema, dict):
            name = component_class(key, schema)
            if name is not None:
                by_class.setdefault(name, []).append(key)
    return by_class


def _component_sides(document: Document) -> dict[str, set[str]]:
    """Which side of the wire each component schema is reachable from."""
    sides: dict[str, set[str]] = {}
    followed: set[tuple[str, str]] = set()

    def walk(value: Any, side: str) -> None:
        pending = [value]
        while pending:
            item = pending.pop()
            if isinstance(item, dict):
                ref = item.get("$ref")
                if isinstance(ref, str) and (ref, side) not in followed:
                    followed.add((ref, side))
                    name, target = document.resolve(ref)
                    if ref.startswith("#/components/schemas/"):
                        sides.setdefault(name, set()).add(side)
                    pending.append(target)
                pending.extend(v for k, v in item.items() if k != "$ref")
            elif isinstance(item, list):
                pending.extend(item)

    for op in _operations(document.data).values():
        walk(
            [
                op.path_item.get("parameters", []),
                op.operation.get("parameters", []),
                op.operation.get("requestBody"),
            ],
            "request",
        )
        walk(op.operation.get("responses"), "response")
    return sides
