"""What a contract review finds: one `Change` per difference, grouped per service."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

Side = Literal["request", "response"]
# "wire": what travels over HTTP changes. "client": the wire is the same but the generated
# client (or the gateway's tools) see a different name or shape.
Surface = Literal["wire", "client"]


@dataclass(frozen=True, slots=True)
class Change:
    """One classified difference between two versions of a service's contract.

    `id` is built from the service, side, kind and where the change sits, never from
    positions in lists or from the run, so the same change has the same id on every run
    and can be named in an announcement.
    """

    id: str
    service: str
    operation: str
    location: str
    pointer: str
    side: Side
    kind: str
    breaking: bool
    reason: str
    surface: Surface = "wire"
    old: str | None = None
    new: str | None = None
    used_by: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "service": self.service,
            "operation": self.operation,
            "location": self.location,
            "pointer": self.pointer,
            "side": self.side,
            "kind": self.kind,
            "breaking": self.breaking,
            "reason": self.reason,
            "surface": self.surface,
            "old": self.old,
            "new": self.new,
            "used_by": list(self.used_by),
        }


ServiceStatus = Literal["added", "removed", "changed", "unchanged"]


@dataclass(frozen=True, slots=True)
class ServiceDiff:
    service: str
    old_version: str | None
    new_version: str | None
    changes: tuple[Change, ...] = ()

    @property
    def status(self) -> ServiceStatus:
        if self.old_version is None:
            return "added"
        if self.new_version is None:
            return "removed"
        return "changed" if self.changes else "unchanged"

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)

    @property
    def non_breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if not c.breaking)


@dataclass(frozen=True, slots=True)
class ContractDiff:
    old_label: str
    new_label: str
    services: tuple[ServiceDiff, ...] = field(default_factory=tuple)

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(c for s in self.services for c in s.changes)

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)

    def service(self, name: str) -> ServiceDiff | None:
        return next((s for s in self.services if s.service == name), None)


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a group of changes sits: one operation's parameter, body or response, or a
    component schema shared by several operations.

    Changes inside a component are anchored to the component, so a property removed from a
    schema that eight operations return is one change used by eight operations, not eight.
    """

    key: str
    location: str
    operation: str | None = None

    @classmethod
    def component(cls, name: str) -> Anchor:
        return cls(f"#/components/schemas/{escape(name)}", f"schema {name}")


@dataclass(frozen=True, slots=True)
class Use:
    """An operation's position that reached a change: `GET /sales/daily` `response 200`."""

    operation: str
    where: str

    def __str__(self) -> str:
        return f"{self.operation} {self.where}" if self.where else self.operation


def escape(token: str) -> str:
    """One JSON-pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(slots=True)
class _Pending:
    change: Change
    uses: set[str]
    operations: set[str]


class Recorder:
    """Collects the changes of one service, merging the same change reached from several
    operations into one entry that lists them all."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._pending: dict[str, _Pending] = {}

    def add(
        self,
        *,
        kind: str,
        side: Side,
        breaking: bool,
        reason: str,
        anchor: Anchor,
        use: Use | None,
        pointer: str = "",
        surface: Surface = "wire",
        old: str | None = None,
        new: str | None = None,
    ) -> None:
        where = f"{anchor.key}{pointer}"
        change_id = f"{self.service}:{side}:{kind}" + (f":{where}" if where else "")
        pending = self._pending.get(change_id)
        if pending is None:
            change = Change(
                id=change_id,
                service=self.service,
                operation=anchor.operation or "",
                location=anchor.location,
                pointer=pointer,
                side=side,
                kind=kind,
                breaking=breaking,
                reason=reason,
                surface=surface,
                old=old,
                new=new,
            )
            pending = self._pending[change_id] = _Pending(change, set(), set())
        if use is not None:
            pending.uses.add(str(use))
            pending.operations.add(use.operation)

    def changes(self) -> tuple[Change, ...]:
        out = []
        for change_id in sorted(self._pending):
            pending = self._pending[change_id]
            operation = pending.change.operation or min(pending.operations, default="")
            out.append(
                replace(pending.change, operation=operation, used_by=tuple(sorted(pending.uses)))
            )
        return tuple(out)
