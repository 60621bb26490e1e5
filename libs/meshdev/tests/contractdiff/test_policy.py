"""The announcement policy: announced breaks pass, anything else about them fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from meshdev.contractdiff.model import ContractDiff
from meshdev.contractdiff.operations import diff_services
from meshdev.contractdiff.policy import Verdict, evaluate, load_announcements
from meshdev.contracts import contracts_dir

REMOVED = "svc:request:operation-removed:DELETE /items"


def contract(version: str, *, delete: bool = True, extra: bool = False) -> dict[str, Any]:
    operations: dict[str, Any] = {
        "get": {"operationId": "list_items", "responses": {"200": {"description": "ok"}}}
    }
    if extra:
        operations["post"] = {"operationId": "add_item", "responses": {"201": {"description": ""}}}
    paths: dict[str, Any] = {"/items": operations}
    if delete:
        paths["/items"]["delete"] = {
            "operationId": "clear_items",
            "responses": {"204": {"description": "gone"}},
        }
    return {"openapi": "3.1.0", "info": {"title": "svc", "version": version}, "paths": paths}


def diff(old: dict[str, Any], new: dict[str, Any]) -> ContractDiff:
    return diff_services({"svc": old}, {"svc": new}, old_label="base", new_label="head")


def judge(tmp_path: Path, contract_diff: ContractDiff, toml: str) -> Verdict:
    path = tmp_path / "announcements.toml"
    path.write_text(toml)
    entries, problems = load_announcements(path)
    return evaluate(contract_diff, entries, source=str(path), file_findings=problems)


def announcement(change_id: str = REMOVED, version: str = "2.0.0", service: str = "svc") -> str:
    return (
        "[[announcement]]\n"
        f'id = "{change_id}"\n'
        f'service = "{service}"\n'
        f'version = "{version}"\n'
        'reason = "Nobody clears the list; the gateway never exposed it."\n'
    )


BREAK_WITH_MAJOR = diff(contract("1.4.2"), contract("2.0.0", delete=False))
BREAK_WITHOUT_BUMP = diff(contract("1.4.2"), contract("1.4.2", delete=False))


def test_announced_breaking_change_with_major_bump_passes(tmp_path: Path) -> None:
    verdict = judge(tmp_path, BREAK_WITH_MAJOR, announcement())
    assert verdict.passed, verdict.findings
    assert verdict.announced == {REMOVED}
    assert verdict.findings == ()


def test_unannounced_breaking_change_fails_with_a_ready_announcement(tmp_path: Path) -> None:
    verdict = judge(tmp_path, BREAK_WITH_MAJOR, "")
    assert not verdict.passed
    (error,) = verdict.errors
    assert error.change_id == REMOVED
    assert "not announced" in error.message
    (suggestion,) = verdict.suggestions
    assert (suggestion.id, suggestion.version) == (REMOVED, "2.0.0")


def test_announcement_naming_another_version_than_the_contract_fails(tmp_path: Path) -> None:
    verdict = judge(tmp_path, BREAK_WITH_MAJOR, announcement(version="3.0.0"))
    assert not verdict.passed
    assert "info.version is 2.0.0" in verdict.errors[0].message


def test_breaking_change_without_major_bump_fails_even_when_announced(tmp_path: Path) -> None:
    verdict = judge(tmp_path, BREAK_WITHOUT_BUMP, announcement(version="1.4.2"))
    assert not verdict.passed
    (error,) = verdict.errors
    assert "major version bump" in error.message
    assert "set it to 2.0.0" in error.message


@pytest.mark.parametrize(
    ("new_version", "passes"),
    [("1.4.2", False), ("1.4.3", False), ("1.5.0", True), ("2.0.0", True)],
)
def test_additive_change_needs_at_least_a_minor_bump(new_version: str, passes: bool) -> None:
    verdict = evaluate(diff(contract("1.4.2"), contract(new_version, extra=True)), [], source="-")
    assert verdict.passed is passes


def test_unchanged_contract_needs_no_bump() -> None:
    assert evaluate(diff(contract("1.4.2"), contract("1.4.2")), [], source="-").passed


def test_version_going_backwards_fails() -> None:
    verdict = evaluate(diff(contract("1.4.2"), contract("1.3.0", extra=True)), [], source="-")
    assert "went backwards" in verdict.errors[0].message


def test_stale_announcements_are_reported_without_failing(tmp_path: Path) -> None:
    unchanged = diff(contract("2.0.0"), contract("2.0.0"))
    toml = announcement(version="2.0.0") + announcement(
        change_id="svc:request:typo", version="3.0.0"
    )
    verdict = judge(tmp_path, unchanged, toml)
    assert verdict.passed
    released, unmatched = verdict.warnings
    assert released.change_id == REMOVED
    assert "base already publishes" in released.message
    assert unmatched.change_id == "svc:request:typo"
    assert "matches no change" in unmatched.message


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ("[[announcement]\n", "not valid TOML"),
        ('[[announcement]]\nid = "svc:x"\nservice = "svc"\nversion = "2.0.0"\n', "needs reason"),
        (announcement(service="other"), "belongs to another service"),
        ("announcement = 3\n", "must be [[announcement]] tables"),
    ],
)
def test_malformed_announcements_fail(tmp_path: Path, toml: str, problem: str) -> None:
    verdict = judge(tmp_path, BREAK_WITH_MAJOR, toml)
    assert not verdict.passed
    assert any(problem in f.message for f in verdict.errors), verdict.errors


def test_committed_announcements_file_is_valid() -> None:
    entries, problems = load_announcements(contracts_dir() / "announcements.toml")
    assert problems == []
    assert all(e.id.startswith(f"{e.service}:") for e in entries)
