"""Glue for the `mesh contracts diff` and `mesh contracts review` commands: where the two
sides come from, and which policy applies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from meshdev.contractdiff import gitref
from meshdev.contractdiff.operations import diff_directories
from meshdev.contractdiff.policy import ANNOUNCEMENTS, evaluate, load_announcements
from meshdev.contractdiff.report import Review


@dataclass(frozen=True, slots=True)
class Side:
    directory: Path
    label: str
    # The commit the side was read from; None for a directory or the working tree.
    commit: str | None


@contextmanager
def open_side(spec: str | None, repo: Path) -> Iterator[Side]:
    """`git:<ref>`, a directory, or (None) the working tree's contracts."""
    if spec is None:
        yield Side(repo / gitref.CONTRACTS, "working tree", None)
        return
    if spec.startswith(gitref.PREFIX):
        ref = spec[len(gitref.PREFIX) :]
        with gitref.materialise(repo, ref) as directory:
            commit = gitref.commit_of(repo, ref)
            assert commit is not None
            name = gitref.short(repo, commit)
            label = f"git:{name}" if ref == commit else f"git:{ref} ({name})"
            yield Side(directory, label, commit)
        return
    directory = Path(spec)
    if not directory.is_dir():
        raise NotADirectoryError(f"{spec} is not a directory of OpenAPI documents (or git:<ref>)")
    yield Side(directory, spec, None)


def run_diff(
    old_spec: str, new_spec: str | None, *, repo: Path, announcements: Path | None
) -> Review:
    with ExitStack() as stack:
        old = stack.enter_context(open_side(old_spec, repo))
        new = stack.enter_context(open_side(new_spec, repo))
        diff = diff_directories(
            old.directory, new.directory, old_label=old.label, new_label=new.label
        )
        stat = None
        if old.commit is not None and (new.commit is not None or new_spec is None):
            stat = gitref.client_diff_stat(repo, old.commit, new.commit)
    verdict = None
    if announcements is not None:
        entries, problems = load_announcements(announcements)
        verdict = evaluate(diff, entries, source=str(announcements), file_findings=problems)
    return Review(diff, verdict, stat)


def run_review(repo: Path, base: str | None) -> Review | None:
    """The working tree's contracts against the base, under the announcement policy; None
    when there is no base to compare with."""
    commit = gitref.resolve_base(repo, base)
    if commit is None:
        return None
    review = run_diff(
        f"{gitref.PREFIX}{commit}", None, repo=repo, announcements=repo / ANNOUNCEMENTS
    )
    assert review.verdict is not None
    # Name the file as committed, not by where this checkout happens to live.
    return replace(review, verdict=replace(review.verdict, source=ANNOUNCEMENTS.as_posix()))
