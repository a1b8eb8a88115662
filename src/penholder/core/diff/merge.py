"""Consolidating amendments: a word-level three-way (or n-way) merge.

Each amendment is word-diffed against the base; the edits (hunks: a base range and its new
wording) of all amendments are merged by their position in the base. Edits that overlap, or
that touch where one of them is an insertion (so their order is unknown), form a cluster;
a cluster changed by one amendment only, or changed identically by several, is applied once;
otherwise it is a conflict holding each amendment's wording. Nothing is fuzzy-matched: a
hunk lands exactly at its base position or becomes part of a conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from penholder.core.diff import engine as diff_engine
from penholder.core.diff.backend import DELETE, EQUAL, INSERT


@dataclass(frozen=True, slots=True)
class Hunk:
    """One edit of an amendment: base[start:end] becomes `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Conflict:
    """A passage of the base that amendments changed differently. `start`/`end` are offsets
    in the base, `line` its first line (from 1); `side_texts[k]` is amendment k's wording of
    the passage (the base wording if amendment k left it alone)."""

    start: int
    end: int
    line: int
    base_text: str
    side_texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MergeResult:
    """`text` is the consolidated text, or None when there are conflicts; `pieces` is the
    consolidated text with each conflict in its place."""

    text: str | None
    conflicts: tuple[Conflict, ...]
    pieces: tuple[str | Conflict, ...]

    def render(self, labels: Sequence[str] | None = None) -> str:
        """The consolidated text with each conflict written out between markers, diff3
        style: first wording, base, the other wordings; markers on lines of their own."""
        out: list[str] = []
        for piece in self.pieces:
            if isinstance(piece, str):
                out.append(piece)
            else:
                if out and not out[-1].endswith("\n"):
                    out.append("\n")
                out.append(_marked(piece, _labels(labels, len(piece.side_texts))))
        return "".join(out)


def _labels(labels: Sequence[str] | None, count: int) -> list[str]:
    names = list(labels or ())
    return names + [f"amendment {k + 1}" for k in range(len(names), count)]


def _line(text: str) -> str:
    return text if text.endswith("\n") or not text else text + "\n"


def _marked(conflict: Conflict, labels: list[str]) -> str:
    parts = [f"<<<<<<< {labels[0]}\n", _line(conflict.side_texts[0])]
    parts += ["||||||| base\n", _line(conflict.base_text)]
    for label, text in zip(labels[1:], conflict.side_texts[1:], strict=True):
        parts += [f"======= {label}\n", _line(text)]
    parts.append(">>>>>>>\n")
    return "".join(parts)


def describe_conflicts(result: MergeResult, labels: Sequence[str] | None = None) -> str:
    """The conflicts as a list for a person: where each is and every wording of it."""
    lines: list[str] = []
    for number, conflict in enumerate(result.conflicts, 1):
        lines.append(f"Conflict {number} at line {conflict.line}:")
        lines.append(f"  base: {conflict.base_text!r}")
        for label, text in zip(
            _labels(labels, len(conflict.side_texts)), conflict.side_texts, strict=True
        ):
            lines.append(f"  {label}: {text!r}")
    return "\n".join(lines)


def hunks(base: str, side: str, backend: Literal["auto", "fast", "pure"] = "auto") -> list[Hunk]:
    """The word-level edits turning `base` into `side`, in base order."""
    raw, _ = diff_engine.compute(base, side, "word", backend, None)
    found: list[Hunk] = []
    position = index = 0
    while index < len(raw):
        if raw[index][0] == EQUAL:
            position += len(raw[index][1])
            index += 1
            continue
        start = position
        inserted: list[str] = []
        while index < len(raw) and raw[index][0] != EQUAL:
            kind, text = raw[index]
            if kind == DELETE:
                position += len(text)
            elif kind == INSERT:
                inserted.append(text)
            index += 1
        found.append(Hunk(start, position, "".join(inserted)))
    return found


def three_way_merge(
    base: str, *sides: str, backend: Literal["auto", "fast", "pure"] = "auto"
) -> MergeResult:
    """Merge amendments `sides` (two or more) of `base`."""
    if len(sides) < 2:
        raise ValueError("three_way_merge needs at least two amendments")
    edits = sorted(
        (hunk.start, hunk.end, side, hunk)
        for side, text in enumerate(sides)
        for hunk in (hunks(base, text, backend) if text != base else [])
    )  # no two hunks share (start, end, side): one amendment's hunks never touch
    pieces: list[str | Conflict] = []
    conflicts: list[Conflict] = []
    position = 0
    index = 0
    while index < len(edits):
        cluster = [edits[index]]
        end = edits[index][1]
        index += 1
        while index < len(edits) and _joins(edits[index][3], end, cluster):
            cluster.append(edits[index])
            end = max(end, edits[index][1])
            index += 1
        start = cluster[0][0]
        pieces.append(base[position:start])
        wordings = tuple(
            _apply(base, start, end, [hunk for _, _, side, hunk in cluster if side == k])
            for k in range(len(sides))
        )
        changed = {wordings[side] for _, _, side, _ in cluster}
        if len(changed) == 1:
            pieces.append(changed.pop())
        else:
            line = base.count("\n", 0, start) + 1
            conflict = Conflict(start, end, line, base[start:end], wordings)
            conflicts.append(conflict)
            pieces.append(conflict)
        position = end
    pieces.append(base[position:])
    merged = [piece for piece in pieces if not isinstance(piece, str) or piece]
    text = None if conflicts else "".join(piece for piece in merged if isinstance(piece, str))
    return MergeResult(text, tuple(conflicts), tuple(merged))


def _joins(hunk: Hunk, end: int, cluster: list[tuple[int, int, int, Hunk]]) -> bool:
    """Whether `hunk` belongs to the cluster reaching to `end`: it overlaps it, or touches it
    where one of the two is an insertion (which could go on either side of the other)."""
    if hunk.start < end:
        return True
    if hunk.start > end:
        return False
    return hunk.start == hunk.end or any(h.start == h.end == end for _, _, _, h in cluster)


def _apply(base: str, start: int, end: int, side_hunks: list[Hunk]) -> str:
    """base[start:end] with one amendment's hunks (all inside that range) applied."""
    parts: list[str] = []
    position = start
    for hunk in side_hunks:
        parts.append(base[position : hunk.start])
        parts.append(hunk.text)
        position = hunk.end
    parts.append(base[position:end])
    return "".join(parts)
