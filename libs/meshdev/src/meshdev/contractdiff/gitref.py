"""The contracts at a git ref, the base of a change, and the generated clients' diff stat."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

CONTRACTS = "contracts/openapi"
CLIENTS = "contracts/clients"
PREFIX = "git:"


class GitError(RuntimeError):
    pass


def _git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        ["git", "-C", str(repo), *args],  # noqa: S607 - git from PATH, as every developer runs it
        capture_output=True,
        encoding="utf-8",
        check=False,
    )
    if check and result.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result


def commit_of(repo: Path, ref: str) -> str | None:
    """The commit a ref names, or None when there is no such commit."""
    result = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else None


def short(repo: Path, commit: str) -> str:
    return _git(repo, "rev-parse", "--short", commit).stdout.strip()


def resolve_base(repo: Path, base: str | None = None) -> str | None:
    """The commit to review against.

    With `base`, the merge-base of it and HEAD, so a branch is judged on its own changes
    and not on what landed on the base since. Without, the merge-base with origin/main when
    that is an ancestor distinct from HEAD (a branch); else the previous commit (main
    itself); else None (a first commit or a shallow clone: nothing to compare).
    """
    if base is not None:
        commit = commit_of(repo, base)
        if commit is None:
            raise GitError(f"{base!r} is not a commit in {repo}")
        merge_base = _git(repo, "merge-base", commit, "HEAD", check=False).stdout.strip()
        return merge_base or commit
    head = commit_of(repo, "HEAD")
    if head is None:
        return None
    if commit_of(repo, "origin/main") is not None:
        merge_base = _git(repo, "merge-base", "origin/main", "HEAD", check=False).stdout.strip()
        if merge_base and merge_base != head:
            return merge_base
    return commit_of(repo, "HEAD~1")


@contextmanager
def materialise(repo: Path, ref: str, subdir: str = CONTRACTS) -> Iterator[Path]:
    """A temporary directory holding `subdir`'s `.json` files as they are at `ref` (empty
    when the ref has none, as before the contracts existed)."""
    commit = commit_of(repo, ref)
    if commit is None:
        raise GitError(f"{ref!r} is not a commit in {repo}")
    listing = _git(repo, "ls-tree", "--name-only", "-z", f"{commit}:{subdir}", check=False)
    names = [n for n in listing.stdout.split("\0") if n.endswith(".json")]
    with TemporaryDirectory(prefix="contracts-") as tmp:
        for name in sorted(names):
            blob = _git(repo, "show", f"{commit}:{subdir}/{name}").stdout
            (Path(tmp) / name).write_text(blob, encoding="utf-8")
        yield Path(tmp)


def client_diff_stat(repo: Path, old: str, new: str | None = None, subdir: str = CLIENTS) -> str:
    """`git diff --stat` of the generated clients from `old` to `new` (the working tree
    when None), with untracked client files counted, since a new client starts untracked."""
    revisions = [old] if new is None else [old, new]
    stat = _git(repo, "diff", "--stat=100", *revisions, "--", subdir).stdout
    if new is None:
        untracked = _git(
            repo, "ls-files", "--others", "--exclude-standard", "--", subdir
        ).stdout.split()
        if untracked:
            stat += f" plus {len(untracked)} untracked files under {subdir}\n"
    return stat
