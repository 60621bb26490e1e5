"""The review as Markdown (a pull-request comment or job summary) and as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from meshdev.contractdiff.model import Change, ContractDiff, ServiceDiff
from meshdev.contractdiff.policy import ANNOUNCEMENTS, Verdict

ReportFormat = Literal["markdown", "json"]
_CLIENT_STAT_LINES = 60


@dataclass(frozen=True, slots=True)
class Review:
    """A diff, the policy applied to it (None: every breaking change fails), and the
    generated clients' file diff stat when the two sides are git trees."""

    diff: ContractDiff
    verdict: Verdict | None = None
    client_stat: str | None = None

    @property
    def passed(self) -> bool:
        if self.verdict is not None:
            return self.verdict.passed
        return not self.diff.breaking

    def announced(self, change: Change) -> bool | None:
        if self.verdict is None or not change.breaking:
            return None
        return change.id in self.verdict.announced

    def unannounced(self, changes: tuple[Change, ...]) -> int:
        return sum(1 for c in changes if c.breaking and not self.announced(c))


def render(review: Review, report_format: ReportFormat) -> str:
    return render_json(review) if report_format == "json" else render_markdown(review)


def render_json(review: Review) -> str:
    diff = review.diff
    changes = []
    for change in _ordered(diff.changes):
        item = change.to_json()
        item["announced"] = review.announced(change)
        changes.append(item)
    document: dict[str, Any] = {
        "old": diff.old_label,
        "new": diff.new_label,
        "passed": review.passed,
        "summary": {
            "services": len(diff.services),
            "changes": len(diff.changes),
            "breaking": len(diff.breaking),
            "unannounced_breaking": review.unannounced(diff.changes),
        },
        "services": [
            {
                "service": s.service,
                "status": s.status,
                "old_version": s.old_version,
                "new_version": s.new_version,
                "breaking": len(s.breaking),
                "unannounced_breaking": review.unannounced(s.changes),
                "non_breaking": len(s.non_breaking),
            }
            for s in diff.services
        ],
        "changes": changes,
        "policy": review.verdict.to_json() if review.verdict else None,
        "client_diff_stat": review.client_stat,
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_markdown(review: Review) -> str:
    diff = review.diff
    out: list[str] = [f"## Contract review: {_headline(review)}", ""]
    out.append(
        f"Compared `{diff.old_label}` (old) with `{diff.new_label}` (new): "
        f"{_count(len(diff.services), 'service')}, {_count(len(diff.changes), 'change')}, "
        f"{len(diff.breaking)} breaking."
    )
    out.append("")
    out.extend(_summary_table(review))
    out.extend(_policy(review))
    for service in sorted(
        (s for s in diff.services if s.changes),
        key=lambda s: (-review.unannounced(s.changes), -len(s.breaking), s.service),
    ):
        out.extend(_service_section(review, service))
    out.extend(_client_stat(review))
    return "\n".join(out).rstrip() + "\n"


def _headline(review: Review) -> str:
    diff = review.diff
    unannounced = review.unannounced(diff.changes) if review.verdict else len(diff.breaking)
    if not review.passed:
        if unannounced:
            qualifier = "unannounced breaking" if review.verdict else "breaking"
            return f"❌ {_count(unannounced, qualifier + ' change')}"
        return "❌ the version policy is not met"
    if diff.breaking:
        return f"✅ {len(diff.breaking)} breaking, all announced"
    if diff.changes:
        return f"✅ no breaking changes ({len(diff.changes)} non-breaking)"
    return "✅ no contract changes"


def _summary_table(review: Review) -> list[str]:
    policy = review.verdict is not None
    header = "| service | version | status | breaking |"
    rule = "| --- | --- | --- | ---: |"
    if policy:
        header += " unannounced |"
        rule += " ---: |"
    lines = [header + " non-breaking |", rule + " ---: |"]
    for service in review.diff.services:
        versions = _versions(service)
        mark = "❌" if _service_fails(review, service) else "✅"
        row = f"| {service.service} | {versions} | {mark} {service.status} "
        row += f"| {len(service.breaking)} |"
        if policy:
            row += f" {review.unannounced(service.changes)} |"
        lines.append(row + f" {len(service.non_breaking)} |")
    return [*lines, ""]


def _service_fails(review: Review, service: ServiceDiff) -> bool:
    if review.verdict is None:
        return bool(service.breaking)
    return any(f.service == service.service for f in review.verdict.errors)


def _versions(service: ServiceDiff) -> str:
    old, new = service.old_version, service.new_version
    if old == new:
        return f"`{new}`"
    return f"`{old or '—'}` → `{new or '—'}`"


def _policy(review: Review) -> list[str]:
    verdict = review.verdict
    if verdict is None:
        if not review.diff.breaking:
            return []
        return [
            "Breaking changes fail the review unless announced in "
            f"`{ANNOUNCEMENTS.as_posix()}` (run with `--announcements`).",
            "",
        ]
    if not verdict.findings:
        return []
    out = ["### What to fix" if verdict.errors else "### Notes", ""]
    for finding in (*verdict.errors, *verdict.warnings):
        mark = "❌" if finding.level == "error" else "⚠️"
        who = f"**{finding.service}** " if finding.service else ""
        change = f"`{finding.change_id}` " if finding.change_id else ""
        out.append(f"- {mark} {who}{change}{_cell(finding.message)}")
    out.append("")
    if verdict.suggestions:
        out.append(
            "To ship these breaking changes on purpose, bump each service's `info.version` "
            f"to the version shown and add to `{verdict.source}`:"
        )
        out.append("")
        out.append("```toml")
        out.append("\n\n".join(s.to_toml() for s in verdict.suggestions))
        out.append("```")
        out.append("")
    return out


def _service_section(review: Review, service: ServiceDiff) -> list[str]:
    out = [f"### {service.service} {_versions(service)}", ""]
    breaking = _ordered(service.breaking)
    if breaking:
        out.append(f"**Breaking ({len(breaking)})**")
        out.append("")
        out.extend(_change_table(review, breaking, announced_column=review.verdict is not None))
        out.append("")
        out.extend(_details(f"Ids and details ({len(breaking)} breaking)", breaking))
    non_breaking = _ordered(service.non_breaking)
    if non_breaking:
        out.append("<details>")
        out.append(f"<summary>Non-breaking changes ({len(non_breaking)})</summary>")
        out.append("")
        out.extend(_change_table(review, non_breaking, announced_column=False))
        out.append("")
        out.extend(_id_list(non_breaking))
        out.append("</details>")
        out.append("")
    return out


def _change_table(
    review: Review, changes: tuple[Change, ...], *, announced_column: bool
) -> list[str]:
    header = "| change | operation | where | side | why |"
    rule = "| --- | --- | --- | --- | --- |"
    if announced_column:
        header = "| announced " + header
        rule = "| :---: " + rule
    lines = [header, rule]
    for change in changes:
        row = (
            f"| {_kind(change)} | {_operation(change)} | {_where(change)} | {change.side} "
            f"| {_cell(change.reason)} |"
        )
        if announced_column:
            row = f"| {'✅' if review.announced(change) else '❌'} " + row
        lines.append(row)
    return lines


def _details(title: str, changes: tuple[Change, ...]) -> list[str]:
    out = ["<details>", f"<summary>{title}</summary>", ""]
    out.extend(_id_list(changes))
    out.extend(["</details>", ""])
    return out


def _id_list(changes: tuple[Change, ...]) -> list[str]:
    out = []
    for change in changes:
        out.append(f"- `{change.id}`")
        facts = [f"{change.surface} change"]
        if change.old is not None or change.new is not None:
            facts.append(f"`{_cell(change.old or '—')}` → `{_cell(change.new or '—')}`")
        if change.used_by:
            facts.append("used by " + ", ".join(f"`{u}`" for u in change.used_by))
        out.append(f"  - {'; '.join(facts)}")
    out.append("")
    return out


def _client_stat(review: Review) -> list[str]:
    stat = review.client_stat
    if stat is None:
        return []
    lines = stat.rstrip("\n").splitlines() or ["(no changes in contracts/clients)"]
    if len(lines) > _CLIENT_STAT_LINES:
        hidden = len(lines) - _CLIENT_STAT_LINES
        lines = [*lines[: _CLIENT_STAT_LINES - 1], f"... {hidden} more lines", lines[-1]]
    summary = lines[-1].strip() if stat.strip() else "no changes"
    return [
        "<details>",
        f"<summary>Generated clients: {_cell(summary)}</summary>",
        "",
        "```",
        *lines,
        "```",
        "</details>",
        "",
    ]


def _ordered(changes: tuple[Change, ...]) -> tuple[Change, ...]:
    return tuple(sorted(changes, key=lambda c: (not c.breaking, c.service, c.operation, c.id)))


def _kind(change: Change) -> str:
    text = change.kind.replace("-", " ")
    return f"{text} (client)" if change.surface == "client" else text


def _operation(change: Change) -> str:
    if not change.operation:
        return "—"
    operations = {u.split(" ", 2)[0] + " " + u.split(" ", 2)[1] for u in change.used_by}
    more = len(operations - {change.operation})
    suffix = f" (+{more} more)" if more else ""
    return f"`{_cell(change.operation)}`{suffix}"


def _where(change: Change) -> str:
    where = _cell(change.location)
    if change.pointer:
        where += f" `{_cell(change.pointer)}`"
    return where


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _cell(text: str) -> str:
    """Text that cannot break a Markdown table row."""
    return text.replace("|", "\\|").replace("\n", " ")
