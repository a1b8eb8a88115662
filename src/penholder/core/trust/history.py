"""The version graph in memory, and the state each version inherits from its ancestors.

Versions are added parents first. For each one the graph keeps what its descendants inherit:
the round in effect, the withdrawals seen and resumed, the roster changes seen, their
standing endorsements and receipts, and which of them have taken effect.

Each actor's versions form one line (DESIGN.md: every version an actor signs has the actor's
previous tip among its ancestors). A version that continues its actor's line gets the next
number on it, and every version carries a vector clock: for each actor, the highest number of
that actor's line among its ancestors. Whether a version on a line is an ancestor of another
is then one comparison, whatever the history's shape. A version that does not continue its
actor's line (a fork, a forged or unsigned commit) gets no number; it fails `own-tip`. For
ancestry only, such versions join a shadow chain of their actor when they continue it (a hub's
junk is usually one chain), so that questions about them stay one comparison too; the rest fall
back to walking the graph.

Questions asked for every version (is it retracted, who has answered it and does that answer
stand in a view, is there a newer text addressed to an actor) are answered from indexes kept as
versions are added, in time that does not grow with the history (up to a log factor), whatever
its shape. No I/O.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations, product

from penholder.core.model import ANSWER_ACTIONS, TEXT_ACTIONS, Action, Version
from penholder.core.trust.roster import Roster

_EMPTY: frozenset[str] = frozenset()

Visible = Callable[[str], bool]

# Shadow chains (ancestry only) are capped so that clocks stay short whatever a hub carries.
_MAX_SHADOW_CHAINS = 32
_INFINITY = 1 << 62


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


class Fallback(Exception):
    """An index cannot answer this question exactly: walk the graph as before."""


class View:
    """The ancestors of a set of parents: `view(sha)` says whether `sha` is one of them, in one
    comparison for a version on a chain."""

    __slots__ = ("clock", "history", "loose_below", "parents")

    def __init__(self, history: History, parents: tuple[str, ...]) -> None:
        self.history = history
        self.parents = parents
        self.clock = history.clock_of(parents)
        self.loose_below = any(history._loose_below.get(p, True) for p in parents)

    def at(self, slot: int) -> int:
        return self.clock[slot] if slot < len(self.clock) else 0

    def __call__(self, sha: str) -> bool:
        pos = self.history._chain.get(sha)
        if pos is not None:
            return pos[0] < len(self.clock) and self.clock[pos[0]] >= pos[1]
        if not self.loose_below:
            return False
        return self.history.reaches(self.parents, sha)


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
        self.rounds: list[RoundInfo] = []
        self.root_roster: Roster | None = None
        self.roster_versions: dict[str, Roster] = {}
        # actor lines
        self.line_number: dict[str, int] = {}
        self.line_tip: dict[str, str] = {}
        self._slot: dict[str, int] = {}
        self._clock: dict[str, tuple[int, ...]] = {}
        # ancestry chains: real lines and shadow chains, (slot, number) for each chained version
        self._slots = 0
        self._chain: dict[str, tuple[int, int]] = {}
        self._shadow_slot: dict[str, int] = {}
        self._shadow_tip: dict[str, str] = {}
        self._loose_below: dict[str, bool] = {}
        # indexes over referrers
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
        # state carried along ancestry
        self._round_after: dict[str, int] = {}
        self._withdrawals: dict[str, frozenset[str]] = {}
        self._resumed: dict[str, frozenset[str]] = {}
        self._roster_before: dict[str, Roster] = {}
        self._pending: dict[str, frozenset[str]] = {}
        self._mark_retracts: dict[str, list[str]] = {}
        self._effective: dict[str, frozenset[str]] = {}
        self.effective_everywhere: set[str] = set()
        self._all_marks: set[str] = set()
        self._marks_of: dict[str, list[str]] = {}
        self._order_cache: dict[frozenset[str], tuple[str | None, bool]] = {_EMPTY: (None, True)}
        self._keys_cache: dict[frozenset[str], frozenset[str]] = {}
        # every key any roster of this history ever named, and the actor it belongs to
        self.key_owner: dict[str, str] = {}

    def __contains__(self, sha: object) -> bool:
        return sha in self.versions

    def __len__(self) -> int:
        return len(self.versions)

    def get(self, sha: str) -> Version | None:
        return self.versions.get(sha)

    # adding ---------------------------------------------------------------------------------

    def add(self, v: Version, roster: Roster | None = None, *, signed: bool = True) -> None:
        """Add a version whose parents are already here. `roster` is the roster an `open` or
        `roster` version carries; `signed` says its signature is good for its actor's key (a
        version that is not does not join its actor's line)."""
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
        self._add_to_line(v, signed)
        self._index(v)
        self._carry_withdrawals(v)
        self._carry_rosters(v, roster)
        if v.action in (Action.ROUND, Action.OPEN):
            self._round_after[v.sha] = v.round
            self.rounds.append(RoundInfo(v.round, v.place, v.date, v.sha))
        else:
            self._round_after[v.sha] = self.round_of_parents(v.parents)

    def _add_to_line(self, v: Version, signed: bool) -> None:
        clock = self.clock_of(v.parents)
        slot: int | None = None
        if v.actor and signed and self.follows_line(v.actor, v.parents):
            if v.actor not in self._slot:
                self._slot[v.actor] = self._new_slot()
            slot = self._slot[v.actor]
            self.line_tip[v.actor] = v.sha
        else:
            tip = self._shadow_tip.get(v.actor)
            shadow = self._shadow_slot.get(v.actor)
            if tip is None and len(self._shadow_slot) < _MAX_SHADOW_CHAINS:
                shadow = self._shadow_slot[v.actor] = self._new_slot()
            elif (
                tip is not None
                and shadow is not None
                and not (shadow < len(clock) and clock[shadow] >= self._chain[tip][1])
            ):
                shadow = None
            if shadow is not None:
                slot = shadow
                self._shadow_tip[v.actor] = v.sha
        if slot is not None:
            number = (clock[slot] if slot < len(clock) else 0) + 1
            if slot >= len(clock):
                clock = clock + (0,) * (slot + 1 - len(clock))
            clock = (*clock[:slot], number, *clock[slot + 1 :])
            self._chain[v.sha] = (slot, number)
            if self.line_tip.get(v.actor) == v.sha:
                self.line_number[v.sha] = number
        self._clock[v.sha] = clock
        self._loose_below[v.sha] = slot is None or any(
            self._loose_below.get(p, True) for p in v.parents
        )

    def _new_slot(self) -> int:
        self._slots += 1
        return self._slots - 1

    # indexes ---------------------------------------------------------------------------------

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
                owner = self.versions.get(target)
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
            if self.root_roster is None:
                self.root_roster = roster
            if self.root_roster is not None:
                self._own_keys(self.root_roster)
        if v.action == Action.ROSTER and roster is not None and self.root_roster is not None:
            self._roster_before[v.sha] = self.roster_in_force(v.parents)
            self.roster_versions[v.sha] = roster
            self._own_keys(roster)
            pending = pending | {v.sha}
        target = v.refers[0] if v.refers else None
        if v.action in (Action.ENDORSE, Action.RECEIPT) and target in self.roster_versions:
            assert target is not None
            self._all_marks.add(v.sha)
            self._marks_of.setdefault(target, []).append(v.sha)
            # A mark changes the standing of its own roster version only.
            if target in pending and self._quorum_met(target, self.visible_from((v.sha,))):
                effective = self._add_effective(effective, target)
                pending = pending - {target}
        if (
            v.action == Action.RETRACT
            and target is not None
            and target in self.versions
            and self.versions[target].actor == v.actor
            and self.versions[target].refers
            and self.versions[target].refers[0] in self.roster_versions
        ):
            self._mark_retracts.setdefault(target, []).append(v.sha)
        self._pending[v.sha] = pending
        self._effective[v.sha] = effective

    def _own_keys(self, roster: Roster) -> None:
        for actor in roster.actors:
            self.key_owner.setdefault(actor.key, actor.id)

    # actor lines -----------------------------------------------------------------------------

    def clock_of(self, parents: Iterable[str]) -> tuple[int, ...]:
        """For each actor's line, the highest number on it among these versions' ancestors."""
        clock: tuple[int, ...] = ()
        for p in parents:
            other = self._clock.get(p, ())
            if not clock:
                clock = other
            elif other and other != clock:
                long, short = (clock, other) if len(clock) >= len(other) else (other, clock)
                clock = (
                    tuple(max(a, b) for a, b in zip(long, short, strict=False)) + long[len(short) :]
                )
        return clock

    def follows_line(self, actor: str, parents: Iterable[str]) -> bool:
        """Whether a new version by `actor` with these parents has the actor's previous version
        (if any) among its ancestors."""
        tip = self.line_tip.get(actor)
        if tip is None:
            return True
        slot = self._slot[actor]
        clock = self.clock_of(parents)
        return slot < len(clock) and clock[slot] >= self.line_number[tip]

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

    def _carried_rosters(self, parents: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
        """What the ancestors of a version with these parents hold together: the roster versions
        seen there and not yet in effect, and those in effect (a roster version whose quorum
        only the parents together hold takes effect here)."""
        parents = list(parents)
        pending = effective = _EMPTY
        for p in parents:
            pending = _union(pending, self._pending.get(p, _EMPTY))
            effective = _union(effective, self._effective.get(p, _EMPTY))
        if len(parents) > 1 and pending:
            pending = pending - effective
            view = self.visible_from(parents)
            for sha in sorted(pending, key=lambda s: self.gen[s]):
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
        self.effective_everywhere.add(sha)
        if keys_before is not None and grown not in self._keys_cache:
            self._keys_cache[grown] = keys_before | self._roster_keys(sha)
        if before is not None and before[1] and grown not in self._order_cache:
            # ordered still when it follows the newest, or the newest follows it
            newest = before[0]
            if newest is None or (self.gen[sha], sha) > (self.gen[newest], newest):
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
        return {a.id for a in self.roster_versions[sha].actors if a.key not in old_keys}

    def _quorum_met(self, sha: str, view: View) -> bool:
        """A roster version takes effect where the replaced roster's mediator quorum has
        endorsed it and every key it adds has receipted it (proof of possession), counting
        only endorsements not retracted there."""
        old = self.roster_before(sha)
        mediators = set(old.ids("mediator"))
        endorsed = set()
        receipted = set()
        for mark in self._marks_of.get(sha, ()):
            if not view(mark) or any(view(r) for r in self._mark_retracts.get(mark, ())):
                continue
            w = self.versions[mark]
            if w.action == Action.ENDORSE and w.actor in mediators:
                endorsed.add(w.actor)
            elif w.action == Action.RECEIPT:
                receipted.add(w.actor)
        return len(endorsed) >= max(old.quorum, 1) and self.added_actors(sha) <= receipted

    def in_effect(self, parents: Iterable[str]) -> frozenset[str]:
        """The roster versions in effect among these versions' ancestors."""
        return self._carried_rosters(parents)[1]

    def newest_in_effect(self, parents: Iterable[str]) -> tuple[str | None, bool]:
        """The roster version in force among these ancestors (None: the root's), and whether
        the roster changes in effect there follow one another (False: two in effect and
        neither descends from the other)."""
        return self._order(self.in_effect(parents))

    def _order(self, effective: frozenset[str]) -> tuple[str | None, bool]:
        found = self._order_cache.get(effective)
        if found is None:
            newest = max(effective, key=lambda s: (self.gen[s], s))
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
            if self.root_roster is not None:
                keys |= self.root_roster.key_lines()
            for sha in effective:
                keys |= self._roster_keys(sha)
            found = frozenset(keys)
            if self.root_roster is not None:
                self._keys_cache[effective] = found
        return found

    def _roster_keys(self, sha: str) -> frozenset[str]:
        roster = self.roster_versions[sha]
        return frozenset(roster.key_lines() | {key for _, key in roster.revoked})

    def roster_in_force(self, parents: Iterable[str]) -> Roster:
        """The newest roster version among the ancestors that has taken effect, else the root's."""
        if self.root_roster is None:
            raise ValueError("the history has no root roster yet")
        newest, _ = self.newest_in_effect(list(parents))
        return self.root_roster if newest is None else self.roster_versions[newest]

    def effective_anywhere(self) -> list[str]:
        """Roster versions in effect somewhere: at some version of the history, or in a view
        some reader could hold — the replaced roster's quorum of endorsements and the added
        keys' receipts, on whatever branches, such that no retract of one of those endorsements
        is an ancestor of another of them. A retract made later, from a view that did not hold
        them all, cannot undo that. Revocation holds from there."""
        return [
            sha
            for sha in self.roster_versions
            if sha in self.effective_everywhere or self._stood_together(sha)
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
        mediators = set(old.ids("mediator"))
        added = self.added_actors(sha)
        endorsements: dict[str, list[str]] = {}
        receipts: dict[str, list[str]] = {}
        for mark in self._marks_of.get(sha, ()):
            w = self.versions[mark]
            if mark not in self.line_number:
                continue
            if visible is not None and not visible(mark):
                continue
            if w.action == Action.ENDORSE and w.actor in mediators:
                endorsements.setdefault(w.actor, []).append(mark)
            elif w.action == Action.RECEIPT and w.actor in added:
                receipts.setdefault(w.actor, []).append(mark)
        quorum = max(old.quorum, 1)
        if len(endorsements) < quorum or set(receipts) != added:
            return False
        # Receipts are never retracted: any one per added key will do.
        chosen_receipts = [shas[0] for shas in receipts.values()]
        for group in combinations(sorted(endorsements), quorum):
            for choice in product(*(endorsements[m] for m in group)):
                members = [*choice, *chosen_receipts]
                if not any(
                    self.is_ancestor(r, other)
                    for e in choice
                    for r in self.retracts_of(e)
                    for other in members
                ):
                    return True
        return False

    def suspending_withdrawals(self, parents: Iterable[str]) -> frozenset[str]:
        """Withdrawals among the ancestors that no ancestor resume refers to."""
        withdrawals, resumed = self.carried_withdrawals(parents)
        return withdrawals - resumed

    # ancestry --------------------------------------------------------------------------------

    def is_ancestor(self, ancestor: str, of: str) -> bool:
        """True when `ancestor` is `of` or one of its ancestors."""
        if ancestor == of:
            return ancestor in self.gen
        pos = self._chain.get(ancestor)
        if pos is not None and of in self._clock:
            clock = self._clock[of]
            return pos[0] < len(clock) and clock[pos[0]] >= pos[1]
        return self.reaches([of], ancestor)

    def visible_from(self, parents: Iterable[str]) -> View:
        """`sha is an ancestor of one of these parents`, in one comparison for chained versions."""
        return View(self, tuple(parents))

    def reaches(self, starts: Iterable[str], target: str) -> bool:
        if target not in self.gen:
            return False
        stack = [s for s in starts if s in self.gen]
        pos = self._chain.get(target)
        if pos is not None:
            clock = self.clock_of(stack)
            return pos[0] < len(clock) and clock[pos[0]] >= pos[1]
        floor = self.gen[target]
        seen: set[str] = set()
        while stack:
            sha = stack.pop()
            if sha == target:
                return True
            if sha in seen or self.gen[sha] <= floor or not self._loose_below.get(sha, True):
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

    def referring(self, sha: str, visible: Visible | None = None) -> Iterator[Version]:
        for other in self.referrers.get(sha, ()):
            if visible is None or visible(other):
                yield self.versions[other]

    def retracts_of(self, sha: str) -> list[str]:
        """The retracts of a version by its own actor (whatever their view)."""
        owner = self.versions[sha].actor if sha in self.versions else None
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
        if visible is None:
            return sha in self._globally_retracted
        owner = self.versions[sha].actor if sha in self.versions else None
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
                    out.add((self.versions[w].actor, self.versions[w].is_text))
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
        floor = self.gen.get(r.sha, 0)
        for w in self._addressed_loose.get(key, ()):
            if (
                w != exclude
                and self.gen[w] > floor
                and w not in self._globally_retracted
                and (visible is None or visible(w))
                and self.is_ancestor(r.sha, w)
            ):
                return w
        return None

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
