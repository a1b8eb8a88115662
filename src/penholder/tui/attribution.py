"""Who wrote what, laid out for the screen: core's blame spans as runs over the text, wrapped to
a width, and the word under a cursor. No Textual here.

A 1 MB text costs one pass to find where its screen lines start (a greedy word wrap, like the
redline's) and one list of run starts; a screen line is cut into coloured pieces only when it
is painted, with a bisection into the runs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace

from penholder.core.views.blame import Span
from penholder.tui.redline import breaks, shown

WORD = re.compile(r"\S+")
PALETTE_SIZE = 8


@dataclass(frozen=True)
class Author:
    """One origin of text: a version, its actor and round, and the actor's colour slot."""

    actor: str
    round: int
    version: str
    slot: int


class BlameText:
    """A version's text as runs of one origin each."""

    def __init__(self, spans: Sequence[Span], actors: Sequence[str] = ()) -> None:
        # The text as it is shown (`redline.shown`: control and bidi characters as visible
        # marks, tabs as spaces); offsets, words and wrapping are of this text.
        spans = [replace(s, text=shown(s.text)) for s in spans]
        self.text = "".join(s.text for s in spans)
        order = list(dict.fromkeys([*actors, *(s.actor for s in spans)]))
        self.slots = {actor: k % PALETTE_SIZE for k, actor in enumerate(order)}
        self.authors: list[Author] = []
        index: dict[str, int] = {}
        self.starts: list[int] = []
        self.owners: list[int] = []
        at = 0
        for span in spans:
            if not span.text:
                continue
            key = span.version
            if key not in index:
                index[key] = len(self.authors)
                self.authors.append(
                    Author(span.actor, span.round, span.version, self.slots[span.actor])
                )
            if self.owners and self.owners[-1] == index[key]:
                at += len(span.text)
                continue
            self.starts.append(at)
            self.owners.append(index[key])
            at += len(span.text)

    @property
    def actors(self) -> list[str]:
        """Actors who wrote some of the text, in colour order."""
        present = {a.actor for a in self.authors}
        return [a for a in self.slots if a in present]

    def share(self) -> dict[str, int]:
        """Characters written by each actor."""
        out: dict[str, int] = {}
        ends = [*self.starts[1:], len(self.text)]
        for start, end, owner in zip(self.starts, ends, self.owners, strict=True):
            actor = self.authors[owner].actor
            out[actor] = out.get(actor, 0) + end - start
        return out

    def run_at(self, offset: int) -> int:
        return max(0, bisect_right(self.starts, offset) - 1)

    def author_at(self, offset: int) -> Author | None:
        if not self.starts:
            return None
        return self.authors[self.owners[self.run_at(offset)]]

    def pieces(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """(start, end, author index) of the runs covering [start, end)."""
        out = []
        k = self.run_at(start)
        count = len(self.starts)
        while k < count and self.starts[k] < end:
            run_end = self.starts[k + 1] if k + 1 < count else len(self.text)
            lo, hi = max(start, self.starts[k]), min(end, run_end)
            if lo < hi:
                out.append((lo, hi, self.owners[k]))
            k += 1
        return out

    # words -----------------------------------------------------------------------------

    def word_at(self, offset: int) -> tuple[int, int]:
        """The word holding `offset` (or the next one), as [start, end)."""
        text = self.text
        if not text:
            return 0, 0
        offset = max(0, min(offset, len(text) - 1))
        if not text[offset].isspace():
            start = offset
            while start > 0 and not text[start - 1].isspace():
                start -= 1
            found = WORD.match(text, start)
            return (start, found.end()) if found else (start, start + 1)
        found = WORD.search(text, offset)
        if found is None:
            return offset, offset + 1
        return found.start(), found.end()

    def next_word(self, offset: int) -> int:
        _, end = self.word_at(offset)
        found = WORD.search(self.text, end)
        return found.start() if found else self.word_at(offset)[0]

    def previous_word(self, offset: int) -> int:
        start, _ = self.word_at(offset)
        k = start - 1
        text = self.text
        while k >= 0 and text[k].isspace():
            k -= 1
        if k < 0:
            return start
        return self.word_at(k)[0]

    def run_bounds(self, k: int) -> tuple[int, int]:
        end = self.starts[k + 1] if k + 1 < len(self.starts) else len(self.text)
        return self.starts[k], end

    def focus(self, offset: int) -> tuple[int, int]:
        """The part of the word at `offset` that comes from one origin: what the cursor shows."""
        start, end = self.word_at(offset)
        if not self.starts:
            return start, end
        lo, hi = self.run_bounds(self.run_at(max(start, min(offset, end - 1))))
        return max(start, lo), min(end, hi)

    def next_author(self, offset: int, direction: int) -> int:
        """The first letter of the next (or previous) passage by another actor."""
        if not self.owners:
            return offset
        k = self.run_at(offset)
        actor = self.authors[self.owners[k]].actor

        def by(index: int) -> str:
            return self.authors[self.owners[index]].actor

        def first_letter(index: int) -> int | None:
            lo, hi = self.run_bounds(index)
            found = WORD.search(self.text, lo, hi)
            return found.start() if found else None

        if direction < 0:  # leave the passage the cursor is in first
            while k > 0 and by(k - 1) == actor:
                k -= 1
        k += direction
        while 0 <= k < len(self.starts):
            if by(k) != actor and first_letter(k) is not None:
                if direction < 0:
                    other = by(k)
                    while k > 0 and by(k - 1) == other and first_letter(k - 1) is not None:
                        k -= 1
                letter = first_letter(k)
                assert letter is not None
                return letter
            k += direction
        return offset


class BlameLayout:
    """Where each screen line of a `BlameText` starts, at one width."""

    def __init__(self, blame: BlameText, width: int) -> None:
        self.blame = blame
        self.width = max(8, width)
        text = blame.text
        starts: list[int] = []
        ends: list[int] = []
        at = 0
        for line in text.split("\n"):
            if len(line) <= self.width:
                starts.append(at)
                ends.append(at + len(line))
            else:
                previous = 0
                for cut in [*breaks(line, self.width - 1), len(line)]:
                    starts.append(at + previous)
                    ends.append(at + cut)
                    previous = cut
            at += len(line) + 1
        self.starts = starts
        self.ends = ends

    @property
    def total(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        return max(0, bisect_right(self.starts, offset) - 1)

    def column_of(self, offset: int) -> int:
        return offset - self.starts[self.line_of(offset)]

    def offset_at(self, line: int, column: int) -> int:
        line = max(0, min(line, self.total - 1))
        start, end = self.starts[line], self.ends[line]
        return min(start + max(0, column), max(start, end - 1))

    def line(self, y: int) -> list[tuple[int, int, int]]:
        """(start, end, author index) of the runs painted on screen line y."""
        if y < 0 or y >= self.total:
            return []
        return self.blame.pieces(self.starts[y], self.ends[y])
