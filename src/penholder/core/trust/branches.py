"""What a branch update from another side is, judged branch by branch. No I/O.

Sync gathers the facts of one branch, the local tip (`mine`), the tip the other side shows now
(`theirs`) and the tip it showed at the last sync (`seen`, kept in `refs/remotes/<remote>/`), and
an ancestry predicate over the versions at hand; the kernel answers with a verdict:

- unchanged: both sides hold the same tip;
- new: the branch is not here yet; fast-forward: the other side's tip descends from ours;
- behind: the other side lacks versions we hold (not an attack: it has not heard yet);
- rollback: the other side went back from what it showed before; gone: it dropped a branch it
  showed before (a rollback to nothing);
- rewrite: the other side's tip does not descend from what it showed before;
- equivocation: our tip and the other side's have diverged: two histories signed as the one
  actor owning the branch (a rewrite, or one key writing on two machines at once);
- not-a-version: the other side's tip is not a commit;
- silent: a partial source (a bundle) does not carry the branch, which is no news.

Only new and fast-forward branches are candidates: they still have to verify before they land.
A refused branch changes nothing: neither the local tip nor what the other side was seen to show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from penholder.core.trust.rules import Rule

IsAncestor = Callable[[str, str], bool]


class Verdict(StrEnum):
    UNCHANGED = "unchanged"
    NEW = "new"
    FAST_FORWARD = "fast-forward"
    BEHIND = "behind"
    ROLLBACK = "rollback"
    GONE = "gone"
    REWRITE = "rewrite"
    EQUIVOCATION = "equivocation"
    NOT_A_VERSION = "not-a-version"
    SILENT = "silent"


REFUSED = frozenset(
    {Verdict.ROLLBACK, Verdict.GONE, Verdict.REWRITE, Verdict.EQUIVOCATION, Verdict.NOT_A_VERSION}
)
CANDIDATES = frozenset({Verdict.NEW, Verdict.FAST_FORWARD})


@dataclass(frozen=True)
class Judgement:
    """The verdict on one branch, with the facts it was judged on and a one-line message."""

    branch: str
    verdict: Verdict
    mine: str | None
    theirs: str | None
    seen: str | None
    message: str = ""

    @property
    def refused(self) -> bool:
        return self.verdict in REFUSED

    @property
    def candidate(self) -> bool:
        """New or fast-forward: the branch may land once its new versions verify."""
        return self.verdict in CANDIDATES

    def local_after(self, verified: bool) -> str | None:
        """The local tip once the update is settled: the other side's tip only for a candidate
        whose new versions verified; otherwise the local tip stays as it was."""
        return self.theirs if self.candidate and verified else self.mine

    def seen_after(self, verified: bool) -> str | None:
        """What the other side is remembered to show once settled: a refused branch, or a
        candidate that did not verify, leaves the memory as it was (so the next sync judges the
        same tip the same way); anything else remembers what it showed now."""
        if self.refused or self.verdict is Verdict.SILENT:
            return self.seen
        if self.candidate and not verified:
            return self.seen
        return self.theirs


def _short(sha: str | None) -> str:
    return sha[:10] if sha else "nothing"


def judge_branch(
    branch: str,
    mine: str | None,
    theirs: str | None,
    seen: str | None,
    is_ancestor: IsAncestor,
    *,
    where: str = "the remote",
    complete: bool = True,
    theirs_is_commit: bool = True,
) -> Judgement:
    """Judge one branch. `mine` is the local tip, `theirs` what `where` shows now, `seen` what
    it showed at the last sync (None: nothing remembered, or not a commit here); `is_ancestor(a,
    b)` says whether `a` is `b` or one of its ancestors. `complete` is False for a source that
    carries only some branches (a bundle): a branch it does not carry is then no news."""

    def verdict(kind: Verdict, message: str = "") -> Judgement:
        return Judgement(branch, kind, mine, theirs, seen, message)

    if theirs is None:
        if not complete:
            return verdict(Verdict.SILENT)
        if seen is not None:
            return verdict(
                Verdict.GONE, f"{where} no longer has the branch (it showed {_short(seen)})"
            )
        if mine is not None:
            return verdict(Verdict.BEHIND, f"{where} does not have the branch yet")
        return verdict(Verdict.SILENT)
    if not theirs_is_commit:
        return verdict(
            Verdict.NOT_A_VERSION,
            f"branch {branch} on {where} points at {_short(theirs)}, which is not a version",
        )
    if seen is not None and theirs != seen:
        if is_ancestor(theirs, seen):
            return verdict(
                Verdict.ROLLBACK,
                f"{where} moved {branch} back from {_short(seen)} to {_short(theirs)}",
            )
        if not is_ancestor(seen, theirs):
            return verdict(
                Verdict.REWRITE,
                f"{where} rewrote {branch}: {_short(theirs)} does not descend from "
                f"{_short(seen)}, which it showed before",
            )
    if mine is None:
        return verdict(Verdict.NEW)
    if theirs == mine:
        return verdict(Verdict.UNCHANGED)
    if is_ancestor(mine, theirs):
        return verdict(Verdict.FAST_FORWARD)
    if is_ancestor(theirs, mine):
        return verdict(Verdict.BEHIND)
    return verdict(Verdict.EQUIVOCATION, equivocation_message(branch, where, theirs, mine))


def equivocation_message(branch: str, where: str, theirs: str, mine: str | None) -> str:
    return (
        f"{branch} on {where} ({_short(theirs)}) and here ({_short(mine)}) have diverged: two "
        f"histories signed as {branch} (a rewrite, or one key writing on two machines at once)"
    )


def moved_during_sync(judgement: Judgement) -> Judgement:
    """A candidate whose local tip moved while it was being verified (the compare-and-swap was
    lost): the local history and the other side's now diverge for the branch's owner."""
    return Judgement(
        judgement.branch,
        Verdict.EQUIVOCATION,
        judgement.mine,
        judgement.theirs,
        judgement.seen,
        f"{judgement.branch} moved here during the sync: one key writing on two machines at once?",
    )


def judge_branches(
    mine: Mapping[str, str],
    theirs: Mapping[str, str],
    seen: Mapping[str, str],
    is_ancestor: IsAncestor,
    *,
    where: str = "the remote",
    complete: bool = True,
    commits: Iterable[str] | None = None,
    unjudged: Iterable[str] = (),
) -> dict[str, Judgement]:
    """Judge every branch held here, shown now or shown before. `commits`, when given, are the
    shas known to be commits (any other tip of theirs is not a version; a `seen` that is not one
    is forgotten); `unjudged` are branches judged elsewhere (their fetch failed): left out."""
    known = None if commits is None else set(commits)
    skip = set(unjudged)
    out: dict[str, Judgement] = {}
    for branch in sorted((set(mine) | set(theirs) | set(seen)) - skip):
        shown = theirs.get(branch)
        before = seen.get(branch)
        if before is not None and known is not None and before not in known:
            before = None
        judgement = judge_branch(
            branch,
            mine.get(branch),
            shown,
            before,
            is_ancestor,
            where=where,
            complete=complete,
            theirs_is_commit=shown is None or known is None or shown in known,
        )
        if judgement.verdict is not Verdict.SILENT:
            out[branch] = judgement
    return out


def second_roots(new: Iterable[str], parents: Mapping[str, Sequence[str]], root: str) -> list[str]:
    """The versions among `new` without parents that are not the trusted root: each one a
    second root, refused with the branch that brings it."""
    return sorted(sha for sha in set(new) if sha != root and not parents.get(sha, ()))


def tip_problem(
    branch: str, tip_actor: str, tip_good: bool, seated: bool
) -> tuple[Rule, str] | None:
    """A branch's tip must be a version by the branch's owner whose signature is good (which
    makes the branch an actor's); `seated` says whether the roster knows an actor `branch`."""
    if tip_actor == branch and tip_good:
        return None
    if not seated and tip_actor != branch:
        return Rule.BRANCH_UNKNOWN, f"branch {branch!r} is not an actor's"
    return Rule.BRANCH_TIP, f"branch {branch} points at a version not signed by {branch}"
