"""The version graph in memory, and the state each version inherits from its ancestors.

`History` is what the rest of Penholder asks about a negotiation's versions. Versions are added
parents first (`add`); everything else is a question, answered without I/O and cheaply (most in
constant time, none walking the whole graph unless its docstring says so). Its data is private:
outside `core/trust` nothing reads it but through these methods (a test holds that).

It is built in layers, one module each, every layer reading the fields of those below directly
(the kernel's hot loops may do the same):

- `history_lines`: the graph's storage, actor lines and ancestry in one comparison (`View`);
- `history_index`: the referrer, answer, retract and addressee indexes (`Fallback`);
- `history_carried`: what each version inherits: round, withdrawals, rosters in effect;
- here: adding a version, and the questions asked from outside the kernel.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from penholder.core.model import TEXT_ACTIONS, Action, Version
from penholder.core.trust.history_carried import HistoryCarried, RoundInfo
from penholder.core.trust.history_index import Fallback
from penholder.core.trust.history_lines import View, Visible
from penholder.core.trust.roster import Roster

__all__ = ["Fallback", "History", "RoundInfo", "View", "Visible"]


class History(HistoryCarried):
    """The versions of one negotiation, parents first. `root_roster`: the roster the root
    carries, when the caller has read it already (else the root's own, as it is added)."""

    def __init__(self, root_roster: Roster | None = None) -> None:
        super().__init__(root_roster)

    def add(self, v: Version, roster: Roster | None = None, *, signed: bool = True) -> None:
        """Add a version whose parents are already here. `roster` is the roster an `open` or
        `roster` version carries; `signed` says its signature is good for its actor's key (a
        version that is not does not join its actor's line)."""
        if v.sha in self._versions:
            return
        missing = [p for p in v.parents if p not in self._versions]
        if missing:
            raise ValueError(f"{v.sha}: parent {missing[0]} not yet in the history")
        self._add_to_graph(v)
        self._add_to_line(v, signed)
        self._index(v)
        self._carry_withdrawals(v)
        self._carry_rosters(v, roster)
        self._carry_round(v)

    # versions --------------------------------------------------------------------------------

    def __contains__(self, sha: object) -> bool:
        return sha in self._versions

    def __len__(self) -> int:
        return len(self._versions)

    def get(self, sha: str) -> Version | None:
        """The version `sha`, or None when the history does not hold it."""
        return self._versions.get(sha)

    def version(self, sha: str) -> Version:
        """The version `sha` (KeyError when the history does not hold it)."""
        return self._versions[sha]

    def shas_in_order(self) -> Sequence[str]:
        """Every version's sha in the order they were added: parents before children."""
        return self._order

    def versions_in_order(self) -> Iterator[Version]:
        """Every version in the order they were added: parents before children."""
        versions = self._versions
        return (versions[sha] for sha in self._order)

    def generation(self, sha: str) -> int:
        """1 for a root, else one more than its highest parent: a version's generation is above
        every ancestor's (KeyError when the history does not hold it)."""
        return self._gen[sha]

    @property
    def root(self) -> str | None:
        """The first version added without parents: the negotiation's `open`."""
        return self._root

    @property
    def root_roster(self) -> Roster | None:
        """The roster the root carries (None until it is known)."""
        return self._root_roster

    # documents -------------------------------------------------------------------------------

    def documents(self) -> list[str]:
        """The names of the documents some text version carries, sorted."""
        return sorted(self._lineage)

    def lineage_of(self, document: str) -> Sequence[str]:
        """The text versions of a document, in the order they were added."""
        return self._lineage.get(document, ())

    def latest_of(self, document: str, at: str, *, by: str | None = None) -> str | None:
        """The newest text version of `document` (by generation; the first added on a tie)
        that is `at` or one of its ancestors, and (with `by`) made by that actor."""
        best: str | None = None
        gen = self._gen
        for sha in self._lineage.get(document, ()):
            if by is not None and self._versions[sha].actor != by:
                continue
            if (best is None or gen[sha] > gen[best]) and self.is_ancestor(sha, at):
                best = sha
        return best

    def heads(self, document: str) -> list[str]:
        """Text versions of a document that no standing text version refers to."""
        out = []
        for sha in self._lineage.get(document, ()):
            if self.is_retracted(sha):
                continue
            if any(w.action in TEXT_ACTIONS for w in self.answers(sha)):
                continue
            out.append(sha)
        return out

    def pen(self, sha: str) -> list[str]:
        """Recipients of a version that have not answered it yet."""
        answered = {w.actor for w in self.answers(sha)}
        return [actor for actor in self._versions[sha].to if actor not in answered]

    # actors ----------------------------------------------------------------------------------

    def actors(self) -> list[str]:
        """Every actor some version names, in the order they first appeared."""
        return [actor for actor in self._by_actor if actor]

    def versions_by(self, actor: str) -> Sequence[str]:
        """The versions `actor` made (on its line or not), in the order they were added."""
        return self._by_actor.get(actor, ())

    def latest_by(self, actor: str) -> str | None:
        """The newest version `actor` made (by generation; the first added on a tie)."""
        return max(self._by_actor.get(actor, ()), key=self._gen.__getitem__, default=None)

    def owner_of_key(self, key: str) -> str | None:
        """The actor that a key belongs to in any roster this history ever named."""
        return self._key_owner.get(key)

    # rounds and withdrawals ------------------------------------------------------------------

    def rounds(self) -> Sequence[RoundInfo]:
        """Each `open` and `round` version, in the order they were added."""
        return self._rounds

    def current_round(self) -> RoundInfo | None:
        """The highest round opened anywhere (the newest opening of it, on a tie)."""
        return max(self._rounds, key=lambda r: (r.number, self._gen[r.sha]), default=None)

    def round_at(self, sha: str) -> int:
        """The round in effect at a version: the latest among it and its ancestors."""
        return self._round_after[sha]

    def withdrawals(self) -> Sequence[str]:
        """Every withdrawal, in the order they were added."""
        return self._withdraw_shas

    def open_withdrawals(self) -> list[str]:
        """Withdrawals anywhere in the store that no resume anywhere refers to."""
        out = []
        for sha in self._withdraw_shas:
            if self.is_retracted(sha):
                continue
            if not any(w.action == Action.RESUME for w in self.referring(sha)):
                out.append(sha)
        return out

    # rosters ---------------------------------------------------------------------------------

    def roster_changes(self) -> list[str]:
        """The `roster` versions (in effect or not), in the order they were added."""
        return list(self._roster_versions)

    def roster_carried_by(self, sha: str) -> Roster:
        """The roster a version carries: the root's, or a `roster` version's (KeyError for any
        other version)."""
        if sha == self._root and self._root_roster is not None:
            return self._root_roster
        return self._roster_versions[sha]
