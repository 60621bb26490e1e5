"""The policy: a breaking change ships only when announced, with a major version bump.

Announcements live in a committed TOML file (`contracts/announcements.toml`), one table per
breaking change:

    [[announcement]]
    id = "sales-agent:request:parameter-became-required:GET /sales/top-items#query.limit"
    service = "sales-agent"
    version = "1.0.0"
    reason = "Callers always send a limit; the default hid slow queries."

Each service's `info.version` follows semver against the base: breaking changes bump the
major version, any other contract change at least the minor version.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from meshdev.contractdiff.model import ContractDiff

ANNOUNCEMENTS = Path("contracts") / "announcements.toml"
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
_FIELDS = ("id", "service", "version", "reason")


@dataclass(frozen=True, slots=True, order=True)
class Version:
    major: int
    minor: int
    patch: int
    # "~" sorts after every pre-release tag, so 1.0.0 > 1.0.0-rc.1.
    pre: str = "~"

    @classmethod
    def parse(cls, text: str | None) -> Version | None:
        match = _SEMVER.match(text or "")
        if match is None:
            return None
        major, minor, patch, pre = match.groups()
        return cls(int(major), int(minor), int(patch), pre or "~")

    def next_major(self) -> str:
        return f"{self.major + 1}.0.0"

    def next_minor(self) -> str:
        return f"{self.major}.{self.minor + 1}.0"


@dataclass(frozen=True, slots=True)
class Announcement:
    id: str
    service: str
    version: str
    reason: str

    def to_toml(self) -> str:
        lines = ["[[announcement]]"]
        lines.extend(f"{name} = {_toml_string(getattr(self, name))}" for name in _FIELDS)
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Finding:
    level: Literal["error", "warning"]
    service: str
    message: str
    change_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "service": self.service,
            "message": self.message,
            "change_id": self.change_id,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """The policy applied to one diff: which breaking changes are announced, and what is
    wrong or stale."""

    source: str
    announced: frozenset[str] = frozenset()
    findings: tuple[Finding, ...] = ()
    # Ready-to-paste announcements for the breaking changes that have none.
    suggestions: tuple[Announcement, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return not any(f.level == "error" for f in self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "warning")

    def to_json(self) -> dict[str, Any]:
        return {
            "announcements": self.source,
            "passed": self.passed,
            "announced": sorted(self.announced),
            "findings": [f.to_json() for f in self.findings],
            "suggestions": [{name: getattr(s, name) for name in _FIELDS} for s in self.suggestions],
        }


def load_announcements(path: Path) -> tuple[list[Announcement], list[Finding]]:
    """The announcements in `path` (none when it does not exist), and what is wrong with
    the file itself."""
    if not path.exists():
        return [], []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return [], [Finding("error", "", f"{path} is not valid TOML: {exc}")]
    entries = data.get("announcement", [])
    if not isinstance(entries, list):
        return [], [Finding("error", "", f"{path}: `announcement` must be [[announcement]] tables")]
    announcements: list[Announcement] = []
    findings: list[Finding] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            findings.append(Finding("error", "", f"{path}: announcement #{number} is not a table"))
            continue
        missing = [
            name
            for name in _FIELDS
            if not isinstance(entry.get(name), str) or not entry[name].strip()
        ]
        service = str(entry.get("service", ""))
        if missing:
            findings.append(
                Finding(
                    "error",
                    service,
                    f"{path}: announcement #{number} needs {', '.join(missing)}",
                    str(entry.get("id")) if entry.get("id") else None,
                )
            )
            continue
        announcement = Announcement(**{name: entry[name].strip() for name in _FIELDS})
        if not announcement.id.startswith(f"{announcement.service}:"):
            findings.append(
                Finding(
                    "error",
                    announcement.service,
                    f"{path}: announcement #{number} names service `{announcement.service}`, "
                    "but its id belongs to another service",
                    announcement.id,
                )
            )
            continue
        announcements.append(announcement)
    return announcements, findings


def evaluate(
    diff: ContractDiff,
    announcements: list[Announcement],
    *,
    source: str,
    file_findings: list[Finding] | None = None,
) -> Verdict:
    findings = list(file_findings or [])
    by_id: dict[str, list[Announcement]] = {}
    for announcement in announcements:
        by_id.setdefault(announcement.id, []).append(announcement)
    announced: set[str] = set()
    suggestions: list[Announcement] = []
    for change_id, entries in sorted(by_id.items()):
        if len(entries) > 1:
            findings.append(
                Finding(
                    "warning", entries[0].service, "announced more than once; keep one", change_id
                )
            )
    for change in diff.breaking:
        service = diff.service(change.service)
        assert service is not None
        target = _target_version(service.old_version, service.new_version)
        matching = by_id.get(change.id)
        if not matching:
            findings.append(
                Finding(
                    "error",
                    change.service,
                    f"is breaking and not announced: {change.reason}",
                    change.id,
                )
            )
            suggestions.append(
                Announcement(
                    id=change.id,
                    service=change.service,
                    version=target,
                    reason="<why clients can take this break, and how they adapt>",
                )
            )
            continue
        entry = matching[0]
        if service.new_version is not None and entry.version != service.new_version:
            findings.append(
                Finding(
                    "error",
                    change.service,
                    f"announced for version {entry.version}, but the contract's info.version "
                    f"is {service.new_version}; they must agree (expected {target})",
                    change.id,
                )
            )
            continue
        announced.add(change.id)
    findings.extend(_version_findings(diff))
    findings.extend(_stale(diff, announcements))
    return Verdict(
        source=source,
        announced=frozenset(announced),
        findings=tuple(findings),
        suggestions=tuple(suggestions),
    )


def _target_version(old: str | None, new: str | None) -> str:
    """The version a breaking change needs: the next major above the base."""
    base = Version.parse(old)
    if base is None:
        return new or "1.0.0"
    current = Version.parse(new)
    if current is not None and current.major > base.major:
        return new or base.next_major()
    return base.next_major()


def _version_findings(diff: ContractDiff) -> list[Finding]:
    findings: list[Finding] = []
    for service in diff.services:
        if service.old_version is None or service.new_version is None:
            continue
        old, new = Version.parse(service.old_version), Version.parse(service.new_version)
        name = service.service
        if new is None:
            findings.append(
                Finding("error", name, f"info.version `{service.new_version}` is not semver")
            )
            continue
        if old is None:
            # The base predates the policy; from here on the new version is the reference.
            continue
        if new < old:
            findings.append(
                Finding(
                    "error",
                    name,
                    f"info.version went backwards: {service.old_version} → {service.new_version}",
                )
            )
        elif service.breaking and new.major <= old.major:
            findings.append(
                Finding(
                    "error",
                    name,
                    f"breaking changes need a major version bump: info.version is "
                    f"{service.new_version} (base {service.old_version}); set it to "
                    f"{old.next_major()}",
                )
            )
        elif service.changes and (new.major, new.minor) <= (old.major, old.minor):
            findings.append(
                Finding(
                    "error",
                    name,
                    f"contract changes need at least a minor version bump: info.version is "
                    f"{service.new_version} (base {service.old_version}); set it to "
                    f"{old.next_minor()}",
                )
            )
    return findings


def _stale(diff: ContractDiff, announcements: list[Announcement]) -> list[Finding]:
    present = {change.id for change in diff.changes}
    findings: list[Finding] = []
    for announcement in announcements:
        if announcement.id in present:
            continue
        service = diff.service(announcement.service)
        base = Version.parse(service.old_version if service else None)
        version = Version.parse(announcement.version)
        if base is not None and version is not None and version <= base:
            message = (
                f"stale: announced for {announcement.version}, which the base already "
                "publishes; delete the entry"
            )
        else:
            message = (
                "stale: matches no change in this diff (a mistyped id, or the change was "
                "reverted); fix the id or delete the entry"
            )
        findings.append(Finding("warning", announcement.service, message, announcement.id))
    return findings


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c >= " " else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'
