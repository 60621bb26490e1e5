"""Schema comparison: two JSON Schemas from two documents, judged for one side of the wire.

Schemas are compared by structure, not by component name: `$ref`s are resolved in their own
document, FastAPI's `anyOf: [X, {"type": "null"}]` is read as "X, nullable", and a component
renamed (or split into `-Input`/`-Output`) with the same structure is no wire change. Names
still matter to the generated client, so renames are reported on the client surface.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from meshdev.contractdiff.documents import (
    ANY_TYPE,
    MISSING,
    Document,
    Node,
    Variant,
    enum_values,
    render,
    types_of,
)
from meshdev.contractdiff.model import Anchor, Recorder, Side, Use, escape
from meshdev.contractdiff.naming import component_class

_LOWER_BOUNDS: Final = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS: Final = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
# Formats openapi-python-client turns into a Python type other than `str`.
_CLIENT_TYPED_FORMATS: Final = {
    "date": "datetime.date",
    "date-time": "datetime.datetime",
    "uuid": "UUID",
    "binary": "File",
}


def _accepts(types: frozenset[str], kind: str) -> bool:
    return kind in types or (kind == "integer" and "number" in types)


def _types_text(types: frozenset[str]) -> str:
    return "any" if types == ANY_TYPE else " | ".join(sorted(types))


class SchemaComparer:
    """Compares schemas of one service's two documents and records what changed."""

    def __init__(self, old: Document, new: Document, recorder: Recorder) -> None:
        self.old = old
        self.new = new
        self.recorder = recorder

    def compare(
        self,
        old_raw: Any,
        new_raw: Any,
        *,
        side: Side,
        anchor: Anchor,
        use: Use,
        pointer: str = "",
        optional: bool = False,
    ) -> None:
        """Record every difference between two schemas used at the same place."""
        self._compare(old_raw, new_raw, _Place(side, anchor, use, pointer), optional, frozenset())

    def _compare(
        self,
        old_raw: Any,
        new_raw: Any,
        at: _Place,
        optional: bool,
        stack: frozenset[tuple[str | None, str | None]],
    ) -> None:
        old, new = self.old.node(old_raw), self.new.node(new_raw)
        self._site(old, new, at, optional)
        if len(old.variants) == 1 and len(new.variants) == 1:
            self._variant(old.variants[0], new.variants[0], at, stack)
        elif old.variants or new.variants:
            self._union(old, new, at, stack)

    def _add(
        self,
        at: _Place,
        kind: str,
        *,
        breaking: bool,
        reason: str,
        suffix: str = "",
        old: str | None = None,
        new: str | None = None,
        client: bool = False,
        side: Side | None = None,
    ) -> None:
        self.recorder.add(
            kind=kind,
            side=side or at.side,
            breaking=breaking,
            reason=reason,
            anchor=at.anchor,
            use=at.use,
            pointer=at.pointer + suffix,
            surface="client" if client else "wire",
            old=old,
            new=new,
        )

    def _site(self, old: Node, new: Node, at: _Place, optional: bool) -> None:
        """What belongs to the place using the schema: nullability, default, deprecation."""
        request = at.side == "request"
        if old.nullable != new.nullable and (old.variants or new.variants):
            if new.nullable:
                self._add(
                    at,
                    "became-nullable",
                    breaking=not request,
                    reason=(
                        "clients may now send null; everything they sent before is still valid"
                        if request
                        else "clients receive null where they relied on a value; the generated "
                        "client now types it `... | None`, so code using it unguarded breaks"
                    ),
                    old="not nullable",
                    new="nullable",
                )
            else:
                self._add(
                    at,
                    "became-non-nullable",
                    breaking=request,
                    reason=(
                        "clients that send null are now rejected with 422"
                        if request
                        else "clients never receive null here again; handling it stays harmless"
                    ),
                    old="nullable",
                    new="not nullable",
                )
        old_default = None if old.default is MISSING else old.default
        new_default = None if new.default is MISSING else new.default
        if old_default != new_default:
            if request and optional:
                breaking, reason = (
                    True,
                    f"clients that leave it out now get {render(new.default)} instead of "
                    f"{render(old.default)}: the same request asks for something else",
                )
            elif request:
                breaking, reason = (
                    False,
                    "it is required, so clients always send a value and the default never applies",
                )
            else:
                breaking, reason = (
                    False,
                    "a default in a response only documents what the server fills in; clients "
                    "read the value the server sends",
                )
            self._add(
                at,
                "default-changed",
                breaking=breaking,
                reason=reason,
                suffix="/default",
                old=render(old.default),
                new=render(new.default),
            )
        if old.deprecated != new.deprecated:
            self._add(
                at,
                "deprecated" if new.deprecated else "undeprecated",
                breaking=False,
                reason=(
                    "it still works; clients are told to move off it before it is removed"
                    if new.deprecated
                    else "it is supported again; nothing changes for clients"
                ),
                suffix="/deprecated",
                old=str(old.deprecated).lower(),
                new=str(new.deprecated).lower(),
            )

    def _union(
        self,
        old: Node,
        new: Node,
        at: _Place,
        stack: frozenset[tuple[str | None, str | None]],
    ) -> None:
        """Pair up anyOf/oneOf alternatives, then compare pairs and report the rest."""
        keyword = new.union or old.union or "anyOf"
        old_left = list(range(len(old.variants)))
        new_left = list(range(len(new.variants)))
        pairs: list[tuple[int, int]] = []

        def pair_by(key_old: Any, key_new: Any) -> None:
            for i in list(old_left):
                candidates = [j for j in new_left if key_new(j) == key_old(i)]
                if key_old(i) is not None and len(candidates) >= 1:
                    pairs.append((i, candidates[0]))
                    old_left.remove(i)
                    new_left.remove(candidates[0])

        pair_by(
            lambda i: self.old.fingerprint(old.variants[i]),
            lambda j: self.new.fingerprint(new.variants[j]),
        )
        pair_by(lambda i: _variant_name(old.variants[i]), lambda j: _variant_name(new.variants[j]))
        pair_by(
            lambda i: _unique_types(old.variants, old_left, i),
            lambda j: _unique_types(new.variants, new_left, j),
        )
        labels_old = _labels(old.variants)
        labels_new = _labels(new.variants)
        for i, j in sorted(pairs, key=lambda p: labels_new[p[1]]):
            inner = at.down(f"/{keyword}/{escape(labels_new[j])}")
            self._variant(old.variants[i], new.variants[j], inner, stack)
        request = at.side == "request"
        for i in old_left:
            self._add(
                at,
                "variant-removed",
                breaking=request,
                reason=(
                    "clients that send this alternative are now rejected with 422"
                    if request
                    else "clients no longer receive this alternative; handling it stays harmless"
                ),
                suffix=f"/{keyword}/{escape(labels_old[i])}",
                old=labels_old[i],
            )
        for j in new_left:
            self._add(
                at,
                "variant-added",
                breaking=not request,
                reason=(
                    "clients may send one more shape; what they sent before still matches"
                    if request
                    else "clients may receive a shape they were not built for; the generated "
                    "client's union has no member for it and fails to parse it"
                ),
                suffix=f"/{keyword}/{escape(labels_new[j])}",
                new=labels_new[j],
            )

    def _variant(
        self,
        old: Variant,
        new: Variant,
        at: _Place,
        stack: frozenset[tuple[str | None, str | None]],
    ) -> None:
        pair = (old.ref, new.ref)
        if old.ref is not None and new.ref is not None:
            if old.ref != new.ref:
                self._renamed(old, new, at)
            if pair in stack:
                return
            at = _Place(at.side, Anchor.component(new.ref), at.use, "")
        elif pair != (None, None) and pair in stack:
            return
        self._body(old.schema, new.schema, at, stack | {pair})

    def _renamed(self, old: Variant, new: Variant, at: _Place) -> None:
        assert old.ref is not None
        assert new.ref is not None
        old_class = component_class(old.ref, old.schema)
        new_class = component_class(new.ref, new.schema)
        same_wire = self.old.fingerprint(old) == self.new.fingerprint(new)
        wire = (
            "the JSON on the wire is unchanged"
            if same_wire
            else "its structure changes too (listed separately)"
        )
        where = _Place(
            at.side,
            Anchor(
                f"#/components/schemas/{escape(old.ref)}->{escape(new.ref)}", f"schema {old.ref}"
            ),
            at.use,
            "",
        )
        if old_class != new_class:
            self._add(
                where,
                "schema-renamed",
                breaking=True,
                client=True,
                reason=(
                    f"the generated client's class `{old_class}` becomes `{new_class}`: code "
                    f"that imports or builds `{old_class}` stops working when the client is "
                    f"regenerated; {wire}"
                ),
                old=f"{old.ref} (class {old_class})",
                new=f"{new.ref} (class {new_class})",
            )
        else:
            self._add(
                where,
                "schema-key-renamed",
                breaking=False,
                client=True,
                reason=(
                    f"the generated client names the class after the schema's title, so it "
                    f"stays `{new_class}`; {wire}"
                    if new_class
                    else f"it is a plain value type in the generated client, so no class "
                    f"changes name; {wire}"
                ),
                old=old.ref,
                new=new.ref,
            )

    def _body(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        at: _Place,
        stack: frozenset[tuple[str | None, str | None]],
    ) -> None:
        if not self._types(old, new, at):
            return
        self._enum(old, new, at)
        self._format(old, new, at)
        self._limits(old, new, at)
        self._pattern(old, new, at)
        old_types, new_types = types_of(old), types_of(new)
        if "object" in old_types and "object" in new_types:
            self._object(old, new, at, stack)
        if ("array" in old_types and "array" in new_types) and ("items" in old or "items" in new):
            self._compare(
                old.get("items", {}), new.get("items", {}), at.down("/items"), False, stack
            )

    def _types(self, old: dict[str, Any], new: dict[str, Any], at: _Place) -> bool:
        """Report a type change; False when the types share nothing left to compare."""
        old_types, new_types = types_of(old), types_of(new)
        widened = all(_accepts(new_types, t) for t in old_types)
        narrowed = all(_accepts(old_types, t) for t in new_types)
        if widened and narrowed:
            return True
        request = at.side == "request"
        texts = {"old": _types_text(old_types), "new": _types_text(new_types)}
        if widened:
            self._add(
                at,
                "type-widened",
                breaking=not request,
                reason=(
                    "clients may send more kinds of value; what they sent before is still valid"
                    if request
                    else "clients may receive a type they do not parse; the generated client's "
                    "field type changes"
                ),
                suffix="/type",
                old=texts["old"],
                new=texts["new"],
            )
            return True
        if narrowed:
            self._add(
                at,
                "type-narrowed",
                breaking=request,
                reason=(
                    "clients that send the types no longer listed are rejected with 422"
                    if request
                    else "clients receive fewer kinds of value than they already handle"
                ),
                suffix="/type",
                old=texts["old"],
                new=texts["new"],
            )
            return True
        self._add(
            at,
            "type-changed",
            breaking=True,
            reason=(
                "what clients send is no longer valid and the generated client's argument type "
                "changes"
                if request
                else "clients receive a type they do not parse; the generated client's field "
                "type changes"
            ),
            suffix="/type",
            old=texts["old"],
            new=texts["new"],
        )
        return False

    def _enum(self, old: dict[str, Any], new: dict[str, Any], at: _Place) -> None:
        old_values, new_values = enum_values(old), enum_values(new)
        request = at.side == "request"
        if old_values is None and new_values is None:
            return
        if old_values is None:
            self._add(
                at,
                "enum-added",
                breaking=request,
                reason=(
                    "values outside the new list, valid before, are now rejected with 422"
                    if request
                    else "clients now receive only listed values, a subset of what they handled"
                ),
                suffix="/enum",
                new=render(new_values),
            )
            return
        if new_values is None:
            self._add(
                at,
                "enum-removed",
                breaking=not request,
                reason=(
                    "clients may send any value; the listed ones are still valid"
                    if request
                    else "clients may receive values outside the list they were built for; the "
                    "generated client's enum type goes away"
                ),
                suffix="/enum",
                old=render(old_values),
            )
            return
        old_keys = {render(v): v for v in old_values}
        new_keys = {render(v): v for v in new_values}
        for key in sorted(old_keys.keys() - new_keys.keys()):
            self._add(
                at,
                "enum-value-removed",
                breaking=request,
                reason=(
                    f"clients that send `{key}` are rejected with 422, and the generated "
                    "enum loses the member they use"
                    if request
                    else f"clients never receive `{key}` again; code naming the generated "
                    "enum member only has to drop it when the client is regenerated"
                ),
                suffix=f"/enum/{escape(key)}",
                old=key,
            )
        for key in sorted(new_keys.keys() - old_keys.keys()):
            self._add(
                at,
                "enum-value-added",
                breaking=not request,
                reason=(
                    f"clients may also send `{key}`; what they sent before is still valid"
                    if request
                    else f"clients may receive `{key}`, which they do not know: the generated "
                    "client builds its enum from the value and raises ValueError on it"
                ),
                suffix=f"/enum/{escape(key)}",
                new=key,
            )

    def _format(self, old: dict[str, Any], new: dict[str, Any], at: _Place) -> None:
        old_format, new_format = old.get("format"), new.get("format")
        if old_format == new_format:
            return
        request = at.side == "request"
        kind = (
            "format-added"
            if old_format is None
            else "format-removed"
            if new_format is None
            else "format-changed"
        )
        values = {"old": render(old_format or MISSING), "new": render(new_format or MISSING)}
        if old_format in _CLIENT_TYPED_FORMATS or new_format in _CLIENT_TYPED_FORMATS:
            old_type = _CLIENT_TYPED_FORMATS.get(str(old_format), "str")
            new_type = _CLIENT_TYPED_FORMATS.get(str(new_format), "str")
            self._add(
                at,
                kind,
                breaking=True,
                reason=(
                    f"the generated client types it `{old_type}`, now `{new_type}`: code that "
                    f"{'passes' if request else 'reads'} it has to change"
                ),
                suffix="/format",
                old=values["old"],
                new=values["new"],
            )
            return
        if kind == "format-changed":
            breaking, reason = True, "values valid in one format are not in the other"
        elif kind == "format-added":
            breaking = request
            reason = (
                "values clients sent before may not match the format and are rejected"
                if request
                else "clients receive values of a stricter format than they already handle"
            )
        else:
            breaking = not request
            reason = (
                "clients may send any string; formatted values are still valid"
                if request
                else "clients may receive values that do not follow the format they relied on"
            )
        self._add(
            at,
            kind,
            breaking=breaking,
            reason=reason,
            suffix="/format",
            old=values["old"],
            new=values["new"],
        )

    def _limits(self, old: dict[str, Any], new: dict[str, Any], at: _Place) -> None:
        for keyword in (*_LOWER_BOUNDS, *_UPPER_BOUNDS, "multipleOf", "uniqueItems"):
            a, b = old.get(keyword), new.get(keyword)
            if a == b or (keyword == "uniqueItems" and bool(a) == bool(b)):
                continue
            tightened = _tightened(keyword, a, b)
            if tightened is None:
                self._add(
                    at,
                    "limit-changed",
                    breaking=True,
                    reason=f"neither {keyword} accepts all the values of the other",
                    suffix=f"/{keyword}",
                    old=render(a),
                    new=render(b),
                )
                continue
            self._bound(at, keyword, tightened, a, b)

    def _bound(self, at: _Place, keyword: str, tightened: bool, a: Any, b: Any) -> None:
        request = at.side == "request"
        old_text = render(a if a is not None else MISSING)
        new_text = render(b if b is not None else MISSING)
        if tightened:
            reason = (
                f"values clients could send before are now rejected with 422 ({keyword} "
                f"{old_text} → {new_text})"
                if request
                else "clients receive a subset of the values they already handle"
            )
        else:
            reason = (
                "every value clients sent before is still accepted"
                if request
                else f"clients may receive values outside the bound they were promised ({keyword} "
                f"{old_text} → {new_text}); sizes, ranges and parsers built on it break"
            )
        self._add(
            at,
            "limit-tightened" if tightened else "limit-loosened",
            breaking=request == tightened,
            reason=reason,
            suffix=f"/{keyword}",
            old=old_text,
            new=new_text,
        )

    def _pattern(self, old: dict[str, Any], new: dict[str, Any], at: _Place) -> None:
        a, b = old.get("pattern"), new.get("pattern")
        if a == b:
            return
        request = at.side == "request"
        values = {"old": render(a or MISSING), "new": render(b or MISSING)}
        if a is None:
            self._bound_pattern(at, "pattern-added", request, True, values)
        elif b is None:
            self._bound_pattern(at, "pattern-removed", request, False, values)
        else:
            self._add(
                at,
                "pattern-changed",
                breaking=True,
                reason="a changed pattern cannot be shown to accept what the old one did",
                suffix="/pattern",
                old=values["old"],
                new=values["new"],
            )

    def _bound_pattern(
        self, at: _Place, kind: str, request: bool, tightened: bool, values: dict[str, str]
    ) -> None:
        if tightened:
            reason = (
                "strings clients sent before may not match and are rejected with 422"
                if request
                else "clients receive strings of a narrower shape than they already handle"
            )
        else:
            reason = (
                "every string clients sent before is still accepted"
                if request
                else "clients may receive strings that do not match the pattern they relied on"
            )
        self._add(
            at,
            kind,
            breaking=request == tightened,
            reason=reason,
            suffix="/pattern",
            old=values["old"],
            new=values["new"],
        )

    def _object(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        at: _Place,
        stack: frozenset[tuple[str | None, str | None]],
    ) -> None:
        old_props: dict[str, Any] = old.get("properties") or {}
        new_props: dict[str, Any] = new.get("properties") or {}
        old_required = set(old.get("required") or [])
        new_required = set(new.get("required") or [])
        request = at.side == "request"
        forbids_extra = new.get("additionalProperties") is False
        for name in sorted(old_props.keys() | new_props.keys()):
            inner = at.down(f"/properties/{escape(name)}")
            if name not in new_props:
                if request:
                    breaking = forbids_extra
                    reason = (
                        f"clients that still send `{name}` are rejected with 422: the model "
                        'forbids unknown properties (additionalProperties: false, extra="forbid")'
                        if forbids_extra
                        else f"the model accepts unknown properties, so clients that still send "
                        f"`{name}` are accepted; the server ignores it"
                    )
                else:
                    breaking = True
                    reason = (
                        f"clients read `{name}` on every response and it is gone; the generated "
                        "model loses the attribute"
                        if name in old_required
                        else f"clients that read `{name}` when present never get it again; the "
                        "generated model loses the attribute"
                    )
                self._add(inner, "property-removed", breaking=breaking, reason=reason, old=name)
                continue
            if name not in old_props:
                required = name in new_required
                if request and required:
                    self._add(
                        inner,
                        "required-property-added",
                        breaking=True,
                        reason=f"clients built on the old contract do not send `{name}`; their "
                        "requests are rejected with 422",
                        new=name,
                    )
                else:
                    self._add(
                        inner,
                        "property-added",
                        breaking=False,
                        reason=(
                            f"`{name}` is optional; clients that leave it out are still valid"
                            if request
                            else f"clients ignore properties they do not know (the generated "
                            f"model reads only its own keys), so `{name}` is harmless"
                        ),
                        new=name,
                    )
                continue
            if (name in old_required) != (name in new_required):
                became_required = name in new_required
                breaking = request == became_required
                if became_required:
                    reason = (
                        f"clients that leave `{name}` out are now rejected with 422"
                        if request
                        else f"clients always receive `{name}` now; they already handled it"
                    )
                else:
                    reason = (
                        f"clients may leave `{name}` out; sending it is still valid"
                        if request
                        else f"clients may not receive `{name}` any more; the generated model "
                        "types it `Unset | ...`, so code reading it unguarded breaks"
                    )
                self._add(
                    inner,
                    "property-became-required" if became_required else "property-became-optional",
                    breaking=breaking,
                    reason=reason,
                    old="required" if not became_required else "optional",
                    new="required" if became_required else "optional",
                )
            self._compare(old_props[name], new_props[name], inner, name not in new_required, stack)
        self._additional(old, new, at, stack)

    def _additional(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        at: _Place,
        stack: frozenset[tuple[str | None, str | None]],
    ) -> None:
        a = old.get("additionalProperties", True)
        b = new.get("additionalProperties", True)
        request = at.side == "request"
        if a is not False and b is False:
            self._add(
                at,
                "additional-properties-forbidden",
                breaking=request,
                reason=(
                    "clients that send properties outside the schema are now rejected with 422"
                    if request
                    else "clients receive only the listed properties, as they expect"
                ),
                suffix="/additionalProperties",
                old=render(a),
                new="false",
            )
        elif a is False and b is not False:
            self._add(
                at,
                "additional-properties-allowed",
                breaking=False,
                reason=(
                    "clients may send more properties; what they sent before is still valid"
                    if request
                    else "clients ignore properties they do not know, as they do for added ones"
                ),
                suffix="/additionalProperties",
                old="false",
                new=render(b),
            )
        elif isinstance(a, dict) or isinstance(b, dict):
            self._compare(
                a if isinstance(a, dict) else {},
                b if isinstance(b, dict) else {},
                at.down("/additionalProperties"),
                False,
                stack,
            )


