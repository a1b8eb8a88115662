"""Finding moved blocks: runs of 8 or more words deleted in one change and inserted unchanged
in another. Words and punctuation must match exactly; whitespace may differ (a moved
paragraph is often re-wrapped). Matching ops are split so that each moved block is an op
of its own, which keeps the diff exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from penholder.core.diff.backend import DELETE, EQUAL, INSERT, RawDiff
from penholder.core.diff.types import Move

MIN_MOVED_WORDS = 8
_WINDOW = MIN_MOVED_WORDS  # a block of 8 words holds at least 8 tokens
_MAX_CANDIDATES = 32  # per window, so that boilerplate phrases cannot make this quadratic
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(slots=True)
class _Side:
    op: int
    group: int
    keys: list[str]
    spans: list[tuple[int, int]]
    used: list[bool]


def _sides(ops: RawDiff, kind: int) -> list[_Side]:
    sides: list[_Side] = []
    group = 0
    for index, (op_kind, text) in enumerate(ops):
        if op_kind == EQUAL:
            group += 1
        elif op_kind == kind and len(text) >= 2 * MIN_MOVED_WORDS - 1:
            matches = list(_TOKEN.finditer(text))
            if len(matches) >= MIN_MOVED_WORDS:
                keys = [m.group() for m in matches]
                spans = [m.span() for m in matches]
                sides.append(_Side(index, group, keys, spans, [False] * len(keys)))
    return sides


def _words(keys: list[str]) -> int:
    return sum(1 for key in keys if key[0].isalnum() or key[0] == "_")


def find_moves(ops: RawDiff) -> tuple[RawDiff, tuple[Move, ...]]:
    """Split `ops` so that moved blocks stand alone, and list the moves."""
    deletions, insertions = _sides(ops, DELETE), _sides(ops, INSERT)
    if not deletions or not insertions:
        return ops, ()
    index: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    for number, side in enumerate(insertions):
        for at in range(len(side.keys) - _WINDOW + 1):
            index.setdefault(tuple(side.keys[at : at + _WINDOW]), []).append((number, at))
    # (op index) -> list of (start char, end char, move number)
    cuts: dict[int, list[tuple[int, int, int]]] = {}
    found: list[tuple[int, int, int]] = []  # (delete op, insert op, words) per move
    for deleted in deletions:
        at = 0
        while at + _WINDOW <= len(deleted.keys):
            best = _best_match(deleted, at, index, insertions)
            if best is None:
                at += 1
                continue
            number, start, length = best
            inserted = insertions[number]
            words = _words(deleted.keys[at : at + length])
            move = len(found)
            found.append((deleted.op, inserted.op, words))
            for k in range(start, start + length):
                inserted.used[k] = True
            cuts.setdefault(deleted.op, []).append(
                (deleted.spans[at][0], deleted.spans[at + length - 1][1], move)
            )
            cuts.setdefault(inserted.op, []).append(
                (inserted.spans[start][0], inserted.spans[start + length - 1][1], move)
            )
            at += length
    if not found:
        return ops, ()
    return _split(ops, cuts, found)


def _best_match(
    deleted: _Side,
    at: int,
    index: dict[tuple[str, ...], list[tuple[int, int]]],
    insertions: list[_Side],
) -> tuple[int, int, int] | None:
    """The longest unused insertion run equal to deleted.keys[at:], in another change,
    with enough words: (insertion number, start, length)."""
    best: tuple[int, int, int] | None = None
    for number, start in index.get(tuple(deleted.keys[at : at + _WINDOW]), ())[:_MAX_CANDIDATES]:
        inserted = insertions[number]
        if inserted.group == deleted.group:
            continue  # rewritten in place, not moved
        length = 0
        while (
            at + length < len(deleted.keys)
            and start + length < len(inserted.keys)
            and not inserted.used[start + length]
            and deleted.keys[at + length] == inserted.keys[start + length]
        ):
            length += 1
        if (best is None or length > best[2]) and _words(
            deleted.keys[at : at + length]
        ) >= MIN_MOVED_WORDS:
            best = (number, start, length)
    return best


def _split(
    ops: RawDiff, cuts: dict[int, list[tuple[int, int, int]]], found: list[tuple[int, int, int]]
) -> tuple[RawDiff, tuple[Move, ...]]:
    result: RawDiff = []
    placed: dict[tuple[int, int], int] = {}  # (move number, kind) -> new op index
    for index, (kind, text) in enumerate(ops):
        position = 0
        for start, end, move in sorted(cuts.get(index, ())):
            if start > position:
                result.append((kind, text[position:start]))
            placed[move, kind] = len(result)
            result.append((kind, text[start:end]))
            position = end
        if position < len(text):
            result.append((kind, text[position:]))
    moves = tuple(
        Move(number + 1, placed[number, DELETE], placed[number, INSERT], words)
        for number, (_, _, words) in enumerate(found)
    )
    return result, moves
