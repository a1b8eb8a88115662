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

    def __contains__(self, sha: object) -> bool:
        return sha in self.versions

    def __len__(self) -> int:
        return len(self.versions)

    def get(self, sha: str) -> Version | None:
        return self.versions.get(sha)

    def add(self, v: Version) -> None:
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
