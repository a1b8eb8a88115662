"""A diff laid out for the screen: core's view rows, wrapped to a width, painted lazily.

`penholder.core.diff.texts` computes the diff and its inline and side-by-side views; this module
only decides where each view row falls on screen. Heights are computed for every row up front
(cheap: most rows fit on one line), but a row is cut into its wrapped pieces only when it is
painted, so a 1 MB redline is ready to show in a few milliseconds. No Textual here.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Literal

from penholder.core.diff.texts import (
    DEFAULT_CONTEXT,
    Fold,
    Granularity,
    InlineLine,
    InlineView,
    Segment,
    SideRow,
    SideView,
    TextDiff,
    diff_texts,
    inline_view,
    side_by_side_view,
)
from penholder.core.trust.text import neutralize

Mode = Literal["inline", "side"]
__all__ = ["Granularity", "Layout", "Mode", "Redline", "compare", "shown", "stats_line"]
# A painted piece: its text and a style key (see `STYLE_KEYS`).
Piece = tuple[str, str]
STYLE_KEYS = ("equal", "insert", "delete", "move", "fold", "gutter", "gutter-changed", "blank")
SEPARATOR = " │ "
CHANGED_SEPARATOR = " ┃ "
GUTTER = 2


def compare(old: str, new: str, granularity: Granularity) -> TextDiff:
    """The exact diff of two texts (core's engine, no time budget)."""
    return diff_texts(old, new, granularity)


def stats_line(diff: TextDiff) -> str:
    s = diff.stats
    if not diff.changed:
        return "no change to the text"
    parts = [f"+{s.words_inserted} words", f"−{s.words_deleted} words"]
    if s.words_moved:
        parts.append(f"{s.words_moved} moved")
    paragraphs = "paragraph" if s.paragraphs_changed == 1 else "paragraphs"
    return f"{s.paragraphs_changed} {paragraphs} changed: " + ", ".join(parts)


def breaks(text: str, width: int) -> list[int]:
    """Where a greedy word wrap cuts `text` into lines of at most `width` characters."""
    out: list[int] = []
    start, size = 0, len(text)
    while size - start > width:
        cut = text.rfind(" ", start, start + width + 1)
        cut = start + width if cut <= start else cut + 1
        out.append(cut)
        start = cut
    return out


def shown(text: str) -> str:
    """Text as a line-painting widget sends it to the terminal: what was signed, each control
    or bidi character a visible mark (never its effect), each tab four spaces (a raw tab has
    no width in a strip: the terminal would jump and leave stale cells)."""
    return neutralize(text).replace("\t", "    ")


def _segment_key(segment: Segment) -> str:
    if segment.move_id is not None:
        return "move"
    return segment.kind


def _slice(segments: tuple[Segment, ...], cuts: list[int]) -> list[list[Piece]]:
    """Cut a line's segments at character positions into wrapped pieces (of the text as
    shown: see `_plain`)."""
    lines: list[list[Piece]] = [[]]
    bounds = iter(cuts)
    next_cut = next(bounds, None)
    at = 0
    for segment in segments:
        text, key = shown(segment.text), _segment_key(segment)
        while text:
            if next_cut is not None and at + len(text) > next_cut:
                take = next_cut - at
                if take:
                    lines[-1].append((text[:take], key))
                text = text[take:]
                at = next_cut
                lines.append([])
                next_cut = next(bounds, None)
            else:
                lines[-1].append((text, key))
                at += len(text)
                text = ""
    return lines


def _plain(segments: tuple[Segment, ...] | None) -> str:
    """A line's text as it is shown (`shown`); wrapping is measured on this text."""
    return "".join(shown(s.text) for s in segments) if segments else ""


@dataclass
class Layout:
    """One view of one diff at one width: a row index → screen lines map, painted lazily."""

    view: InlineView | SideView
    width: int
    mode: Mode
    heights: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.column = self._column()
        self.heights = [self._height(row) for row in self.view.rows]
        self.starts = list(accumulate(self.heights, initial=0))
        self._lines = lru_cache(maxsize=512)(self._row_lines)

    @property
    def total(self) -> int:
        return self.starts[-1]

    @property
    def changes(self) -> tuple[int, ...]:
        return self.view.changes

    def _column(self) -> int:
        if self.mode == "inline":
            return max(8, self.width - GUTTER)
        return max(8, (self.width - len(SEPARATOR)) // 2)

    def _height(self, row: InlineLine | SideRow | Fold) -> int:
        column = self.column
        if isinstance(row, Fold):
            return 1
        if isinstance(row, InlineLine):
            text = _plain(row.segments)
            return 1 if len(text) <= column else len(breaks(text, column)) + 1
        left, right = _plain(row.left), _plain(row.right)
        if len(left) <= column and len(right) <= column:
            return 1
        return max(len(breaks(left, column)), len(breaks(right, column))) + 1

    def row_at(self, y: int) -> int:
        """The view row painted on screen line y."""
        return bisect_right(self.starts, y) - 1

    def line(self, y: int, current: int | None = None) -> list[Piece]:
        """The pieces of screen line y; `current` is the view row of the selected change."""
        if y < 0 or y >= self.total:
            return []
        row = self.row_at(y)
        lines = self._lines(row)
        offset = y - self.starts[row]
        return lines[offset] if offset < len(lines) else []

    def _row_lines(self, index: int) -> list[list[Piece]]:
        row = self.view.rows[index]
        if isinstance(row, Fold):
            return [[(shown(row.label), "fold")]]
        if isinstance(row, InlineLine):
            text = _plain(row.segments)
            pieces = _slice(row.segments, breaks(text, self.column))
            gutter = ("▍ " if row.changed else "  ", "gutter-changed" if row.changed else "gutter")
            return [[gutter, *line] for line in pieces]
        return self._side_lines(row)

    def _side_lines(self, row: SideRow) -> list[list[Piece]]:
        column = self.column
        left = _slice(row.left, breaks(_plain(row.left), column)) if row.left is not None else []
        right = (
            _slice(row.right, breaks(_plain(row.right), column)) if row.right is not None else []
        )
        separator = (CHANGED_SEPARATOR, "gutter-changed") if row.changed else (SEPARATOR, "gutter")
        out = []
        for k in range(max(len(left), len(right), 1)):
            pieces = list(left[k]) if k < len(left) else []
            used = sum(len(text) for text, _ in pieces)
            if row.left is None:
                pieces.append(("╱" * column, "blank"))
            elif used < column:
                pieces.append((" " * (column - used), "equal"))
            pieces.append(separator)
            if k < len(right):
                pieces.extend(right[k])
            elif row.right is None:
                pieces.append(("╱" * column, "blank"))
            out.append(pieces)
        return out


class Redline:
    """One computed diff and its views, built on demand and kept."""

    def __init__(self, diff: TextDiff, context: int = DEFAULT_CONTEXT) -> None:
        self.diff = diff
        self.context = context
        self._views: dict[tuple[Mode, bool], InlineView | SideView] = {}

    def view(self, mode: Mode, fold: bool) -> InlineView | SideView:
        key = (mode, fold)
        if key not in self._views:
            context = self.context if fold else None
            self._views[key] = (
                inline_view(self.diff, context)
                if mode == "inline"
                else side_by_side_view(self.diff, context)
            )
        return self._views[key]

    def layout(self, mode: Mode, fold: bool, width: int) -> Layout:
        return Layout(self.view(mode, fold), width, mode)
