"""The four-column view laid out to a width: `ColumnsLayout` wraps a trilogue's rows (built by
`penholder.core.views.trilogue`) into screen lines, painted lazily. No Textual here."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from penholder.core.views.trilogue import Column, Piece, Row, Trilogue, build
from penholder.tui.redline import breaks, shown

__all__ = [
    "SEPARATOR",
    "Column",
    "ColumnsLayout",
    "Piece",
    "Row",
    "Trilogue",
    "build",
    "wrap_pieces",
]

SEPARATOR = " │ "


# laying it out ----------------------------------------------------------------------------


def wrap_pieces(pieces: tuple[Piece, ...], width: int) -> list[list[Piece]]:
    """Cut pieces into screen lines of at most `width` characters, at spaces where possible,
    and at every newline."""
    hard: list[list[Piece]] = [[]]
    for text, key in pieces:
        # A clause's text as shown: control and bidi characters as visible marks, tabs spaces.
        for k, part in enumerate(shown(text).split("\n")):
            if k:
                hard.append([])
            if part:
                hard[-1].append((part, key))
    lines: list[list[Piece]] = []
    for line in hard:
        cuts = breaks("".join(t for t, _ in line), max(1, width - 1))
        current: list[list[Piece]] = [[]]
        bounds = iter(cuts)
        next_cut = next(bounds, None)
        at = 0
        for text, key in line:
            while text:
                if next_cut is not None and at + len(text) > next_cut:
                    take = next_cut - at
                    if take:
                        current[-1].append((text[:take], key))
                    text = text[take:]
                    at = next_cut
                    current.append([])
                    next_cut = next(bounds, None)
                else:
                    current[-1].append((text, key))
                    at += len(text)
                    text = ""
        lines.extend(current)
    return lines


@dataclass
class ColumnsLayout:
    """The rows of a trilogue at one width: a row index -> screen lines map, painted lazily."""

    trilogue: Trilogue
    width: int
    only_changed: bool = False
    rows: list[Row] = field(default_factory=list)
    heights: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        count = len(self.trilogue.columns)
        self.column = max(8, (self.width - len(SEPARATOR) * (count - 1)) // max(1, count))
        self.rows = [r for r in self.trilogue.rows if r.changed or not self.only_changed]
        self.heights = [self._height(r) + 1 for r in self.rows]  # a rule under each row
        self.starts = list(accumulate(self.heights, initial=0))
        self._lines = lru_cache(maxsize=256)(self._row_lines)

    @property
    def total(self) -> int:
        return self.starts[-1]

    def _height(self, row: Row) -> int:
        return max((len(wrap_pieces(cell, self.column)) for cell in row.cells), default=1) or 1

    def row_at(self, y: int) -> int:
        return bisect_right(self.starts, y) - 1

    def line(self, y: int) -> list[Piece]:
        if y < 0 or y >= self.total:
            return []
        index = self.row_at(y)
        lines = self._lines(index)
        offset = y - self.starts[index]
        return lines[offset] if offset < len(lines) else []

    def _row_lines(self, index: int) -> list[list[Piece]]:
        row = self.rows[index]
        column = self.column
        wrapped = [wrap_pieces(cell, column) for cell in row.cells]
        height = self.heights[index] - 1
        rule = "changed-rule" if row.changed else "rule"
        out = []
        for k in range(height):
            pieces: list[Piece] = []
            for c, cell in enumerate(wrapped):
                if c:
                    pieces.append((SEPARATOR, rule))
                line = cell[k] if k < len(cell) else []
                used = sum(len(t) for t, _ in line)
                pieces.extend(line)
                if used < column:
                    pieces.append((" " * (column - used), "equal"))
            out.append(pieces)
        out.append([("─" * self.width, "rule")])
        return out
