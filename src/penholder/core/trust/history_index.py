"""Who refers to each version, and how: the indexes behind the questions asked for every one.

Is it retracted, who has answered it and does that answer stand in a view, is there a newer
text addressed to an actor: each is answered from indexes kept as versions are added, in time
that does not grow with the history (up to a log factor), whatever its shape. Where an index
cannot answer exactly it raises `Fallback`, and the caller walks the graph. No I/O.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from penholder.core.model import ANSWER_ACTIONS, TEXT_ACTIONS, Action, Version
from penholder.core.trust.history_lines import HistoryLines, View, Visible

_INFINITY = 1 << 62


class Fallback(Exception):
    """An index cannot answer this question exactly: walk the graph as before."""


@dataclass
class _Chained:
    """Versions of one chain in chain order, with `skip` jumping over retracted ones."""

    numbers: list[int] = field(default_factory=list)
    shas: list[str] = field(default_factory=list)
    skip: list[int] = field(default_factory=list)

    def next_standing(self, i: int) -> int:
        root = i
        while root < len(self.skip) and self.skip[root] != root:
            root = self.skip[root]
        while i < len(self.skip) and self.skip[i] != i:
            self.skip[i], i = root, self.skip[i]
        return root


@dataclass
class _Refs:
    """Versions referring one target with one action by one actor."""

    shas: list[str] = field(default_factory=list)
    first_on_chain: dict[int, int] = field(default_factory=dict)
    loose: list[str] = field(default_factory=list)


class HistoryIndexes(HistoryLines):
    """The graph with its referrer, answer, retract and addressee indexes."""

    def __init__(self) -> None:
        super().__init__()
        self._refs: dict[tuple[str, str, str], _Refs] = {}
        self._answers: dict[str, dict[tuple[int, bool, str], tuple[list[int], list[int]]]] = {}
        self._answer_keys: dict[str, list[tuple[str, tuple[int, bool, str]]]] = {}
        self._answer_retract: dict[str, tuple[int, int] | None] = {}
        self._irregular: set[str] = set()
        self._loose_answers: dict[str, list[str]] = {}
        self._addressed: dict[tuple[str, str], dict[int, _Chained]] = {}
        self._addressed_loose: dict[tuple[str, str], list[str]] = {}
        self._addressed_at: dict[str, list[_Chained | None]] = {}
        self._addressed_index: dict[str, list[int]] = {}
        self._globally_retracted: set[str] = set()

    def _index(self, v: Version) -> None:
        pos = self._chain.get(v.sha)
        for target in dict.fromkeys(v.refers):
            refs = self._refs.setdefault((target, v.action, v.actor), _Refs())
            refs.shas.append(v.sha)
            if pos is None:
                refs.loose.append(v.sha)
            else:
                refs.first_on_chain.setdefault(pos[0], pos[1])
            if v.action in ANSWER_ACTIONS:
                self._index_answer(v, target, pos)
        if v.action == Action.RETRACT:
            for target in dict.fromkeys(v.refers):
                owner = self._versions.get(target)
                if owner is not None and owner.actor == v.actor:
                    self._index_retract(target, pos)
        if (v.sha, Action.RETRACT.value, v.actor) in self._refs:
            # retracted before it was here (a retract need not descend from what it retracts)
            self._globally_retracted.add(v.sha)
            for target, _ in self._answer_keys.get(v.sha, ()):
                self._irregular.add(target)
        if v.action in TEXT_ACTIONS and v.document:
            self._index_addressed(v, pos)

    def _index_answer(self, v: Version, target: str, pos: tuple[int, int] | None) -> None:
        if pos is None:
            self._loose_answers.setdefault(target, []).append(v.sha)
            return
        key = (pos[0], v.action in TEXT_ACTIONS, v.actor)
        numbers, _ = self._answers.setdefault(target, {}).setdefault(key, ([], []))
        if numbers and numbers[-1] >= pos[1]:
            self._irregular.add(target)
        numbers.append(pos[1])
        self._answer_keys.setdefault(v.sha, []).append((target, key))
        self._answer_retract.setdefault(v.sha, None)

    def _index_retract(self, sha: str, pos: tuple[int, int] | None) -> None:
        """A retract of `sha` by its own actor, on chain position `pos` (None: on none)."""
        self._globally_retracted.add(sha)
        for chained, index in zip(
            self._addressed_at.get(sha, ()), self._addressed_index.get(sha, ()), strict=True
        ):
            if chained is not None:
                chained.skip[index] = index + 1
        if sha not in self._answer_retract:
            return
        answer = self._chain.get(sha)
        first = self._answer_retract[sha]
        if first is None:
            if pos is None or answer is None or pos[0] != answer[0] or pos[1] <= answer[1]:
                self._irregular.update(t for t, _ in self._answer_keys.get(sha, ()))
                return
            self._answer_retract[sha] = pos
            for target, key in self._answer_keys.get(sha, ()):
                retracts = self._answers[target][key][1]
                if retracts and retracts[-1] > pos[1]:
                    self._irregular.add(target)
                retracts.append(pos[1])
        elif pos is None or pos[0] != first[0]:
            self._irregular.update(t for t, _ in self._answer_keys.get(sha, ()))

    def _index_addressed(self, v: Version, pos: tuple[int, int] | None) -> None:
        assert v.document is not None
        at: list[_Chained | None] = []
        index: list[int] = []
        for recipient in dict.fromkeys(v.to):
            key = (v.document, recipient)
            if pos is None:
                self._addressed_loose.setdefault(key, []).append(v.sha)
                continue
            chained = self._addressed.setdefault(key, {}).setdefault(pos[0], _Chained())
            i = len(chained.shas)
            chained.numbers.append(pos[1])
            chained.shas.append(v.sha)
            chained.skip.append(i + 1 if v.sha in self._globally_retracted else i)
            at.append(chained)
            index.append(i)
        self._addressed_at[v.sha] = at
        self._addressed_index[v.sha] = index

    # questions answered from the indexes -----------------------------------------------------

    def referring(self, sha: str, visible: Visible | None = None) -> Iterator[Version]:
        """The versions that refer to `sha` (among `visible`), in the order they came."""
        for other in self._referrers.get(sha, ()):
            if visible is None or visible(other):
                yield self._versions[other]

    def retracts_of(self, sha: str) -> list[str]:
        """The retracts of a version by its own actor (whatever their view)."""
        owner = self._versions[sha].actor if sha in self._versions else None
        if owner is None:
            return []
        refs = self._refs.get((sha, Action.RETRACT.value, owner))
        return list(refs.shas) if refs else []

    def referring_as(self, sha: str, action: str, actor: str) -> list[str]:
        """The versions of `action` by `actor` referring to `sha`, in the order they came."""
        refs = self._refs.get((sha, action, actor))
        return list(refs.shas) if refs else []

    def any_referring(
        self, sha: str, action: str, actor: str, visible: Visible | None = None
    ) -> bool:
        """Whether `actor` has a version of `action` referring to `sha` (among `visible`)."""
        refs = self._refs.get((sha, action, actor))
        if refs is None:
            return False
        if visible is None:
            return True
        if isinstance(visible, View):
            clock = visible.clock
            if any(
                slot < len(clock) and clock[slot] >= n for slot, n in refs.first_on_chain.items()
            ):
                return True
            return any(visible(r) for r in refs.loose)
        return any(visible(r) for r in refs.shas)

    def is_retracted(self, sha: str, visible: Visible | None = None) -> bool:
        """Whether a version's own actor has retracted it (in `visible`; None: anywhere)."""
        if visible is None:
            return sha in self._globally_retracted
        owner = self._versions[sha].actor if sha in self._versions else None
        return owner is not None and self.any_referring(sha, Action.RETRACT.value, owner, visible)

    def answers(self, sha: str, visible: Visible | None = None) -> list[Version]:
        """Standing answers to a version: amend, forward, consolidate, sign, endorse."""
        return [
            w
            for w in self.referring(sha, visible)
            if w.action in ANSWER_ACTIONS and not self.is_retracted(w.sha, visible)
        ]

    def standing_answerers(self, sha: str, visible: Visible | None = None) -> set[tuple[str, bool]]:
        """(actor, is a text) of each standing answer to a version, as `answers` would give,
        from the index; raises `Fallback` where the index cannot say exactly."""
        if sha in self._irregular or not (visible is None or isinstance(visible, View)):
            raise Fallback(sha)
        out: set[tuple[str, bool]] = set()
        for (slot, is_text, actor), (numbers, retracts) in self._answers.get(sha, {}).items():
            if (actor, is_text) in out:
                continue
            at = _INFINITY if visible is None else visible.at(slot)
            if bisect_right(numbers, at) - bisect_right(retracts, at) > 0:
                out.add((actor, is_text))
        if visible is None or visible.loose_below:
            for w in self._loose_answers.get(sha, ()):
                if (visible is None or visible(w)) and not self.is_retracted(w, visible):
                    out.add((self._versions[w].actor, self._versions[w].is_text))
        return out

    def newer_addressed(
        self, r: Version, actor: str, visible: View | None, exclude: str
    ) -> str | None:
        """A text of r's document addressed to `actor`, descending from r (not r), retracted
        nowhere, not `exclude`, and among `visible` (None: anywhere). Raises `Fallback` where
        the index cannot say exactly."""
        if r.sha not in self._chain or not r.document:
            raise Fallback(r.sha)
        key = (r.document, actor)
        for slot, chained in self._addressed.get(key, {}).items():
            high = (
                len(chained.shas)
                if visible is None
                else bisect_right(chained.numbers, visible.at(slot))
            )
            low, top = 0, high
            while low < top:  # first version of the chain that descends from r
                mid = (low + top) // 2
                w = chained.shas[mid]
                if w != r.sha and self.is_ancestor(r.sha, w):
                    top = mid
                else:
                    low = mid + 1
            found = chained.next_standing(low)
            if found < high:
                if chained.shas[found] == exclude:
                    raise Fallback(exclude)
                return chained.shas[found]
        if visible is not None and not visible.loose_below:
            return None
        floor = self._gen.get(r.sha, 0)
        for w in self._addressed_loose.get(key, ()):
            if (
                w != exclude
                and self._gen[w] > floor
                and w not in self._globally_retracted
                and (visible is None or visible(w))
                and self.is_ancestor(r.sha, w)
            ):
                return w
        return None
