"""Narrowing a comparison down to the regions that changed, before any word diff runs.

First the common prefix and suffix are cut off (at a whitespace or line break, so no word is
split). The middle is anchored patience-style: on paragraphs, then on lines, that occur
exactly once in each version and appear in the same order (the longest increasing run of
such pairs), recursing into the gaps between anchors. Gaps holding as many paragraphs (or
lines) on both sides, alike at their starts or ends, are paired one to one; lines left
identical in the same place inside a paired paragraph stay unchanged. Only what is left
goes to the word diff.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from itertools import accumulate, pairwise

from penholder.core.diff.tokens import TokenMode

# (changed, old_start, old_end, new_start, new_end) in character offsets.
Region = tuple[bool, int, int, int, int]

# Unchanged characters kept next to a change in word mode, so an edit can still be slid.
CONTEXT = 64
# Text with paragraphs longer than this on average is anchored on lines from the start.
_LONG_PARAGRAPH = 4000
_PARAGRAPH_BREAK = re.compile(r"\n(?:[^\S\n]*\n)+")
_ALIKE = 16


def common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, by binary search over slice comparisons (C speed)."""
    if not a or not b or a[0] != b[0]:
        return 0
    low, high, mid, start = 0, min(len(a), len(b)), min(len(a), len(b)), 0
    while low < mid:
        if a[start:mid] == b[start:mid]:
            low = start = mid
        else:
            high = mid
        mid = (high - low) // 2 + low
    return mid


def common_suffix(a: str, b: str) -> int:
    """Length of the common suffix."""
    if not a or not b or a[-1] != b[-1]:
        return 0
    low, high, mid, end = 0, min(len(a), len(b)), min(len(a), len(b)), 0
    while low < mid:
        if a[len(a) - mid : len(a) - end] == b[len(b) - mid : len(b) - end]:
            low = end = mid
        else:
            high = mid
        mid = (high - low) // 2 + low
    return mid


def cut_back(text: str, pos: int, mode: TokenMode) -> int:
    """The last position <= pos where an equal prefix may end without splitting a token:
    just after a whitespace character (word mode) or a line break (line mode)."""
    if pos == 0:
        return pos
    if mode == "line":
        return text.rfind("\n", 0, pos) + 1
    if text[pos - 1].isspace():
        return pos
    return max(text.rfind(" ", 0, pos), text.rfind("\n", 0, pos), text.rfind("\t", 0, pos)) + 1


def cut_forward(text: str, pos: int, mode: TokenMode) -> int:
    """The first position >= pos where an equal suffix may start without splitting a token:
    at a whitespace character (word mode) or just after a line break (line mode). Only
    characters from pos on are looked at: they are the ones both versions share."""
    if pos >= len(text):
        return pos
    if mode == "line":
        newline = text.find("\n", pos)
        return len(text) if newline < 0 else newline + 1
    if text[pos].isspace():
        return pos
    spaces = [
        i for i in (text.find(" ", pos), text.find("\n", pos), text.find("\t", pos)) if i >= 0
    ]
    return min(spaces) if spaces else len(text)


def trim_common(old: str, new: str, mode: TokenMode) -> tuple[int, int]:
    """Lengths of the common prefix and suffix, cut so that neither splits a token. In word
    mode some unchanged context is left next to the change (back to the line start, or about
    CONTEXT characters), so that the clean-up can still slide an edit to a natural boundary."""
    prefix = common_prefix(old, new)
    if mode == "word":
        line_start = old.rfind("\n", 0, prefix) + 1
        prefix = (
            line_start if prefix - line_start <= CONTEXT else cut_back(old, prefix - CONTEXT, mode)
        )
    else:
        prefix = cut_back(old, prefix, mode)
    start = len(old) - common_suffix(old[prefix:], new[prefix:])
    if mode == "word":
        line_end = old.find("\n", start)
        if 0 <= line_end - start < CONTEXT:
            start = line_end + 1
        else:
            start = cut_forward(old, min(len(old), start + CONTEXT), mode)
    else:
        start = cut_forward(old, start, mode)
    return prefix, len(old) - start