@dataclass(frozen=True, slots=True)
class _Place:
    side: Side
    anchor: Anchor
    use: Use
    pointer: str

    def down(self, suffix: str) -> _Place:
        return _Place(self.side, self.anchor, self.use, self.pointer + suffix)


def _tightened(keyword: str, a: Any, b: Any) -> bool | None:
    """True when the new bound admits fewer values, False when more, None when neither."""
    if keyword == "uniqueItems" or isinstance(a, bool) or isinstance(b, bool):
        # OpenAPI 3.0's boolean exclusiveMinimum/Maximum and uniqueItems: switching on narrows.
        return bool(b) and not bool(a)
    if a is None:
        return True
    if b is None:
        return False
    if not (isinstance(a, int | float) and isinstance(b, int | float)):
        return None
    if keyword == "multipleOf":
        if a and _is_multiple(b, a):
            return True
        if b and _is_multiple(a, b):
            return False
        return None
    return b > a if keyword in _LOWER_BOUNDS else b < a


def _is_multiple(value: float, of: float) -> bool:
    ratio = value / of
    return math.isclose(ratio, round(ratio), rel_tol=0, abs_tol=1e-9)


def _variant_name(variant: Variant) -> str | None:
    if variant.ref is None:
        return None
    return component_class(variant.ref, variant.schema) or variant.ref


def _unique_types(variants: tuple[Variant, ...], left: list[int], index: int) -> str | None:
    """The variant's types, when no other unpaired variant of its side shares them."""
    types = types_of(variants[index].schema)
    if sum(1 for i in left if types_of(variants[i].schema) == types) != 1:
        return None
    return _types_text(types)


def _labels(variants: tuple[Variant, ...]) -> list[str]:
    """Names for union members that survive reordering: component, else type."""
    labels = [v.ref or _types_text(types_of(v.schema)) for v in variants]
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if labels.count(label) == 1 else f"{label}#{seen[label]}")
    return out
