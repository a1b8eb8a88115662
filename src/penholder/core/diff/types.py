"""The plain data a diff is made of; painters (CLI, TUI) only read these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

Granularity = Literal["word", "char", "line"]
OpKind = Literal["equal", "insert", "delete"]


class Op(NamedTuple):
    """One edit: text kept (`equal`), removed from the old version (`delete`) or added in the
    new one (`insert`). A named tuple rather than a dataclass: a big diff holds thousands and
    building them must stay cheap; it is just as immutable."""

    kind: OpKind
    text: str


@dataclass(frozen=True, slots=True)
class Move:
    """A block of words deleted in one place and inserted unchanged in another: `delete_op`
    and `insert_op` are indices into `TextDiff.ops`. Ids count from 1."""

    id: int
    delete_op: int
    insert_op: int
    words: int


@dataclass(frozen=True, slots=True)
class DiffStats:
    """Counts for one document. Moved words are counted once, in `words_moved` only.
    A changed paragraph is one (blank-line separated) holding an edit; a rewrite of m old
    paragraphs into n new ones counts max(m, n)."""

    words_inserted: int
    words_deleted: int
    words_moved: int
    paragraphs_changed: int


@dataclass(frozen=True, slots=True)
class TextDiff:
    """The full comparison of two texts. Joining the `equal` and `delete` texts gives the old
    version exactly, `equal` and `insert` the new one. Within a change, deletions come before
    insertions; a moved block is its own op, so two ops of the same kind may be neighbours.
    `simplified` is True only when a time budget ran out and some region may be marked up
    more coarsely than a minimal diff (it is still exact)."""

    ops: tuple[Op, ...]
    moves: tuple[Move, ...]
    stats: DiffStats
    granularity: Granularity
    simplified: bool

    @property
    def old_text(self) -> str:
        return "".join(op.text for op in self.ops if op.kind != "insert")

    @property
    def new_text(self) -> str:
        return "".join(op.text for op in self.ops if op.kind != "delete")

    @property
    def changed(self) -> bool:
        return any(op.kind != "equal" for op in self.ops)

    def move_ids(self) -> dict[int, int]:
        """Op index -> id of the move it belongs to, for ops that are part of a move."""
        ids: dict[int, int] = {}
        for move in self.moves:
            ids[move.delete_op] = move.id
            ids[move.insert_op] = move.id
        return ids