def changed_regions(old: str, new: str, mode: TokenMode) -> list[Region]:
    """The whole comparison as alternating equal and changed regions, covering both texts.
    Anchoring on paragraphs first keeps it cheap on long documents."""
    if old == new:
        return [(False, 0, len(old), 0, 0 + len(new))] if old else []
    prefix, suffix = trim_common(old, new, mode)
    old_end, new_end = len(old) - suffix, len(new) - suffix
    regions: list[Region] = []
    if prefix:
        regions.append((False, 0, prefix, 0, prefix))
    old_units, new_units = _paragraphs(old[prefix:old_end]), _paragraphs(new[prefix:new_end])
    if (old_end - prefix) > _LONG_PARAGRAPH * len(old_units):  # no blank lines to speak of
        old_units = old[prefix:old_end].splitlines(keepends=True)
        new_units = new[prefix:new_end].splitlines(keepends=True)
    _anchored(old_units, new_units, prefix, prefix, regions)
    if suffix:
        _emit(regions, (False, old_end, len(old), new_end, len(new)))
    return regions


def _anchored(
    old: list[str], new: list[str], old_start: int, new_start: int, out: list[Region]
) -> None:
    """Anchor units (paragraphs or lines) starting at old_start/new_start; changed stretches
    are paired unit by unit, or anchored again on lines, or left as one changed region."""
    old_at = list(accumulate(map(len, old), initial=old_start))
    new_at = list(accumulate(map(len, new), initial=new_start))
    for changed, i0, i1, j0, j1 in _patience(old, new):
        if not changed or (i1 - i0 <= 1 and j1 - j0 <= 1):
            if changed and i1 - i0 == j1 - j0 == 1:
                _pair_lines(old[i0], new[j0], old_at[i0], new_at[j0], out)
            else:
                _emit(out, (changed, old_at[i0], old_at[i1], new_at[j0], new_at[j1]))
        elif i1 - i0 == j1 - j0 and all(
            _alike(old[i], new[j]) for i, j in zip(range(i0, i1), range(j0, j1), strict=True)
        ):
            for i, j in zip(range(i0, i1), range(j0, j1), strict=True):
                _pair_lines(old[i], new[j], old_at[i], new_at[j], out)
        else:
            old_lines = "".join(old[i0:i1]).splitlines(keepends=True)
            new_lines = "".join(new[j0:j1]).splitlines(keepends=True)
            if len(old_lines) > i1 - i0 or len(new_lines) > j1 - j0:
                _anchored(old_lines, new_lines, old_at[i0], new_at[j0], out)
            else:
                _emit(out, (True, old_at[i0], old_at[i1], new_at[j0], new_at[j1]))


def _alike(old: str, new: str) -> bool:
    """Whether two paragraphs look like versions of each other: they start or end alike."""
    return old[:_ALIKE] == new[:_ALIKE] or old[-_ALIKE:] == new[-_ALIKE:]


def _pair_lines(old: str, new: str, old_start: int, new_start: int, out: list[Region]) -> None:
    """Two versions of a paragraph. When they have as many lines, the lines left identical in
    the same place stay unchanged and each run of changed lines is one changed region (so a
    re-wrap across lines stays in one region); otherwise the whole paragraph is one region."""
    if old == new:
        _emit(out, (False, old_start, old_start + len(old), new_start, new_start + len(new)))
        return
    old_parts, new_parts = old.splitlines(keepends=True), new.splitlines(keepends=True)
    if len(old_parts) != len(new_parts) or len(old_parts) < 2:
        out.append((True, old_start, old_start + len(old), new_start, new_start + len(new)))
        return
    old_at = list(accumulate(map(len, old_parts), initial=old_start))
    new_at = list(accumulate(map(len, new_parts), initial=new_start))
    same = list(map(str.__eq__, old_parts, new_parts))
    start = 0
    for k in range(1, len(same) + 1):
        if k == len(same) or same[k] != same[start]:
            _emit(out, (not same[start], old_at[start], old_at[k], new_at[start], new_at[k]))
            start = k


def _paragraphs(text: str) -> list[str]:
    """`text` cut into paragraphs (each up to its last line break) and the blank lines
    between them, so that a paragraph reads the same whether or not it comes last."""
    cuts = [0]
    for match in _PARAGRAPH_BREAK.finditer(text):
        cuts += (match.start() + 1, match.end())
    cuts.append(len(text))
    return [text[start:end] for start, end in pairwise(cuts) if start < end]


def _patience(old: list[str], new: list[str]) -> list[Region]:
    """Regions in unit indices from patience anchoring, equal and changed."""
    out: list[Region] = []
    _anchor(old, new, 0, len(old), 0, len(new), out)
    return out


def _emit(out: list[Region], region: Region) -> None:
    """Append a region, joining it to a previous unchanged one it continues."""
    if not region[0] and out and not out[-1][0] and out[-1][2] == region[1]:
        last = out[-1]
        out[-1] = (False, last[1], region[2], last[3], region[4])
    else:
        out.append(region)


