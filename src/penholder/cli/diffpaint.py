"""Painting diffs for the terminal and for pipes (the CLI's side; the data comes from core).

With colour, deleted text is struck through in red, inserted text underlined in green, and
moved text cyan with a ⇄ marker naming the move. Without colour the same marks are written
as `[-deleted-]`, `{+inserted+}` and `⇄1[-moved-]` / `⇄1{+moved+}`, one pair per line, so
the output survives pipes and greps.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import click

from penholder.core.diff.texts import (
    DiffStats,
    Fold,
    InlineView,
    Segment,
    SideRow,
    SideView,
    TextDiff,
    inline_view,
    side_by_side_view,
)
from penholder.core.trust.text import neutralize

MOVE_MARK = "⇄"
_SEPARATOR = " │ "
_CHANGED_SEPARATOR = " ┃ "
_CHUNK = re.compile(r"\S+\s*|\s+")

# A painted piece: plain text (which decides the width) and how to style it.
Piece = tuple[str, Callable[[str], str]]


def _plain(text: str) -> str:
    return text


def _style(segment: Segment) -> Callable[[str], str]:
    if segment.kind == "equal":
        return _plain
    colour = (
        "cyan" if segment.move_id is not None else ("red" if segment.kind == "delete" else "green")
    )
    if segment.kind == "delete":
        return lambda text: click.style(text, fg=colour, strikethrough=True)
    return lambda text: click.style(text, fg=colour, underline=True)


def _pieces(
    segments: tuple[Segment, ...], color: bool, marked: set[tuple[int, str]]
) -> list[Piece]:
    """Segments as pieces, with the move marker before the first piece of each moved block.
    Control and bidi characters are shown as visible marks (a carriage return as ␍, an escape
    as ␛: never their effect on the terminal) and tabs expanded, so that what shows is what
    was signed and widths hold."""
    pieces: list[Piece] = []
    for raw in segments:
        segment = raw._replace(text=neutralize(raw.text).replace("\t", "    "))
        marker = ""
        if segment.move_id is not None and (segment.move_id, segment.kind) not in marked:
            marked.add((segment.move_id, segment.kind))
            marker = f"{MOVE_MARK}{segment.move_id}"
        if color:
            if marker:
                pieces.append((marker, lambda text: click.style(text, fg="cyan", bold=True)))
            pieces.append((segment.text, _style(segment)))
        elif segment.kind == "equal":
            pieces.append((segment.text, _plain))
        elif segment.kind == "delete":
            pieces.append((f"{marker}[-{segment.text}-]", _plain))
        else:
            pieces.append((f"{marker}{{+{segment.text}+}}", _plain))
    return pieces


def _fold_line(fold: Fold, color: bool) -> str:
    label = neutralize(fold.label)
    return click.style(label, dim=True) if color else label


def paint_inline(diff: TextDiff | InlineView, color: bool) -> str:
    """The redline as text, one line per view row, folds as "… N unchanged lines …"."""
    view = inline_view(diff) if isinstance(diff, TextDiff) else diff
    marked: set[tuple[int, str]] = set()
    lines: list[str] = []
    for row in view.rows:
        if isinstance(row, Fold):
            lines.append(_fold_line(row, color))
        else:
            lines.append(
                "".join(style(text) for text, style in _pieces(row.segments, color, marked))
            )
    return "\n".join(lines)


def _wrap(pieces: list[Piece], width: int) -> list[list[Piece]]:
    """Word-wrap styled pieces into lines of at most `width` characters; words longer than a
    line are cut, spaces at a line end are dropped."""
    lines: list[list[Piece]] = [[]]
    used = 0
    for text, style in pieces:
        for chunk in _CHUNK.findall(text):
            word = chunk.rstrip() or chunk
            if used and used + len(word) > width:
                lines.append([])
                used = 0
            while chunk:
                if used >= width:
                    lines.append([])
                    used = 0
                part, chunk = chunk[: width - used], chunk[width - used :]
                if chunk.isspace():
                    chunk = ""
                lines[-1].append((part, style))
                used += len(part)
    return lines


def _render(line: list[Piece], width: int) -> str:
    text = "".join(style(part) for part, style in line)
    return text + " " * max(0, width - sum(len(part) for part, _ in line))


def paint_side_by_side(diff: TextDiff | SideView, width: int, color: bool) -> str:
    """Old version left, new right, each wrapped to half of `width`; changed rows are joined
    by a heavy bar, unchanged ones by a light one."""
    view = side_by_side_view(diff) if isinstance(diff, TextDiff) else diff
    column = max(10, (width - len(_SEPARATOR)) // 2)
    marked: set[tuple[int, str]] = set()
    out: list[str] = []
    for row in view.rows:
        if isinstance(row, Fold):
            out.append(_fold_line(row, color))
            continue
        out.extend(_side_row(row, column, color, marked))
    return "\n".join(out)


def _side_row(row: SideRow, column: int, color: bool, marked: set[tuple[int, str]]) -> list[str]:
    left = _wrap(_pieces(row.left, color, marked), column) if row.left is not None else [[]]
    right = _wrap(_pieces(row.right, color, marked), column) if row.right is not None else [[]]
    separator = _CHANGED_SEPARATOR if row.changed else _SEPARATOR
    lines = []
    for k in range(max(len(left), len(right))):
        left_text = _render(left[k] if k < len(left) else [], column)
        right_text = _render(right[k] if k < len(right) else [], column).rstrip()
        lines.append(f"{left_text}{separator}{right_text}".rstrip())
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def paint_stat(stats: DiffStats) -> str:
    """One line of counts, e.g. "3 paragraphs changed: +12 words, -4 words, 9 words moved"."""
    return (
        f"{_count(stats.paragraphs_changed, 'paragraph')} changed: "
        f"+{_count(stats.words_inserted, 'word')}, -{_count(stats.words_deleted, 'word')}, "
        f"{_count(stats.words_moved, 'word')} moved"
    )
