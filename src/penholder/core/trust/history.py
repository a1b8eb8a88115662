"""The version graph in memory: ancestry by generation numbers, and state carried along it.

Versions are added parents first. For each one the graph keeps what its descendants inherit:
the round in effect and the withdrawals seen and resumed. Ancestry questions walk backwards
only as far as the generation numbers allow, so typical checks touch a handful of versions
even in a history of ten thousand. No I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from penholder.core.model import ANSWER_ACTIONS, TEXT_ACTIONS, Action, Version
from penholder.core.roster import Roster

_EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RoundInfo:
    number: int
    place: str | None
    date: str | None
    sha: str


class History:
    def __init__(self) -> None:
        self.versions: dict[str, Version] = {}
        self.order: list[str] = []
        self.gen: dict[str, int] = {}
        self.referrers: dict[str, list[str]] = {}
        self.children: dict[str, list[str]] = {}
        self.withdrawals: list[str] = []
        self.by_actor: dict[str, list[str]] = {}
        self.lineage: dict[str, list[str]] = {}
        self.root: str | None = None
        self._round_after: dict[str, int] = {}
        self._withdrawals: dict[str, frozenset[str]] = {}
        self._resumed: dict[str, frozenset[str]] = {}
        self.rounds: list[RoundInfo] = []
        self.root_roster: Roster | None = None
        self.roster_versions: dict[str, Roster] = {}
        self._roster_before: dict[str, Roster] = {}
        # Per version, what its descendants inherit about roster changes: the roster versions
        # among its ancestors, and the endorsements and receipts of them (sha, actor, action).
        self._rosters_seen: dict[str, frozenset[str]] = {}
        self._roster_marks: dict[str, frozenset[tuple[str, str, str]]] = {}

    def __contains__(self, sha: object) -> bool:
        return sha in self.versions

    def __len__(self) -> int:
        return len(self.versions)

    def get(self, sha: str) -> Version | None:
        return self.versions.get(sha)

    def add(self, v: Version, roster: Roster | None = None) -> None:
        """Add a version whose parents are already here; `roster` is the roster a `roster`
        version carries."""
        if v.sha in self.versions:
            return
        missing = [p for p in v.parents if p not in self.versions]
        if missing:
            raise ValueError(f"{v.sha}: parent {missing[0]} not yet in the history")
        self.versions[v.sha] = v
        self.order.append(v.sha)
        self.gen[v.sha] = 1 + max((self.gen[p] for p in v.parents), default=0)
        if not v.parents and self.root is None:
            self.root = v.sha
        for sha in dict.fromkeys(v.refers):
            self.referrers.setdefault(sha, []).append(v.sha)
        for parent in v.parents:
            self.children.setdefault(parent, []).append(v.sha)
        if v.action == Action.WITHDRAW:
            self.withdrawals.append(v.sha)
        self.by_actor.setdefault(v.actor, []).append(v.sha)
        if v.action in TEXT_ACTIONS and v.document:
            self.lineage.setdefault(v.document, []).append(v.sha)
        withdrawals, resumed = self.carried_withdrawals(v.parents)
        if v.action == Action.WITHDRAW:
            withdrawals = withdrawals | {v.sha}
        if v.action == Action.RESUME and v.refers:
            resumed = resumed | {v.refers[0]}
        self._withdrawals[v.sha] = withdrawals
        self._resumed[v.sha] = resumed
        seen, marks = self._carried_rosters(v.parents)
        if v.action == Action.OPEN and roster is not None and self.root_roster is None:
            self.root_roster = roster
        if v.action == Action.ROSTER and roster is not None and self.root_roster is not None:
            self._roster_before[v.sha] = self.roster_in_force(v.parents)
            self.roster_versions[v.sha] = roster
            seen = seen | {v.sha}
        if (
            v.action in (Action.ENDORSE, Action.RECEIPT)
            and v.refers
            and v.refers[0] in self.roster_versions
        ):
            marks = marks | {(v.refers[0], v.actor, v.action)}
        self._rosters_seen[v.sha] = seen
        self._roster_marks[v.sha] = marks
        if v.action in (Action.ROUND, Action.OPEN):
            self._round_after[v.sha] = v.round
            self.rounds.append(RoundInfo(v.round, v.place, v.date, v.sha))
        else:
            self._round_after[v.sha] = self.round_of_parents(v.parents)

    # state carried along ancestry -------------------------------------------------------------

    def round_of_parents(self, parents: Iterable[str]) -> int:
        """The latest round among the ancestors of a version with these parents."""
        return max((self._round_after[p] for p in parents if p in self._round_after), default=1)

    def carried_withdrawals(self, parents: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
        withdrawals: frozenset[str] = _EMPTY
        resumed: frozenset[str] = _EMPTY
        for p in parents:
            w, r = self._withdrawals.get(p, _EMPTY), self._resumed.get(p, _EMPTY)
            withdrawals = w if not withdrawals else withdrawals | w
            resumed = r if not resumed else resumed | r
        return withdrawals, resumed

    def _carried_rosters(
        self, parents: Iterable[str]
    ) -> tuple[frozenset[str], frozenset[tuple[str, str, str]]]:
        seen: frozenset[str] = _EMPTY
        marks: frozenset[tuple[str, str, str]] = frozenset()
        for p in parents:
            s, m = self._rosters_seen.get(p, _EMPTY), self._roster_marks.get(p, frozenset())
            seen = s if not seen else seen | s
            marks = m if not marks else marks | m
        return seen, marks

    def roster_before(self, sha: str) -> Roster:
        """The roster in force where a `roster` version was made: the one it replaces."""
        found = self._roster_before.get(sha)
        if found is None:
            raise KeyError(sha)
        return found

    def added_actors(self, sha: str) -> set[str]:
        """Actors whose key a roster version adds: new actors and rotated keys."""
        old_keys = self.roster_before(sha).key_lines()
        return {a.id for a in self.roster_versions[sha].actors if a.key not in old_keys}

    def takes_effect(self, sha: str, marks: frozenset[tuple[str, str, str]]) -> bool:
        """A roster version is in force where the old roster's mediator quorum has endorsed it
        and every key it adds has receipted it (proof of possession)."""
        old = self.roster_before(sha)
        mediators = set(old.ids("mediator"))
        endorsed = {actor for r, actor, action in marks if r == sha and action == Action.ENDORSE}
        receipted = {actor for r, actor, action in marks if r == sha and action == Action.RECEIPT}
        return (
            len(endorsed & mediators) >= max(old.quorum, 1) and self.added_actors(sha) <= receipted
        )

    def roster_in_force(self, parents: Iterable[str]) -> Roster:
        """The newest roster version among the ancestors that has taken effect, else the root's."""
        if self.root_roster is None:
            raise ValueError("the history has no root roster yet")
        parents = list(parents)
        seen, marks = self._carried_rosters(parents)
        for sha in sorted(seen, key=lambda s: self.gen[s], reverse=True):
            if self.takes_effect(sha, marks):
                return self.roster_versions[sha]
        return self.root_roster

    def effective_anywhere(self) -> list[str]:
        """Roster versions whose quorum of endorsements and receipts exist somewhere."""
        marks = frozenset(
            (w.refers[0], w.actor, w.action)
            for sha in self.roster_versions
            for w in self.referring(sha)
            if w.action in (Action.ENDORSE, Action.RECEIPT) and not self.is_retracted(w.sha)
        )
        return [sha for sha in self.roster_versions if self.takes_effect(sha, marks)]

    def suspending_withdrawals(self, parents: Iterable[str]) -> frozenset[str]:
        """Withdrawals among the ancestors that no ancestor resume refers to."""
        withdrawals, resumed = self.carried_withdrawals(parents)
        return withdrawals - resumed

    # ancestry --------------------------------------------------------------------------------

    def is_ancestor(self, ancestor: str, of: str) -> bool:
        """True when `ancestor` is `of` or one of its ancestors."""
        return self.reaches([of], ancestor)

    def reaches(self, starts: Iterable[str], target: str) -> bool:
        if target not in self.gen:
            return False
        floor = self.gen[target]
        stack = [s for s in starts if s in self.gen]
        seen: set[str] = set()
        while stack:
            sha = stack.pop()
            if sha == target:
                return True
            if sha in seen or self.gen[sha] <= floor:
                continue
            seen.add(sha)
            stack.extend(self.versions[sha].parents)
        return False

    def ancestors(self, starts: Iterable[str], floor: int = 0) -> Iterator[str]:
        """Every ancestor-or-self of `starts` whose generation is above `floor`."""
        stack = [s for s in starts if s in self.gen]
        seen: set[str] = set()
        while stack:
            sha = stack.pop()
            if sha in seen or self.gen[sha] <= floor:
                continue
            seen.add(sha)
            yield sha
            stack.extend(self.versions[sha].parents)

    def descendants(self, sha: str) -> Iterator[str]:
        """Every version that has `sha` as an ancestor (not `sha` itself)."""
        stack = list(self.children.get(sha, ()))
        seen: set[str] = set()
        while stack:
            child = stack.pop()
            if child in seen:
                continue
            seen.add(child)
            yield child
            stack.extend(self.children.get(child, ()))

    # facts over the whole store (or a visible part of it) --------------------------------------

    def referring(
        self, sha: str, visible: Callable[[str], bool] | None = None
    ) -> Iterator[Version]:
        for other in self.referrers.get(sha, ()):
            if visible is None or visible(other):
                yield self.versions[other]

    def is_retracted(self, sha: str, visible: Callable[[str], bool] | None = None) -> bool:
        owner = self.versions[sha].actor if sha in self.versions else None
        return any(
            w.action == Action.RETRACT and w.actor == owner for w in self.referring(sha, visible)
        )

    def answers(self, sha: str, visible: Callable[[str], bool] | None = None) -> list[Version]:
        """Standing answers to a version: amend, forward, consolidate, sign, endorse."""
        return [
            w
            for w in self.referring(sha, visible)
            if w.action in ANSWER_ACTIONS and not self.is_retracted(w.sha, visible)
        ]

    def heads(self, document: str) -> list[str]:
        """Text versions of a document that no standing text version refers to."""
        out = []
        for sha in self.lineage.get(document, ()):
            if self.is_retracted(sha):
                continue
            if any(w.action in TEXT_ACTIONS for w in self.answers(sha)):
                continue
            out.append(sha)
        return out

    def pen(self, sha: str) -> list[str]:
        """Recipients of a version that have not answered it yet."""
        answered = {w.actor for w in self.answers(sha)}
        return [actor for actor in self.versions[sha].to if actor not in answered]

    def open_withdrawals(self) -> list[str]:
        """Withdrawals anywhere in the store that no resume anywhere refers to."""
        out = []
        for sha in self.withdrawals:
            if self.is_retracted(sha):
                continue
            if not any(w.action == Action.RESUME for w in self.referring(sha)):
                out.append(sha)
        return out

    def current_round(self) -> RoundInfo | None:
        return max(self.rounds, key=lambda r: (r.number, self.gen[r.sha]), default=None)

    def round_at(self, sha: str) -> int:
        return self._round_after[sha]

    def topological(self) -> list[str]:
        return list(self.order)
