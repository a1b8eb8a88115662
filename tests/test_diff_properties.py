"""Property tests: every diff rebuilds both texts byte for byte, at every granularity, on
random and on real texts; word diffs never cut a word; both backends agree; views keep
each side's text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from penholder.core.diff.texts import (
    Granularity,
    SideRow,
    TextDiff,
    diff_texts,
    fast_available,
    inline_view,
    side_by_side_view,
)

LICENSES = Path("/usr/share/common-licenses")
REVISIONS = [("GPL-2", "GPL-3"), ("LGPL-2.1", "LGPL-3"), ("MPL-1.1", "MPL-2.0")]
GRANULARITIES: list[Granularity] = ["word", "char", "line"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that make word, whitespace and line handling interesting: runs of spaces, blank
# lines, CRLF, tabs, non-breaking and other Unicode spaces, punctuation, accents, digits.
PIECES = [
    "the ",
    "party ",
    "parties",
    "shall",
    "Supplier",
    "contract",
    "or",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "\u00a0",
    "\u2028",
    ".",
    ",",
    ";",
    "(a)",
    "é",
    "_",
    "1.",
    "x",
]
texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
any_text = st.text(max_size=120)
granularities = st.sampled_from(GRANULARITIES)
_WORD_CHAR = re.compile(r"\w")


def rebuilds(diff: TextDiff, old: str, new: str) -> None:
    assert diff.old_text == old
    assert diff.new_text == new
    assert all(op.text for op in diff.ops)


@SETTINGS
@given(texts, texts, granularities)
def test_diffs_of_wordy_texts_are_exact(old: str, new: str, granularity: Granularity) -> None:
    rebuilds(diff_texts(old, new, granularity), old, new)


@SETTINGS
@given(any_text, any_text, granularities)
def test_diffs_of_arbitrary_unicode_are_exact(old: str, new: str, granularity: Granularity) -> None:
    rebuilds(diff_texts(old, new, granularity), old, new)


@SETTINGS
@given(texts, texts)
def test_word_diffs_never_cut_a_word(old: str, new: str) -> None:
    diff = diff_texts(old, new)
    for side in ("delete", "insert"):
        text = diff.old_text if side == "delete" else diff.new_text
        position = 0
        for op in diff.ops:
            if op.kind not in ("equal", side):
                continue
            end = position + len(op.text)
            if op.kind == side:
                for cut in (position, end):
                    if 0 < cut < len(text):
                        assert not (_WORD_CHAR.match(text[cut - 1]) and _WORD_CHAR.match(text[cut]))
            position = end


@pytest.mark.skipif(not fast_available(), reason="fast-diff-match-patch missing")
@SETTINGS
@given(texts, texts, granularities)
def test_pure_and_fast_backends_agree(old: str, new: str, granularity: Granularity) -> None:
    assert diff_texts(old, new, granularity, backend="pure") == diff_texts(
        old, new, granularity, backend="fast"
    )


def _without_final_newline(text: str) -> str:
    return text[:-1] if text.endswith("\n") else text


@SETTINGS
@given(texts, texts)
def test_side_by_side_rows_hold_each_version(old: str, new: str) -> None:
    rows = [
        row
        for row in side_by_side_view(diff_texts(old, new), context=None).rows
        if isinstance(row, SideRow)
    ]
    left = [row.left for row in rows if row.left is not None]
    right = [row.right for row in rows if row.right is not None]
    assert "\n".join("".join(s.text for s in line) for line in left) == _without_final_newline(old)
    assert "\n".join("".join(s.text for s in line) for line in right) == _without_final_newline(new)
    numbers = [row.old_line for row in rows if row.old_line is not None]
    assert numbers == list(range(1, len(numbers) + 1))


@SETTINGS
@given(texts, texts)
def test_inline_view_shows_every_inserted_and_deleted_word(old: str, new: str) -> None:
    diff = diff_texts(old, new)
    view = inline_view(diff, context=None)
    shown = {"delete": "", "insert": ""}
    for row in view.rows:
        for segment in getattr(row, "segments", ()):
            if segment.kind != "equal":
                shown[segment.kind] += segment.text + "\n"
    for kind in ("delete", "insert"):
        marked = "\n".join(op.text for op in diff.ops if op.kind == kind)
        assert re.findall(r"\w+", shown[kind]) == re.findall(r"\w+", marked)


@pytest.mark.skipif(not LICENSES.is_dir(), reason="no common-licenses")
@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(REVISIONS),
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0, 1),
    granularities,
)
def test_excerpts_of_real_revisions_are_exact(
    pair: tuple[str, str], a: float, b: float, c: float, d: float, granularity: Granularity
) -> None:
    old_full = (LICENSES / pair[0]).read_text()
    new_full = (LICENSES / pair[1]).read_text()
    old = old_full[int(min(a, b) * len(old_full)) : int(max(a, b) * len(old_full))]
    new = new_full[int(min(c, d) * len(new_full)) : int(max(c, d) * len(new_full))]
    rebuilds(diff_texts(old, new, granularity), old, new)
