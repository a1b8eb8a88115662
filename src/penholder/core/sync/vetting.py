"""Whether the candidate branches of a sync (new and fast-forward ones) may come in.

Each candidate's newly reachable versions are read once (a second root refuses it); then the
candidates and the local branches are verified together in the quarantine. A failure counts
against every candidate from whose tip the failing version is newly reachable, and each
candidate's tip must be a good version by its owner. Refused candidates are dropped and the
rest verified again, until stable. A candidate that makes a version held here fail is refused
too: nothing enters that breaks the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from penholder.core.errors import CommitFormatError
from penholder.core.model import SignatureStatus, Version
from penholder.core.store.gitrepo import GitRepo
from penholder.core.sync.quarantine import HEADS, Quarantine
from penholder.core.sync.results import Progress
from penholder.core.trust.branches import second_roots, tip_problem
from penholder.core.trust.commit import parse_commit, unreadable_version, version_from_commit
from penholder.core.trust.roster import Roster
from penholder.core.trust.rules import Rule
from penholder.core.views.verify import Failure, Report, verify_repo

# Rules `verify` judges over whole branches; sync judges each candidate branch itself.
_BRANCH_RULES = frozenset({Rule.BRANCH_TIP, Rule.BRANCH_UNKNOWN})
# A refused candidate: its branch, its tip and why.
Refusal = tuple[str, str, list[Failure]]


class Vetting:
    """The candidates still standing (`candidates`: branch -> remote tip), what each brings in
    (`new_order`, parents first), and the versions read on the way (`versions`)."""

    def __init__(
        self,
        q: Quarantine,
        local_tips: dict[str, str],
        candidates: dict[str, str],
        root: str,
        roster: Roster,
        progress: Progress | None,
    ) -> None:
        self.q = q
        self.local_tips = local_tips
        self.candidates = dict(candidates)
        self.root = root
        self.roster = roster
        self.progress = progress
        self.new_sets: dict[str, set[str]] = {}
        self.new_order: dict[str, list[str]] = {}
        self.versions: dict[str, Version] = {}
        self.report: Report | None = None
        self._held_failures: set[tuple[str, str]] | None = None

    def read(self) -> list[Refusal]:
        """Newly reachable versions of each candidate, read once; a second root is refused."""
        repo = self.q.repo
        exclude = list(self.local_tips.values())
        for branch, tip in self.candidates.items():
            self.new_order[branch] = repo.rev_list([tip], exclude)
            self.new_sets[branch] = set(self.new_order[branch])
        wanted = set().union(*self.new_sets.values()) | set(self.candidates.values())
        wanted |= set(self.local_tips.values())
        self.versions = _read_versions(repo, sorted(wanted))
        parents = {sha: self.versions[sha].parents for sha in wanted}
        refused = []
        for branch in sorted(self.candidates):
            strays = second_roots(self.new_sets[branch], parents, self.root)
            if strays:
                failures = [
                    Failure(
                        sha,
                        self.versions[sha].actor,
                        Rule.ROOT,
                        "a second root: a version without parents that is not this "
                        "negotiation's open version",
                    )
                    for sha in strays
                ]
                refused.append(self._refuse(branch, failures))
        return refused

    def verify(self, pushing: bool) -> list[Refusal]:
        """Verify the candidates with the local branches until no candidate is refused (also
        when there are none but branches to push: what leaves must verify too)."""
        refused: list[Refusal] = []
        if not self.candidates and not pushing:
            return refused
        for _round in range(len(self.candidates) + 1):
            heads = {**self.local_tips, **self.candidates}
            if not heads:
                return refused
            self.q.set_refs(HEADS, heads)
            self.report = verify_repo(self.q.repo, self._step)
            found = self._attribute(self.report)
            if not found:
                return refused
            refused += [self._refuse(branch, failures) for branch, failures in found.items()]
        return refused

    def outgoing_problems(self, branch: str, tip: str, theirs: Iterable[str]) -> list[Failure]:
        """What is wrong with the versions a push of `branch` would send (none verified: none)."""
        if self.report is None:
            return []
        outgoing = set(self.q.repo.rev_list([tip], theirs))
        problems = [
            f for f in self.report.failures if f.sha in outgoing and f.rule not in _BRANCH_RULES
        ]
        problem = self._branch_problem(branch, tip, self.report)
        return problems + ([problem] if problem is not None else [])

    def _step(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress("verify", done, total)

    def _refuse(self, branch: str, failures: list[Failure]) -> Refusal:
        return branch, self.candidates.pop(branch), failures

    def _attribute(self, report: Report) -> dict[str, list[Failure]]:
        found: dict[str, list[Failure]] = {b: [] for b in self.candidates}
        held_here: list[Failure] = []
        for failure in report.failures:
            if failure.rule in _BRANCH_RULES:
                continue
            owners = [b for b in self.candidates if failure.sha in self.new_sets[b]]
            for branch in owners:
                found[branch].append(failure)
            if not owners:
                held_here.append(failure)
        for branch, tip in self.candidates.items():
            problem = self._branch_problem(branch, tip, report)
            if problem is not None:
                found[branch].append(problem)
        if held_here and not any(found.values()):
            for branch, failures in self._breaking_local(held_here).items():
                found[branch] += failures
        return {b: f for b, f in found.items() if f}

    def _baseline(self) -> set[tuple[str, str]]:
        """The failures the versions held here have on their own (none, in a store that only
        ever took in what verified)."""
        if self._held_failures is None:
            self._held_failures = set()
            if self.local_tips:
                self.q.set_refs(HEADS, dict(self.local_tips))
                alone = verify_repo(self.q.repo, None)
                self._held_failures = {(f.sha, f.rule) for f in alone.failures}
        return self._held_failures

    def _breaking_local(self, held_here: list[Failure]) -> dict[str, list[Failure]]:
        """Candidates that make versions held here fail (a branch whose attestation voids a
        retract we hold, say): each is judged with what is held here alone. What no single
        candidate explains is put on every candidate: nothing enters that breaks the store."""
        baseline = self._baseline()
        if all((f.sha, f.rule) in baseline for f in held_here):
            return {}
        out: dict[str, list[Failure]] = {}
        for branch, tip in sorted(self.candidates.items()):
            self.q.set_refs(HEADS, {**self.local_tips, branch: tip})
            alone = verify_repo(self.q.repo, None)
            broken = [
                f
                for f in alone.failures
                if f.rule not in _BRANCH_RULES
                and f.sha not in self.new_sets[branch]
                and (f.sha, f.rule) not in baseline
            ]
            if broken:
                out[branch] = [_held_failure(f) for f in broken]
        if not out:
            new = [_held_failure(f) for f in held_here if (f.sha, f.rule) not in baseline]
            out = {branch: list(new) for branch in self.candidates}
        return out

    def _branch_problem(self, branch: str, tip: str, report: Report) -> Failure | None:
        """A branch's tip must be a good version by the branch's owner (which makes the branch
        an actor's: `verify` calls a signature good only by the actor's key in force)."""
        version = self.versions[tip]
        problem = tip_problem(
            branch,
            version.actor,
            report.signatures.get(tip) == SignatureStatus.GOOD,
            self.roster.actor(branch) is not None,
        )
        if problem is None:
            return None
        rule, message = problem
        return Failure(tip, version.actor, rule.value, message)


def _held_failure(failure: Failure) -> Failure:
    return Failure(
        failure.sha,
        failure.actor,
        failure.rule,
        f"taking this branch in would make {failure.sha[:10]}, held here, fail: {failure.message}",
    )


def _read_versions(repo: GitRepo, shas: Sequence[str]) -> dict[str, Version]:
    raws = repo.read_many(shas)
    out = {}
    for sha in shas:
        kind, data = raws[sha]
        try:
            if kind != "commit":
                raise CommitFormatError(f"a {kind}, not a commit")
            out[sha] = version_from_commit(sha, parse_commit(data))
        except CommitFormatError as exc:
            out[sha] = unreadable_version(sha, data, str(exc))
    return out
