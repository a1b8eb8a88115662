"""Counting what a diff changed: words inserted, deleted and moved; paragraphs touched."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from penholder.core.diff.layout import is_layout_change
from penholder.core.diff.tokens import count_words
from penholder.core.diff.types import DiffStats, Move, Op

_PARAGRAPH_BREAK = re.compile(r"\n(?:[^\S\n]*\n)+")


class _Paragraphs:
    """Paragraphs of a text (separated by blank lines), to tell which ones a change touches."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [m.end() for m in _PARAGRAPH_BREAK.finditer(text)]
        self.touched: set[int] = set()

    def touch(self, start: int, end: int) -> None:
        """Mark the paragraphs holding the visible characters of text[start:end]; without any
        (an insertion point, a whitespace change) the paragraphs at its two ends."""
        first, last = start, end
        while first < last and self.text[first].isspace():
            first += 1
        while last > first and self.text[last - 1].isspace():
            last -= 1
        if first == last:  # only whitespace: the paragraphs on both sides of it (a split)
            self.touched.add(bisect_right(self.starts, start))
            self.touched.add(bisect_right(self.starts, end))
        else:
            low = bisect_right(self.starts, first)
            self.touched.update(range(low, bisect_right(self.starts, last - 1) + 1))


def compute_stats(ops: Sequence[Op], moves: Sequence[Move], old: str, new: str) -> DiffStats:
    """Words inserted, deleted and moved, and paragraphs changed: max(old paragraphs touched,
    new paragraphs touched). Re-wrapping (layout-only whitespace changes) counts for nothing;
    moved words count only as moved."""
    moved = {move.delete_op for move in moves} | {move.insert_op for move in moves}
    inserted = deleted = 0
    old_paragraphs: _Paragraphs | None = None
    new_paragraphs: _Paragraphs | None = None
    old_at = new_at = 0
    index = 0
    while index < len(ops):
        kind, text = ops[index]
        if kind == "equal":
            old_at += len(text)
            new_at += len(text)
            index += 1
            continue
        group_old, group_new = old_at, new_at
        start = index
        while index < len(ops) and ops[index].kind != "equal":
            kind, text = ops[index]
            if kind == "delete":
                old_at += len(text)
                if index not in moved:
                    deleted += count_words(text)
            else:
                new_at += len(text)
                if index not in moved:
                    inserted += count_words(text)
            index += 1
        before = ops[start - 1].text if start else ""
        after = ops[index].text if index < len(ops) else ""
        if not is_layout_change(before, old[group_old:old_at], new[group_new:new_at], after):
            if old_paragraphs is None or new_paragraphs is None:
                old_paragraphs, new_paragraphs = _Paragraphs(old), _Paragraphs(new)
            old_paragraphs.touch(group_old, old_at)
            new_paragraphs.touch(group_new, new_at)
    changed = 0
    if old_paragraphs is not None and new_paragraphs is not None:
        changed = max(len(old_paragraphs.touched), len(new_paragraphs.touched))
    return DiffStats(
        words_inserted=inserted,
        words_deleted=deleted,
        words_moved=sum(move.words for move in moves),
        paragraphs_changed=changed,
    )
