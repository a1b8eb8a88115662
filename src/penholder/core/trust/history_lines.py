"""The version graph's storage, each actor's line, and ancestry in one comparison.

Each actor's versions form one line (DESIGN.md: every version an actor signs has the actor's
previous tip among its ancestors). A version that continues its actor's line gets the next
number on it, and every version carries a vector clock: for each actor, the highest number of
that actor's line among its ancestors. Whether a version on a line is an ancestor of another
is then one comparison, whatever the history's shape. A version that does not continue its
actor's line (a fork, a forged or unsigned commit) gets no number; it fails `own-tip`. For
ancestry only, such versions join a shadow chain of their actor when they continue it (a hub's
junk is usually one chain), so that questions about them stay one comparison too; the rest fall
back to walking the graph.

This is the bottom layer of `History` (see `history.py`); the layers above read its fields
directly. No I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from penholder.core.model import TEXT_ACTIONS, Action, Version

Visible = Callable[[str], bool]

# Shadow chains (ancestry only) are capped so that clocks stay short whatever a hub carries.
_MAX_SHADOW_CHAINS = 32


class View:
    """The ancestors of a set of parents: `view(sha)` says whether `sha` is one of them, in one
    comparison for a version on a chain."""

    __slots__ = ("clock", "history", "loose_below", "parents")

    def __init__(self, history: HistoryLines, parents: tuple[str, ...]) -> None:
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


class HistoryLines:
    """The graph (versions, their order and generation, who refers to and descends from whom)
    and the actor lines and chains that answer ancestry."""

    def __init__(self) -> None:
        self._versions: dict[str, Version] = {}
        self._order: list[str] = []
        self._gen: dict[str, int] = {}
        self._referrers: dict[str, list[str]] = {}
        self._children: dict[str, list[str]] = {}
        self._withdraw_shas: list[str] = []
        self._by_actor: dict[str, list[str]] = {}
        self._lineage: dict[str, list[str]] = {}
        self._root: str | None = None
        # actor lines: the number of each version that continues its actor's line, each tip
        self._line_number: dict[str, int] = {}
        self._line_tip: dict[str, str] = {}
        self._slot: dict[str, int] = {}
        self._clock: dict[str, tuple[int, ...]] = {}
        # ancestry chains: real lines and shadow chains, (slot, number) for each chained version
        self._slots = 0
        self._chain: dict[str, tuple[int, int]] = {}
        self._shadow_slot: dict[str, int] = {}
        self._shadow_tip: dict[str, str] = {}
        self._loose_below: dict[str, bool] = {}

    def _add_to_graph(self, v: Version) -> None:
        self._versions[v.sha] = v
        self._order.append(v.sha)
        self._gen[v.sha] = 1 + max((self._gen[p] for p in v.parents), default=0)
        if not v.parents and self._root is None:
            self._root = v.sha
        for sha in dict.fromkeys(v.refers):
            self._referrers.setdefault(sha, []).append(v.sha)
        for parent in v.parents:
            self._children.setdefault(parent, []).append(v.sha)
        if v.action == Action.WITHDRAW:
            self._withdraw_shas.append(v.sha)
        self._by_actor.setdefault(v.actor, []).append(v.sha)
        if v.action in TEXT_ACTIONS and v.document:
            self._lineage.setdefault(v.document, []).append(v.sha)

    def _add_to_line(self, v: Version, signed: bool) -> None:
        clock = self.clock_of(v.parents)
        slot: int | None = None
        if v.actor and signed and self.follows_line(v.actor, v.parents):
            if v.actor not in self._slot:
                self._slot[v.actor] = self._new_slot()
            slot = self._slot[v.actor]
            self._line_tip[v.actor] = v.sha
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
            if self._line_tip.get(v.actor) == v.sha:
                self._line_number[v.sha] = number
        self._clock[v.sha] = clock
        self._loose_below[v.sha] = slot is None or any(
            self._loose_below.get(p, True) for p in v.parents
        )

    def _new_slot(self) -> int:
        self._slots += 1
        return self._slots - 1

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
        tip = self._line_tip.get(actor)
        if tip is None:
            return True
        slot = self._slot[actor]
        clock = self.clock_of(parents)
        return slot < len(clock) and clock[slot] >= self._line_number[tip]

    def line_tip(self, actor: str) -> str:
        """The newest version on `actor`'s line (KeyError when the actor has none)."""
        return self._line_tip[actor]

    def line_tips(self) -> dict[str, str]:
        """Each actor with a line, and the newest version on it."""
        return dict(self._line_tip)

    def on_line(self, sha: str) -> bool:
        """Whether a version continues its actor's line (signed, with the actor's previous
        version among its ancestors): only those count for anything."""
        return sha in self._line_number

    # ancestry --------------------------------------------------------------------------------

    def is_ancestor(self, ancestor: str, of: str) -> bool:
        """True when `ancestor` is `of` or one of its ancestors."""
        if ancestor == of:
            return ancestor in self._gen
        pos = self._chain.get(ancestor)
        if pos is not None and of in self._clock:
            clock = self._clock[of]
            return pos[0] < len(clock) and clock[pos[0]] >= pos[1]
        return self.reaches([of], ancestor)

    def visible_from(self, parents: Iterable[str]) -> View:
        """`sha is an ancestor of one of these parents`, in one comparison for chained versions."""
        return View(self, tuple(parents))

    def reaches(self, starts: Iterable[str], target: str) -> bool:
        """Whether `target` is one of `starts` or an ancestor of one of them."""
        if target not in self._gen:
            return False
        stack = [s for s in starts if s in self._gen]
        pos = self._chain.get(target)
        if pos is not None:
            clock = self.clock_of(stack)
            return pos[0] < len(clock) and clock[pos[0]] >= pos[1]
        floor = self._gen[target]
        seen: set[str] = set()
        while stack:
            sha = stack.pop()
            if sha == target:
                return True
            if sha in seen or self._gen[sha] <= floor or not self._loose_below.get(sha, True):
                continue
            seen.add(sha)
            stack.extend(self._versions[sha].parents)
        return False

    def ancestors(self, starts: Iterable[str], floor: int = 0) -> Iterator[str]:
        """Every ancestor-or-self of `starts` whose generation is above `floor`."""
        stack = [s for s in starts if s in self._gen]
        seen: set[str] = set()
        while stack:
            sha = stack.pop()
            if sha in seen or self._gen[sha] <= floor:
                continue
            seen.add(sha)
            yield sha
            stack.extend(self._versions[sha].parents)

    def descendants(self, sha: str) -> Iterator[str]:
        """Every version that has `sha` as an ancestor (not `sha` itself)."""
        stack = list(self._children.get(sha, ()))
        seen: set[str] = set()
        while stack:
            child = stack.pop()
            if child in seen:
                continue
            seen.add(child)
            yield child
            stack.extend(self._children.get(child, ()))
