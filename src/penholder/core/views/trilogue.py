"""The four-column view, in the manner of EU trilogues: the base text, each party's position and
the mediators' compromise, side by side and aligned by clause id, each column marked up against
the base. `build` reads through the store; the app lays the rows out (`penholder.tui.trilogue`).

Which versions fill the columns, at a version V of a document (as the timeline stood at V):

- each party's position: its newest text version of the document up to V;
- the mediators' compromise: the newest text version by a mediator up to V;
- the base: the version both parties' latest amendments answer; when they answer different
  versions, the first text of V's round; failing that, the newest text that every position
  descends from, else the document's first text.
"""

from __future__ import annotations

from dataclasses import dataclass

from penholder.core.diff.texts import diff_texts
from penholder.core.model import TEXT_ACTIONS, Version
from penholder.core.store.negotiation import Negotiation
from penholder.core.views.clauses import ClauseTracker, RawClause

Piece = tuple[str, str]  # text, style key: equal, insert, delete, absent, heading


@dataclass(frozen=True)
class Column:
    title: str  # "base", an actor id, "mediators"
    version: Version | None
    role: str  # base, party, mediator


@dataclass(frozen=True)
class Row:
    clause: str  # clause id
    number: str
    title: str
    cells: tuple[tuple[Piece, ...], ...]
    changed: bool  # some position differs from the base here


@dataclass
class Trilogue:
    document: str
    at: Version
    columns: tuple[Column, ...]
    rows: list[Row]
    base_why: str

    @property
    def changed_rows(self) -> int:
        return sum(1 for r in self.rows if r.changed)


def _text_versions(negotiation: Negotiation, document: str, upto: str) -> list[Version]:
    """The document's standing text versions, in timeline order, up to version `upto`."""
    history = negotiation.history
    position = {sha: k for k, sha in enumerate(history.shas_in_order())}
    limit = position.get(upto, len(history))
    out = []
    for sha in history.lineage_of(document):
        v = history.version(sha)
        standing = not history.is_retracted(sha)
        if v.action in TEXT_ACTIONS and position.get(sha, 0) <= limit and standing:
            out.append(v)
    return sorted(out, key=lambda v: position[v.sha])


def choose_base(
    negotiation: Negotiation, versions: list[Version], positions: list[Version], at: Version
) -> tuple[Version | None, str]:
    """The base text and why it was chosen (see the module's docstring)."""
    history = negotiation.history
    answered = {p.refers[0] for p in positions if p.refers}
    if len(positions) >= 2 and len(answered) == 1 and all(p.refers for p in positions):
        sha = answered.pop()
        if sha in history:
            return history.version(sha), "the version both parties' latest amendments answer"
    in_round = [v for v in versions if v.round == at.round]
    if in_round:
        return in_round[0], f"the first text of round {at.round}"
    if positions:
        common = [v for v in versions if all(history.is_ancestor(v.sha, p.sha) for p in positions)]
        common = [v for v in common if v.sha not in {p.sha for p in positions}] or common
        if common:
            return common[-1], "the newest text every position descends from"
    if versions:
        return versions[0], "the document's first text"
    return None, "no text yet"


def _pieces(base: RawClause | None, text: RawClause | None, *, is_base: bool) -> tuple[Piece, ...]:
    if text is None:
        return (("(not in this text)", "absent"),) if base is not None else ()
    if is_base:
        return ((text.text, "equal"),)
    if base is None:
        return ((text.text, "insert"),)
    if base.text == text.text:
        return ((text.text, "equal"),)
    diff = diff_texts(base.text, text.text, "word")
    return tuple((op.text, op.kind) for op in diff.ops if op.text)


def _align(sequences: list[list[str]]) -> list[str]:
    """One order for the clause ids of every column: the first's, others' ids inserted after
    the id that precedes them in their own column."""
    order: list[str] = []
    placed: dict[str, int] = {}
    for sequence in sequences:
        last = -1
        for clause in sequence:
            if clause in placed:
                last = order.index(clause)
                continue
            order.insert(last + 1, clause)
            last += 1
            placed[clause] = last
    return order


def build(negotiation: Negotiation, at: Version, document: str) -> Trilogue:
    """The four-column view of `document` as the timeline stood at version `at`."""
    history = negotiation.history
    versions = _text_versions(negotiation, document, at.sha)
    roster = history.roster_in_force([at.sha])
    parties = roster.ids("party")
    mediators = set(roster.ids("mediator"))
    latest: dict[str, Version] = {}
    compromise: Version | None = None
    for v in versions:
        if v.actor in parties:
            latest[v.actor] = v
        elif v.actor in mediators:
            compromise = v
    positions = [latest[p] for p in parties if p in latest]
    base, why = choose_base(negotiation, versions, positions, at)
    columns = (
        Column("base", base, "base"),
        *(Column(p, latest.get(p), "party") for p in parties),
        Column("mediators", compromise, "mediator"),
    )
    tracker = ClauseTracker(negotiation, document)
    clauses: list[dict[str, RawClause]] = []
    sequences: list[list[str]] = []
    for column in columns:
        found = tracker.clauses(column.version) if column.version is not None else []
        clauses.append(dict(found))
        sequences.append([cid for cid, _ in found])
    rows = []
    base_clauses = clauses[0]
    for clause in _align(sequences):
        present = [c[clause] for c in clauses if clause in c]
        first = present[0]
        cells: list[tuple[Piece, ...]] = []
        changed = False
        for k, column in enumerate(columns):
            if column.version is None:
                cells.append(())
                continue
            own = clauses[k].get(clause)
            pieces = _pieces(base_clauses.get(clause), own, is_base=k == 0)
            if k and any(key != "equal" for _, key in pieces):
                changed = True
            cells.append(pieces)
        rows.append(Row(clause, first.number, first.title, tuple(cells), changed))
    return Trilogue(document, at, columns, rows, why)