def _anchor(
    old: list[str], new: list[str], i0: int, i1: int, j0: int, j1: int, out: list[Region]
) -> None:
    head = 0
    while i0 + head < i1 and j0 + head < j1 and old[i0 + head] == new[j0 + head]:
        head += 1
    if head:
        _emit(out, (False, i0, i0 + head, j0, j0 + head))
        i0, j0 = i0 + head, j0 + head
    tail = 0
    while i0 < i1 - tail and j0 < j1 - tail and old[i1 - tail - 1] == new[j1 - tail - 1]:
        tail += 1
    i1, j1 = i1 - tail, j1 - tail
    anchors = _unique_common(old, new, i0, i1, j0, j1) if min(i1 - i0, j1 - j0) > 1 else []
    if not anchors:
        if i1 - i0 == j1 - j0 > 2:
            _pair_same_shape(old, new, i0, i1, j0, out)
        elif i0 < i1 or j0 < j1:
            out.append((True, i0, i1, j0, j1))
    else:
        first_i, first_j = anchors[0]
        _between(old, new, i0, first_i, j0, first_j, out)
        run_i, run_j = first_i, first_j  # start of the current run of consecutive anchors
        jumps = [(a, b) for a, b in pairwise(anchors) if b[0] - a[0] > 1 or b[1] - a[1] > 1]
        for (a_i, a_j), (b_i, b_j) in jumps:
            _emit(out, (False, run_i, a_i + 1, run_j, a_j + 1))
            _between(old, new, a_i + 1, b_i, a_j + 1, b_j, out)
            run_i, run_j = b_i, b_j
        last_i, last_j = anchors[-1]
        _emit(out, (False, run_i, last_i + 1, run_j, last_j + 1))
        _between(old, new, last_i + 1, i1, last_j + 1, j1, out)
    if tail:
        _emit(out, (False, i1, i1 + tail, j1, j1 + tail))


def _between(
    old: list[str], new: list[str], i0: int, i1: int, j0: int, j1: int, out: list[Region]
) -> None:
    """The stretch between two anchors: nothing, one changed region, or anchored further."""
    if i1 - i0 > 1 and j1 - j0 > 1:
        _anchor(old, new, i0, i1, j0, j1, out)
    elif i1 - i0 == j1 - j0 == 1 and old[i0] == new[j0]:
        _emit(out, (False, i0, i1, j0, j1))
    elif i0 < i1 or j0 < j1:
        out.append((True, i0, i1, j0, j1))


def _pair_same_shape(
    old: list[str], new: list[str], i0: int, i1: int, j0: int, out: list[Region]
) -> None:
    """Without unique lines to anchor on (typically several edited paragraphs separated by
    blank lines, which are not unique), two stretches with the same number of lines and the
    blank lines in the same places are paired line by line: identical lines stay unchanged
    and only the runs between them are left for the word diff."""
    shift = j0 - i0
    same = [old[i] == new[i + shift] for i in range(i0, i1)]
    if not any(same) or any(old[i].isspace() != new[i + shift].isspace() for i in range(i0, i1)):
        out.append((True, i0, i1, j0, j0 + i1 - i0))
        return
    start = i0
    for i in range(i0, i1 + 1):
        if i == i1 or same[i - i0] != same[start - i0]:
            _emit(out, (not same[start - i0], start, i, start + shift, i + shift))
            start = i


def _unique_common(
    old: list[str], new: list[str], i0: int, i1: int, j0: int, j1: int
) -> list[tuple[int, int]]:
    """Pairs (i, j) of lines that occur once in old[i0:i1] and once in new[j0:j1], the
    longest run of them in the same order."""
    old_slice, new_slice = old[i0:i1], new[j0:j1]
    old_count, new_count = Counter(old_slice), Counter(new_slice)
    new_index = dict(zip(new_slice, range(j0, j1), strict=True))
    pairs = [
        (i, new_index[line])
        for i, line in enumerate(old_slice, i0)
        if old_count[line] == 1 and new_count.get(line) == 1
    ]
    seconds = [j for _, j in pairs]
    if seconds == sorted(seconds):
        return pairs
    return _longest_increasing(pairs)


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of `pairs` whose second items increase (patience sorting)."""
    tail_values: list[int] = []
    tail_index: list[int] = []
    previous = [-1] * len(pairs)
    for index, (_, value) in enumerate(pairs):
        k = bisect_left(tail_values, value)
        if k:
            previous[index] = tail_index[k - 1]
        if k == len(tail_values):
            tail_values.append(value)
            tail_index.append(index)
        else:
            tail_values[k] = value
            tail_index[k] = index
    chain: list[tuple[int, int]] = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        chain.append(pairs[index])
        index = previous[index]
    chain.reverse()
    return chain
