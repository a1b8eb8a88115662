"""The kernel's branch verdicts, judged on facts alone: no git, no I/O.

A small version graph stands in for the history: `root <- a <- b <- c`, a sideways version `x`
on `b` (another history signed as the same actor) and `u`, unrelated to all of them (another
negotiation). Each row gives the local tip, the tip the remote shows now and the tip it showed
at the last sync, and the verdict the kernel must give; a refused update must leave the trusted
state (the local tip, and what the remote is remembered to show) exactly as it was.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from penholder.core.trust import branches
from penholder.core.trust.branches import (
    Judgement,
    Verdict,
    judge_branch,
    judge_branches,
    moved_during_sync,
    second_roots,
    tip_problem,
)
from penholder.core.trust.rules import Rule

ROOT, A, B, C, X, U = (ch * 40 for ch in "0abcef")
PARENTS: dict[str, tuple[str, ...]] = {ROOT: (), A: (ROOT,), B: (A,), C: (B,), X: (B,), U: ()}


def is_ancestor(ancestor: str, of: str) -> bool:
    """Whether `ancestor` is `of` or one of its ancestors (as `git merge-base --is-ancestor`)."""
    todo, seen = [of], set()
    while todo:
        sha = todo.pop()
        if sha == ancestor:
            return True
        if sha not in seen:
            seen.add(sha)
            todo.extend(PARENTS[sha])
    return False


# mine, theirs, seen, verdict
ROWS: list[tuple[str | None, str | None, str | None, Verdict]] = [
    (C, C, None, Verdict.UNCHANGED),
    (C, C, C, Verdict.UNCHANGED),
    (None, C, None, Verdict.NEW),
    (None, C, B, Verdict.NEW),
    (A, C, None, Verdict.FAST_FORWARD),
    (A, C, B, Verdict.FAST_FORWARD),
    (A, C, C, Verdict.FAST_FORWARD),
    (C, A, None, Verdict.BEHIND),
    (C, A, A, Verdict.BEHIND),
    (C, None, None, Verdict.BEHIND),
    (C, A, C, Verdict.ROLLBACK),
    (A, A, C, Verdict.ROLLBACK),
    (None, A, B, Verdict.ROLLBACK),
    (C, None, C, Verdict.GONE),
    (None, None, B, Verdict.GONE),
    (C, X, C, Verdict.REWRITE),
    (None, U, C, Verdict.REWRITE),
    (X, C, X, Verdict.REWRITE),
    (C, X, None, Verdict.EQUIVOCATION),
    (C, X, B, Verdict.EQUIVOCATION),
    (C, U, None, Verdict.EQUIVOCATION),
    (None, None, None, Verdict.SILENT),
]


@pytest.mark.parametrize(("mine", "theirs", "seen", "expected"), ROWS)
def test_every_verdict(
    mine: str | None, theirs: str | None, seen: str | None, expected: Verdict
) -> None:
    judgement = judge_branch("pakistan", mine, theirs, seen, is_ancestor, where="origin")
    assert judgement.verdict is expected
    assert (judgement.mine, judgement.theirs, judgement.seen) == (mine, theirs, seen)
    assert judgement.refused == (
        expected
        in {
            Verdict.ROLLBACK,
            Verdict.GONE,
            Verdict.REWRITE,
            Verdict.EQUIVOCATION,
            Verdict.NOT_A_VERSION,
        }
    )
    assert judgement.candidate == (expected in {Verdict.NEW, Verdict.FAST_FORWARD})
    if judgement.refused:
        # A refusal names the branch or the place, and changes nothing trusted.
        assert "pakistan" in judgement.message or "origin" in judgement.message
        assert judgement.local_after(verified=True) == mine
        assert judgement.seen_after(verified=True) == seen
    if judgement.candidate:
        assert judgement.local_after(verified=True) == theirs
        assert judgement.seen_after(verified=True) == theirs
        # A candidate whose versions do not verify changes nothing either.
        assert judgement.local_after(verified=False) == mine
        assert judgement.seen_after(verified=False) == seen
    if expected in (Verdict.UNCHANGED, Verdict.BEHIND):
        assert judgement.local_after(verified=True) == mine
        assert judgement.seen_after(verified=True) == theirs


def test_messages_say_what_happened() -> None:
    def message(mine: str | None, theirs: str | None, seen: str | None) -> str:
        return judge_branch("qatar", mine, theirs, seen, is_ancestor, where="hub").message

    assert message(C, A, C) == f"hub moved qatar back from {C[:10]} to {A[:10]}"
    assert message(C, None, C) == f"hub no longer has the branch (it showed {C[:10]})"
    assert message(C, X, C).startswith(f"hub rewrote qatar: {X[:10]} does not descend from")
    assert "two histories signed as qatar" in message(C, X, None)


def test_a_partial_source_is_silent_about_what_it_does_not_carry() -> None:
    """A bundle carries some branches: one it lacks is neither gone nor behind."""
    for mine, seen in ((C, C), (C, None), (None, B)):
        judgement = judge_branch("turkiye", mine, None, seen, is_ancestor, complete=False)
        assert judgement.verdict is Verdict.SILENT and not judgement.refused
        assert (judgement.local_after(True), judgement.seen_after(True)) == (mine, seen)


def test_a_tip_that_is_not_a_version_is_refused_before_any_ancestry() -> None:
    asked: list[tuple[str, str]] = []

    def recording(a: str, b: str) -> bool:
        asked.append((a, b))
        return is_ancestor(a, b)

    judgement = judge_branch("junk", A, C, B, recording, theirs_is_commit=False)
    assert judgement.verdict is Verdict.NOT_A_VERSION and judgement.refused
    assert asked == []
    assert (judgement.local_after(True), judgement.seen_after(True)) == (A, B)


def test_judging_every_branch_at_once() -> None:
    mine = {"qatar": C, "pakistan": A, "turkiye": C, "afghanistan": C}
    theirs = {"qatar": C, "pakistan": C, "junk": U, "newcomer": C, "afghanistan": X}
    seen = {"qatar": C, "turkiye": C, "broken": B, "afghanistan": A}
    commits = [ROOT, A, C, X]  # U is not a commit here; B stands for a lost object
    out = judge_branches(
        mine,
        theirs,
        seen,
        is_ancestor,
        where="origin",
        commits=commits,
        unjudged=["afghanistan"],
    )
    verdicts = {branch: j.verdict for branch, j in out.items()}
    assert verdicts == {
        "qatar": Verdict.UNCHANGED,
        "pakistan": Verdict.FAST_FORWARD,
        "turkiye": Verdict.GONE,
        "junk": Verdict.NOT_A_VERSION,
        "newcomer": Verdict.NEW,
        # "broken": what it showed is not a commit here, so it is forgotten: nothing to judge.
        # "afghanistan": judged elsewhere (its fetch failed), so not here.
    }
    partial = judge_branches(mine, {"pakistan": C}, seen, is_ancestor, complete=False)
    assert {b: j.verdict for b, j in partial.items()} == {"pakistan": Verdict.FAST_FORWARD}


def test_a_branch_that_moved_during_the_sync_is_an_equivocation() -> None:
    candidate = judge_branch("qatar", A, C, None, is_ancestor)
    assert candidate.verdict is Verdict.FAST_FORWARD
    moved = moved_during_sync(candidate)
    assert moved.verdict is Verdict.EQUIVOCATION and moved.refused
    assert "two machines" in moved.message
    assert (moved.local_after(True), moved.seen_after(True)) == (A, None)
    assert candidate.verdict is Verdict.FAST_FORWARD  # judgements are values


def test_second_roots_are_every_parentless_version_but_the_trusted_root() -> None:
    assert second_roots([A, B, C], PARENTS, ROOT) == []
    assert second_roots([ROOT, A, U], PARENTS, ROOT) == [U]
    # A version whose parents are unknown counts as parentless: it fails closed.
    assert second_roots(["9" * 40], PARENTS, ROOT) == ["9" * 40]


def test_a_branch_tip_is_a_good_version_by_its_owner() -> None:
    assert tip_problem("pakistan", "pakistan", True, True) is None
    assert tip_problem("pakistan", "qatar", True, True) == (
        Rule.BRANCH_TIP,
        "branch pakistan points at a version not signed by pakistan",
    )
    forged = tip_problem("pakistan", "pakistan", False, True)
    assert forged is not None and forged[0] is Rule.BRANCH_TIP
    stranger = tip_problem("junk", "pakistan", True, False)
    assert stranger == (Rule.BRANCH_UNKNOWN, "branch 'junk' is not an actor's")


def test_the_judgement_is_a_frozen_value() -> None:
    judgement = Judgement("qatar", Verdict.NEW, None, C, None)
    with pytest.raises(AttributeError):
        judgement.verdict = Verdict.REWRITE  # type: ignore[misc]


def test_the_branch_kernel_does_no_io() -> None:
    tree = ast.parse(Path(branches.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    allowed = {"__future__", "collections.abc", "dataclasses", "enum", "penholder.core.trust.rules"}
    assert imported <= allowed, imported - allowed
