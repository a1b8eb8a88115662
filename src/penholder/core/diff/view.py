"""View models of a diff, ready to paint: an inline redline and a side-by-side layout, with
long unchanged stretches folded away and the positions of changes for navigation.

Rows are grouped into stretches that end where both versions share a line break; a stretch
holding any edit is changed as a whole. Side by side, the lines of a stretch are paired top
to bottom, so paragraphs start level with each other and every unchanged line faces itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from penholder.core.diff.layout import layout_only
from penholder.core.diff.types import OpKind, TextDiff

DEFAULT_CONTEXT = 2


class Segment(NamedTuple):
    """A run of text of one kind on one line; `move_id` is set for moved text."""

    kind: OpKind
    text: str
    move_id: int | None


Line = tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Fold:
    """Unchanged lines left out of a view."""

    hidden: int

    @property
    def label(self) -> str:
        return f"… {self.hidden} unchanged lines …"


@dataclass(frozen=True, slots=True)
class InlineLine:
    """One line of the redline, old and new text interleaved."""

    segments: Line
    changed: bool


@dataclass(frozen=True, slots=True)
class SideRow:
    """One row side by side: a line of the old version (left) and of the new (right); None
    where that version has no line to face the other. Line numbers count from 1."""

    left: Line | None
    right: Line | None
    changed: bool
    old_line: int | None
    new_line: int | None


@dataclass(frozen=True, slots=True)
class InlineView:
    rows: tuple[InlineLine | Fold, ...]
    changes: tuple[int, ...]  # indices into rows where each change begins


@dataclass(frozen=True, slots=True)
class SideView:
    rows: tuple[SideRow | Fold, ...]
    changes: tuple[int, ...]


class _Walker:
    """Walks the ops line by line, closing a stretch at every line break both sides share."""

    def __init__(self, inline: bool) -> None:
        self.inline = inline  # build the redline rows, or else the side-by-side rows
        self.left: list[Segment] = []
        self.right: list[Segment] = []
        self.merged: list[Segment] = []
        self.stretch_left: list[Line] = []
        self.stretch_right: list[Line] = []
        self.stretch_merged: list[Line] = []
        self.stretch_changed = False
        self.side_rows: list[SideRow] = []
        self.inline_rows: list[InlineLine] = []
        self.old_line = self.new_line = 1

    def add(self, kind: OpKind, text: str, move_id: int | None) -> None:
        if kind != "equal":
            self.stretch_changed = True
        self._text(text, Segment(kind, "", move_id), left=kind != "insert", right=kind != "delete")

    def add_layout(self, old_space: str, new_space: str) -> None:
        """A re-wrap: each side keeps its own whitespace, the redline follows the new one,
        and nothing is marked changed."""
        self._text(old_space, Segment("equal", "", None), left=True, right=False, merged=False)
        self._text(new_space, Segment("equal", "", None), left=False, right=True)

    def _text(self, text: str, like: Segment, left: bool, right: bool, merged: bool = True) -> None:
        sync = left and right
        merged, left, right = (
            merged and self.inline,
            left and not self.inline,
            right and not self.inline,
        )
        for number, part in enumerate(text.split("\n")):
            if number:
                self._break(left, right, merged, sync)
            if part:
                segment = like._replace(text=part)
                if merged:
                    self.merged.append(segment)
                if left:
                    self.left.append(segment)
                if right:
                    self.right.append(segment)

    def _break(self, left: bool, right: bool, merged: bool, sync: bool) -> None:
        if merged:
            self.stretch_merged.append(tuple(self.merged))
            self.merged = []
        if left:
            self.stretch_left.append(tuple(self.left))
            self.left = []
        if right:
            self.stretch_right.append(tuple(self.right))
            self.right = []
        if sync:
            self.close_stretch()

    def close_stretch(self) -> None:
        changed = self.stretch_changed
        self.inline_rows.extend(InlineLine(line, changed) for line in self.stretch_merged)
        lefts, rights = self.stretch_left, self.stretch_right
        if self.inline:
            pairs = []
        elif len(lefts) == len(rights) == 1:  # the usual case: one line facing one line
            pairs = [(lefts, rights)]
        else:
            pairs = _pair_paragraphs(lefts, rights)
        for left, right in pairs:
            for k in range(max(len(left), len(right))):
                left_line = left[k] if k < len(left) else None
                right_line = right[k] if k < len(right) else None
                old_line = self.old_line if left_line is not None else None
                new_line = self.new_line if right_line is not None else None
                self.side_rows.append(SideRow(left_line, right_line, changed, old_line, new_line))
                self.old_line += left_line is not None
                self.new_line += right_line is not None
        self.stretch_left, self.stretch_right, self.stretch_merged = [], [], []
        self.stretch_changed = False

    def finish(self) -> None:
        if self.merged:
            self.stretch_merged.append(tuple(self.merged))
        if self.left:
            self.stretch_left.append(tuple(self.left))
        if self.right:
            self.stretch_right.append(tuple(self.right))
        self.close_stretch()


def _blank(line: Line) -> bool:
    return all(segment.text.isspace() for segment in line)


def _paragraphs(lines: list[Line]) -> list[list[Line]]:
    """Runs of non-blank lines, each blank line a block of its own."""
    blocks: list[list[Line]] = []
    for line in lines:
        if _blank(line) or not blocks or _blank(blocks[-1][-1]):
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return blocks


def _only(block: list[Line], kind: OpKind) -> bool:
    """Whether every visible segment of the block is of `kind` (a paragraph wholly added or
    wholly removed)."""
    seen = False
    for line in block:
        for segment in line:
            if not segment.text.isspace():
                if segment.kind != kind:
                    return False
                seen = True
    return seen


def _pair_paragraphs(lefts: list[Line], rights: list[Line]) -> list[tuple[list[Line], list[Line]]]:
    """Face the paragraphs of one stretch with each other: a paragraph added or removed whole,
    or a blank line facing text, stands alone; the others pair up in order."""
    left_blocks, right_blocks = _paragraphs(lefts), _paragraphs(rights)
    pairs: list[tuple[list[Line], list[Line]]] = []
    i = j = 0
    while i < len(left_blocks) and j < len(right_blocks):
        left, right = left_blocks[i], right_blocks[j]
        left_blank, right_blank = _blank(left[0]), _blank(right[0])
        if _only(left, "delete") or (left_blank and not right_blank):
            pairs.append((left, []))
            i += 1
        elif _only(right, "insert") or (right_blank and not left_blank):
            pairs.append(([], right))
            j += 1
        else:
            pairs.append((left, right))
            i += 1
            j += 1
    pairs.extend((left, []) for left in left_blocks[i:])
    pairs.extend(([], right) for right in right_blocks[j:])
    return pairs


Row = TypeVar("Row", InlineLine, SideRow)


def _walk(diff: TextDiff, inline: bool) -> _Walker:
    walker = _Walker(inline)
    move_ids = diff.move_ids()
    layout = layout_only(diff.ops)
    ops = diff.ops
    index = 0
    while index < len(ops):
        if index in layout:
            end = index
            while end in layout:
                end += 1
            group = ops[index:end]
            walker.add_layout(
                "".join(op.text for op in group if op.kind == "delete"),
                "".join(op.text for op in group if op.kind == "insert"),
            )
            index = end
            continue
        walker.add(ops[index].kind, ops[index].text, move_ids.get(index))
        index += 1
    walker.finish()
    return walker


def _fold(
    rows: Sequence[Row], context: int | None
) -> tuple[tuple[Row | Fold, ...], tuple[int, ...]]:
    """Replace unchanged runs further than `context` lines from any change by a Fold (runs of
    one line stay: a marker would take as much room); None keeps every row."""
    keep = [True] * len(rows)
    if context is not None:
        near = [False] * len(rows)
        for index, row in enumerate(rows):
            if row.changed:
                for k in range(max(0, index - context), min(len(rows), index + context + 1)):
                    near[k] = True
        keep = near
    folded: list[Row | Fold] = []
    changes: list[int] = []
    index = 0
    while index < len(rows):
        if keep[index]:
            if rows[index].changed and (index == 0 or not rows[index - 1].changed):
                changes.append(len(folded))
            folded.append(rows[index])
            index += 1
            continue
        end = index
        while end < len(rows) and not keep[end]:
            end += 1
        if end - index >= 2:
            folded.append(Fold(end - index))
        else:
            folded.extend(rows[index:end])
        index = end
    return tuple(folded), tuple(changes)


def inline_view(diff: TextDiff, context: int | None = DEFAULT_CONTEXT) -> InlineView:
    """The redline: lines of interleaved segments, unchanged stretches folded to `context`
    lines around each change."""
    rows, changes = _fold(_walk(diff, inline=True).inline_rows, context)
    return InlineView(rows, changes)


def side_by_side_view(diff: TextDiff, context: int | None = DEFAULT_CONTEXT) -> SideView:
    """Old version left, new version right, aligned by paragraph and line; unchanged
    stretches folded to `context` lines around each change."""
    rows, changes = _fold(_walk(diff, inline=False).side_rows, context)
    return SideView(rows, changes)
