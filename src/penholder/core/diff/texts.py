"""Comparing two versions of a document: the public face of the diff engine.

`diff_texts` returns plain typed data (ops, moves, stats); `inline_view` and
`side_by_side_view` turn it into rows to paint; `diff_to_json` into a JSON-ready dict.
Word granularity compares whole words and punctuation marks, so a changed word shows as one
word replaced. Diffs are exact and, unless a `budget_seconds` is given, never cut short.
"""

from __future__ import annotations

from typing import Literal

from penholder.core.diff import engine as diff_engine
from penholder.core.diff.backend import DELETE, INSERT, Backend, fast_available
from penholder.core.diff.moves import MIN_MOVED_WORDS, find_moves
from penholder.core.diff.stats import compute_stats
from penholder.core.diff.types import DiffStats, Granularity, Move, Op, OpKind, TextDiff
from penholder.core.diff.view import (
    DEFAULT_CONTEXT,
    Fold,
    InlineLine,
    InlineView,
    Segment,
    SideRow,
    SideView,
    inline_view,
    side_by_side_view,
)

__all__ = [
    "DEFAULT_CONTEXT",
    "MIN_MOVED_WORDS",
    "Backend",
    "DiffStats",
    "Fold",
    "Granularity",
    "InlineLine",
    "InlineView",
    "Move",
    "Op",
    "OpKind",
    "Segment",
    "SideRow",
    "SideView",
    "TextDiff",
    "diff_texts",
    "diff_to_json",
    "fast_available",
    "inline_view",
    "side_by_side_view",
]

GRANULARITIES: tuple[Granularity, ...] = ("word", "char", "line")
_KIND: dict[int, OpKind] = {DELETE: "delete", 0: "equal", INSERT: "insert"}


def diff_texts(
    old: str,
    new: str,
    granularity: Granularity = "word",
    *,
    budget_seconds: float | None = None,
    backend: Literal["auto", "fast", "pure"] = "auto",
) -> TextDiff:
    """Compare `old` with `new`.

    granularity: "word" (words and punctuation marks), "char" or "line".
    budget_seconds: None (default) runs every diff to the end. With a budget the libraries'
        deadline and speed-ups apply; the result stays exact, and `simplified` tells whether
        the budget ran out.
    backend: "auto" uses the C++ `fast_diff_match_patch` when installed, "pure" forces the
        pure-Python `diff_match_patch`, "fast" requires the C++ one. Results are identical.
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}")
    raw, simplified = diff_engine.compute(old, new, granularity, backend, budget_seconds)
    raw, moves = find_moves(raw)
    ops = tuple(Op(_KIND[kind], text) for kind, text in raw)
    stats = compute_stats(ops, moves, old, new)
    return TextDiff(ops, moves, stats, granularity, simplified)


def diff_to_json(diff: TextDiff) -> dict[str, object]:
    """`{granularity, simplified, ops: [[op, text], ...], moves: [...], stats: {...}}`; a moved
    block appears in `ops` as its delete and its insert, both named in `moves`."""
    return {
        "granularity": diff.granularity,
        "simplified": diff.simplified,
        "ops": [[op.kind, op.text] for op in diff.ops],
        "moves": [
            {"id": m.id, "delete_op": m.delete_op, "insert_op": m.insert_op, "words": m.words}
            for m in diff.moves
        ],
        "stats": {
            "words_inserted": diff.stats.words_inserted,
            "words_deleted": diff.stats.words_deleted,
            "words_moved": diff.stats.words_moved,
            "paragraphs_changed": diff.stats.paragraphs_changed,
        },
    }
