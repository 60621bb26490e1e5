"""Contracts at a git ref, the review's base, and the review command in a real repository."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from meshdev.cli import app as mesh
from meshdev.contractdiff import gitref
from meshdev.contractdiff.review import run_diff, run_review

REMOVED = "svc:request:operation-removed:DELETE /items"


def contract(version: str, *, delete: bool) -> str:
    operations: dict[str, Any] = {
        "get": {"operationId": "list_items", "responses": {"200": {"description": "ok"}}}
    }
    if delete:
        operations["delete"] = {"operationId": "clear", "responses": {"204": {"description": ""}}}
    document = {"openapi": "3.1.0", "info": {"title": "svc", "version": version}}
    return json.dumps({**document, "paths": {"/items": operations}}, indent=2, sort_keys=True)


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.git("init", "--quiet", "--initial-branch=main")

    def git(self, *args: str) -> str:
        result = subprocess.run(
            ["git", "-C", str(self.root), *args], capture_output=True, text=True, check=True
        )
        return result.stdout.strip()

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def commit(self, message: str) -> str:
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    # Commits must not depend on whoever runs the tests, or their git configuration.
    for name, value in {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setenv("MESH_ROOT", str(tmp_path))
    return Repo(tmp_path)


def test_contracts_at_a_ref_are_read_from_git_not_the_working_tree(repo: Repo) -> None:
    repo.write("contracts/openapi/svc.json", contract("1.0.0", delete=True))
    first = repo.commit("contracts")
    repo.write("contracts/openapi/svc.json", contract("1.0.0", delete=False))
    with gitref.materialise(repo.root, first) as directory:
        assert json.loads((directory / "svc.json").read_text())["paths"]["/items"]["delete"]


def test_a_ref_from_before_the_contracts_has_none(repo: Repo) -> None:
    first = repo.commit("empty")
    with gitref.materialise(repo.root, first) as directory:
        assert list(directory.iterdir()) == []


def test_base_is_the_previous_commit_on_main(repo: Repo) -> None:
    assert gitref.resolve_base(repo.root) is None
    first = repo.commit("one")
    assert gitref.resolve_base(repo.root) is None
    repo.commit("two")
    assert gitref.resolve_base(repo.root) == first


def test_base_of_a_branch_is_its_merge_base_with_origin_main(repo: Repo) -> None:
    fork = repo.commit("one")
    repo.git("update-ref", "refs/remotes/origin/main", fork)
    repo.git("checkout", "--quiet", "-b", "feature")
    repo.commit("two")
    repo.commit("three")
    assert gitref.resolve_base(repo.root) == fork
    assert gitref.resolve_base(repo.root, "origin/main") == fork


def test_unknown_base_is_an_error(repo: Repo) -> None:
    repo.commit("one")
    with pytest.raises(gitref.GitError):
        gitref.resolve_base(repo.root, "no-such-branch")


def test_diff_against_a_ref_reports_the_generated_client_stat(repo: Repo) -> None:
    repo.write("contracts/openapi/svc.json", contract("1.0.0", delete=True))
    repo.write("contracts/clients/svc-client/svc_client/api/clear.py", "def clear(): ...\n")
    repo.commit("contracts and client")
    repo.write("contracts/openapi/svc.json", contract("2.0.0", delete=False))
    (repo.root / "contracts/clients/svc-client/svc_client/api/clear.py").unlink()
    repo.write("contracts/clients/svc-client/svc_client/api/list_items.py", "def list(): ...\n")

    review = run_diff("git:HEAD", None, repo=repo.root, announcements=None)

    assert [c.id for c in review.diff.breaking] == [REMOVED]
    assert review.diff.old_label.startswith("git:HEAD (")
    assert review.client_stat is not None
    assert "svc_client/api/clear.py" in review.client_stat
    assert "plus 1 untracked files under contracts/clients" in review.client_stat


def test_review_fails_on_an_unannounced_break_and_writes_the_job_summary(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("contracts/openapi/svc.json", contract("1.0.0", delete=True))
    repo.commit("contracts")
    repo.write("contracts/openapi/svc.json", contract("2.0.0", delete=False))
    repo.commit("drop DELETE /items")
    summary = repo.root / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    result = CliRunner().invoke(mesh, ["contracts", "review"])

    assert result.exit_code == 1
    assert result.output.startswith("## Contract review: ❌ 1 unannounced breaking change")
    assert f'id = "{REMOVED}"' in result.output
    assert "contracts/announcements.toml" in result.output
    assert summary.read_text() == result.output


def test_review_passes_once_the_break_is_announced(repo: Repo) -> None:
    repo.write("contracts/openapi/svc.json", contract("1.0.0", delete=True))
    repo.commit("contracts")
    repo.write("contracts/openapi/svc.json", contract("2.0.0", delete=False))
    repo.write(
        "contracts/announcements.toml",
        f'[[announcement]]\nid = "{REMOVED}"\nservice = "svc"\nversion = "2.0.0"\n'
        'reason = "Clearing moved to the admin tool."\n',
    )
    repo.commit("drop DELETE /items, announced")

    review = run_review(repo.root, None)

    assert review is not None
    assert review.passed
    assert review.verdict is not None
    assert review.verdict.source == "contracts/announcements.toml"


def test_review_with_nothing_to_compare_passes_with_a_note(repo: Repo) -> None:
    repo.write("contracts/openapi/svc.json", contract("1.0.0", delete=True))
    repo.commit("first")

    result = CliRunner().invoke(mesh, ["contracts", "review"])

    assert result.exit_code == 0
    assert "nothing to compare" in result.output


def test_diff_between_two_refs(repo: Repo) -> None:
    repo.write("contracts/openapi/svc.json", contract("1.0.0", delete=True))
    repo.commit("one")
    repo.write("contracts/openapi/svc.json", contract("2.0.0", delete=False))
    repo.commit("two")

    result = CliRunner().invoke(
        mesh, ["contracts", "diff", "git:HEAD~1", "git:HEAD", "--format", "json"]
    )

    assert result.exit_code == 1
    report = json.loads(result.output)
    assert [c["id"] for c in report["changes"]] == [REMOVED]
    assert report["client_diff_stat"] == ""


def test_bad_arguments_exit_2(repo: Repo) -> None:
    repo.commit("one")
    result = CliRunner().invoke(mesh, ["contracts", "diff", "git:nope", str(repo.root)])
    assert result.exit_code == 2
    result = CliRunner().invoke(mesh, ["contracts", "diff", str(repo.root / "missing")])
    assert result.exit_code == 2
