"""The state each version inherits from its ancestors.

For each version the graph keeps what its descendants inherit: the round in effect, the
withdrawals seen and resumed, the roster changes seen, their standing endorsements and
receipts, and which of them have taken effect. Sets carried along ancestry are shared between
versions wherever they do not change. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations, product

from penholder.core.model import Action, Version
from penholder.core.trust.history_index import HistoryIndexes
from penholder.core.trust.history_lines import View, Visible
from penholder.core.trust.roster import Roster

_EMPTY: frozenset[str] = frozenset()


def _union(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    """a | b, giving back one of them when it holds the other (sets carried along ancestry
    stay shared, and their hashes cached)."""
    if a is b or not b:
        return a
    if not a:
        return b
    if len(b) <= len(a) and b <= a:
        return a
    if len(a) < len(b) and a <= b:
        return b
    return a | b


@dataclass(frozen=True)
class RoundInfo:
    number: int
    place: str | None
    date: str | None
    sha: str


# How many sets of endorsements `_stood_together` tries before it stops (see there).
_STOOD_TOGETHER_STEPS = 20_000


class HistoryCarried(HistoryIndexes):
    """The graph, its indexes, and what each version inherits: round, withdrawals, rosters."""

    def __init__(self, root_roster: Roster | None = None) -> None:
        super().__init__()
        self._rounds: list[RoundInfo] = []
        self._root_roster = root_roster
        self._roster_versions: dict[str, Roster] = {}
        self._round_after: dict[str, int] = {}
        self._withdrawals: dict[str, frozenset[str]] = {}
        self._resumed: dict[str, frozenset[str]] = {}
        self._roster_before: dict[str, Roster] = {}
        self._pending: dict[str, frozenset[str]] = {}
        self._mark_retracts: dict[str, list[str]] = {}
        self._effective: dict[str, frozenset[str]] = {}
        self._effective_everywhere: set[str] = set()
        # Marks that can count for a roster version: on their actor's line, an endorsement by a
        # mediator of the roster it replaces or a receipt by an actor whose key it adds. Junk
        # marks (unsigned, forked, by anyone else) are never kept, so they cost nothing later.
        self._marks_of: dict[str, list[str]] = {}
        # (roster version, actor, action): a rotated mediator both endorses and receipts.
        self._marks_by: dict[tuple[str, str, str], list[str]] = {}
        self._mark_actors: dict[str, set[str]] = {}
        # Roster versions whose marks, over the whole history so far, could meet the quorum in
        # some view: only those are judged again where two branches meet.
        self._may_take_effect: set[str] = set()
        self._order_cache: dict[frozenset[str], tuple[str | None, bool]] = {_EMPTY: (None, True)}
        self._keys_cache: dict[frozenset[str], frozenset[str]] = {}
        # every key any roster of this history ever named, and the actor it belongs to
        self._key_owner: dict[str, str] = {}

    def _carry_round(self, v: Version) -> None:
        if v.action in (Action.ROUND, Action.OPEN):
            self._round_after[v.sha] = v.round
            self._rounds.append(RoundInfo(v.round, v.place, v.date, v.sha))
        else:
            self._round_after[v.sha] = self.round_of_parents(v.parents)

    def _carry_withdrawals(self, v: Version) -> None:
        withdrawals, resumed = self.carried_withdrawals(v.parents)
        if v.action == Action.WITHDRAW:
            withdrawals = withdrawals | {v.sha}
        if v.action == Action.RESUME and v.refers:
            resumed = resumed | {v.refers[0]}
        self._withdrawals[v.sha] = withdrawals
        self._resumed[v.sha] = resumed

    def _carry_rosters(self, v: Version, roster: Roster | None) -> None:
        pending, effective = self._carried_rosters(v.parents)
        if v.action == Action.OPEN and not v.parents:
            if self._root_roster is None:
                self._root_roster = roster
            if self._root_roster is not None:
                self._own_keys(self._root_roster)
        if v.action == Action.ROSTER and roster is not None and self._root_roster is not None:
            self._roster_before[v.sha] = self.roster_in_force(v.parents)
            self._roster_versions[v.sha] = roster
            self._own_keys(roster)
        target = v.refers[0] if v.refers else None
        if (
            v.action in (Action.ENDORSE, Action.RECEIPT)
            and target in self._roster_versions
            and self._can_count(v, target)
        ):
            assert target is not None
            adds_nothing = self._repeats_a_standing_mark(v, target)
            self._marks_of.setdefault(target, []).append(v.sha)
            self._marks_by.setdefault((target, v.actor, v.action), []).append(v.sha)
            self._mark_actors.setdefault(target, set()).add(v.actor)
            self._note_if_it_may_take_effect(target)
            # A mark changes the standing of its own roster version only, and a second mark
            # by an actor whose first still stands where it is made changes nothing. A roster
            # version is carried as pending from its first mark on: one without marks can
            # take effect nowhere, so carrying it would only cost (a hostile history of many).
            if target not in effective:
                if not adds_nothing and self._quorum_met(target, self.visible_from((v.sha,))):
                    effective = self._add_effective(effective, target)
                    pending = pending - {target}
                elif target not in pending:
                    pending = pending | {target}
        if (
            v.action == Action.RETRACT
            and target is not None
            and target in self._versions
            and self._versions[target].actor == v.actor
            and self._versions[target].refers
            and self._versions[target].refers[0] in self._roster_versions
        ):
            self._mark_retracts.setdefault(target, []).append(v.sha)
        self._pending[v.sha] = pending
        self._effective[v.sha] = effective

    def _can_count(self, mark: Version, target: str) -> bool:
        if mark.sha not in self._line_number:
            return False
        if mark.action == Action.ENDORSE:
            return mark.actor in self.roster_before(target).ids("mediator")
        return mark.actor in self.added_actors(target)

    def _repeats_a_standing_mark(self, mark: Version, target: str) -> bool:
        """Whether the actor's earlier mark of `target` (on its line, so an ancestor of this
        one) stands where this one is made: not retracted among this one's ancestors."""
        for earlier in self._marks_by.get((target, mark.actor, mark.action), ()):
            retracts = self._mark_retracts.get(earlier, ())
            if not any(self.is_ancestor(r, mark.sha) for r in retracts):
                return True
        return False

    def _note_if_it_may_take_effect(self, target: str) -> None:
        actors = self._mark_actors.get(target, set())
        endorsers = actors & set(self.roster_before(target).ids("mediator"))
        quorum = max(self.roster_before(target).quorum, 1)
        if len(endorsers) >= quorum and self.added_actors(target) <= actors:
            self._may_take_effect.add(target)

    def _own_keys(self, roster: Roster) -> None:
        for actor in roster.actors:
            self._key_owner.setdefault(actor.key, actor.id)

    # rounds and withdrawals ------------------------------------------------------------------

    def round_of_parents(self, parents: Iterable[str]) -> int:
        """The latest round among the ancestors of a version with these parents."""
        return max((self._round_after[p] for p in parents if p in self._round_after), default=1)

    def carried_withdrawals(self, parents: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
        """The withdrawals, and the withdrawals resumed, among these versions' ancestors."""
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

    # rosters ---------------------------------------------------------------------------------

    def _carried_rosters(self, parents: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
        """What the ancestors of a version with these parents hold together: the roster versions
        marked there and not yet in effect, and those in effect (a roster version whose quorum
        only the parents together hold takes effect here)."""
        parents = list(parents)
        pending = effective = _EMPTY
        for p in parents:
            pending = _union(pending, self._pending.get(p, _EMPTY))
            effective = _union(effective, self._effective.get(p, _EMPTY))
        if len(parents) > 1 and pending:
            pending = pending - effective
            view = self.visible_from(parents)
            for sha in sorted(pending & self._may_take_effect, key=lambda s: self._gen[s]):
                if self._quorum_met(sha, view):
                    effective = self._add_effective(effective, sha)
                    pending = pending - {sha}
        return pending, effective

    def _add_effective(self, effective: frozenset[str], sha: str) -> frozenset[str]:
        """`effective` with roster version `sha` in effect too; what is cached about the set
        (its order, its keys) carried over in one step."""
        before = self._order_cache.get(effective)
        keys_before = self._keys_cache.get(effective)
        grown = effective | {sha}
        self._effective_everywhere.add(sha)
        if keys_before is not None and grown not in self._keys_cache:
            self._keys_cache[grown] = keys_before | self._roster_keys(sha)
        if before is not None and before[1] and grown not in self._order_cache:
            # ordered still when it follows the newest, or the newest follows it
            newest = before[0]
            if newest is None or (self._gen[sha], sha) > (self._gen[newest], newest):
                ordered = newest is None or self.is_ancestor(newest, sha)
                self._order_cache[grown] = (sha, ordered)
            else:
                self._order_cache[grown] = (newest, self.is_ancestor(sha, newest))
        return grown

    def roster_before(self, sha: str) -> Roster:
        """The roster in force where a `roster` version was made: the one it replaces."""
        found = self._roster_before.get(sha)
        if found is None:
            raise KeyError(sha)
        return found

    def added_actors(self, sha: str) -> set[str]:
        """Actors whose key a roster version adds: new actors and rotated keys."""
        old_keys = self.roster_before(sha).key_lines()
        return {a.id for a in self._roster_versions[sha].actors if a.key not in old_keys}

    def _quorum_met(self, sha: str, view: View) -> bool:
        """A roster version takes effect where the replaced roster's mediator quorum has
        endorsed it and every key it adds has receipted it (proof of possession), counting
        only endorsements not retracted there."""
        endorsed: set[str] = set()
        receipted: set[str] = set()
        for mark in self._marks_of.get(sha, ()):  # only marks that can count (`_can_count`)
            if not view(mark) or any(view(r) for r in self._mark_retracts.get(mark, ())):
                continue
            w = self._versions[mark]
            (endorsed if w.action == Action.ENDORSE else receipted).add(w.actor)
        quorum = max(self.roster_before(sha).quorum, 1)
        return len(endorsed) >= quorum and self.added_actors(sha) <= receipted

    def in_effect(self, parents: Iterable[str]) -> frozenset[str]:
        """The roster versions in effect among these versions' ancestors."""
        return self._carried_rosters(parents)[1]

    def newest_in_effect(self, parents: Iterable[str]) -> tuple[str | None, bool]:
        """The roster version in force among these ancestors (None: the root's), and whether
        the roster changes in effect there follow one another (False: two in effect and
        neither descends from the other)."""
        return self._ordered(self.in_effect(parents))

    def _ordered(self, effective: frozenset[str]) -> tuple[str | None, bool]:
        found = self._order_cache.get(effective)
        if found is None:
            newest = max(effective, key=lambda s: (self._gen[s], s))
            found = (newest, all(self.is_ancestor(other, newest) for other in effective))
            self._order_cache[effective] = found
        return found

    def keys_ever_in_force(self, parents: Iterable[str]) -> frozenset[str]:
        """Every key of the root's roster and of the roster versions in effect among these
        ancestors, with the keys those versions revoke."""
        effective = self.in_effect(parents)
        found = self._keys_cache.get(effective)
        if found is None:
            keys: set[str] = set()
            if self._root_roster is not None:
                keys |= self._root_roster.key_lines()
            for sha in effective:
                keys |= self._roster_keys(sha)
            found = frozenset(keys)
            if self._root_roster is not None:
                self._keys_cache[effective] = found
        return found

    def _roster_keys(self, sha: str) -> frozenset[str]:
        roster = self._roster_versions[sha]
        return frozenset(roster.key_lines() | {key for _, key in roster.revoked})

    def roster_in_force(self, parents: Iterable[str]) -> Roster:
        """The newest roster version among the ancestors that has taken effect, else the root's."""
        if self._root_roster is None:
            raise ValueError("the history has no root roster yet")
        newest, _ = self.newest_in_effect(list(parents))
        return self._root_roster if newest is None else self._roster_versions[newest]

    def effective_anywhere(self) -> list[str]:
        """Roster versions in effect somewhere: at some version of the history, or in a view
        some reader could hold — the replaced roster's quorum of endorsements and the added
        keys' receipts, on whatever branches, such that no retract of one of those endorsements
        is an ancestor of another of them. A retract made later, from a view that did not hold
        them all, cannot undo that. Revocation holds from there."""
        return [
            sha
            for sha in self._roster_versions
            if sha in self._effective_everywhere or self._stood_together(sha)
        ]

    def in_effect_within(self, sha: str, parents: Iterable[str]) -> bool:
        """Whether roster version `sha` is in effect in the view of a version with these
        parents: positionally, or because its quorum stood together among those ancestors."""
        parents = tuple(parents)
        return sha in self.in_effect(parents) or self._stood_together(
            sha, self.visible_from(parents)
        )

    def _stood_together(self, sha: str, visible: Visible | None = None) -> bool:
        old = self.roster_before(sha)
        added = self.added_actors(sha)
        endorsements: dict[str, list[str]] = {}
        receipts: dict[str, list[str]] = {}
        for mark in self._marks_of.get(sha, ()):  # only marks that can count (`_can_count`)
            if visible is not None and not visible(mark):
                continue
            w = self._versions[mark]
            counted = endorsements if w.action == Action.ENDORSE else receipts
            counted.setdefault(w.actor, []).append(mark)
        quorum = max(old.quorum, 1)
        if len(endorsements) < quorum or set(receipts) != added:
            return False
        # Receipts are never retracted: any one per added key will do.
        chosen_receipts = [shas[0] for shas in receipts.values()]
        budget = _STOOD_TOGETHER_STEPS
        for group in combinations(sorted(endorsements), quorum):
            for choice in product(*(endorsements[m] for m in group)):
                budget -= 1
                if budget < 0:
                    # A hostile roster of many mediators: undecided counts as having stood
                    # together, which only ever refuses (a retract, a revoked key's version).
                    return True
                members = [*choice, *chosen_receipts]
                if not any(
                    self.is_ancestor(r, other)
                    for e in choice
                    for r in self.retracts_of(e)
                    for other in members
                ):
                    return True
        return False
