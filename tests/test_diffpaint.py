"""The CLI painter: marks without colour, ANSI styles with it, widths side by side."""

from __future__ import annotations

import re

from penholder.cli.diffpaint import paint_inline, paint_side_by_side, paint_stat
from penholder.core.diff.texts import DiffStats, diff_texts, inline_view

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CLAUSES = [
    "1. Definitions. In this Agreement the following words shall have these meanings.",
    "2. Payment. The Customer shall pay all invoices within thirty days of receipt.",
    "3. Term. This Agreement starts on the Effective Date.",
    "4. Notices. Notices must be in writing.",
]
OLD = "\n\n".join(CLAUSES) + "\n"
NEW = "\n\n".join([CLAUSES[0], CLAUSES[2].replace("Date", "Day"), CLAUSES[3], CLAUSES[1]]) + "\n"


def test_plain_redline_marks_deletions_insertions_and_moves() -> None:
    text = paint_inline(diff_texts(OLD, NEW), color=False)
    assert "3. Term. This Agreement starts on the Effective [-Date-]{+Day+}." in text
    assert f"⇄1[-{CLAUSES[1]}-]" in text
    assert f"⇄1{{+{CLAUSES[1]}+}}" in text
    assert "\x1b[" not in text


def test_coloured_redline_strikes_red_underlines_green_and_moves_cyan() -> None:
    text = paint_inline(diff_texts(OLD, NEW), color=True)
    assert "\x1b[31m\x1b[9mDate" in text  # red, struck through
    assert "\x1b[32m\x1b[4mDay" in text  # green, underlined
    assert "\x1b[36m" in text and "⇄1" in text  # moved: cyan with its marker
    assert ANSI.sub("", text).count(CLAUSES[1]) == 2


def test_folds_are_painted_as_their_label() -> None:
    lines = [f"Line {k}." for k in range(30)]
    changed = [*lines[:15], "Line fifteen.", *lines[16:]]
    text = paint_inline(diff_texts("\n".join(lines), "\n".join(changed)), color=False)
    assert text.splitlines()[0] == "… 13 unchanged lines …"
    assert "[-15-]{+fifteen+}" in text


def test_a_view_can_be_painted_directly() -> None:
    diff = diff_texts("a b c", "a x c")
    assert paint_inline(inline_view(diff), color=False) == paint_inline(diff, color=False)


def test_side_by_side_keeps_to_the_width_and_faces_the_versions() -> None:
    text = paint_side_by_side(diff_texts(OLD, NEW), width=60, color=False)
    lines = text.splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert lines[0].startswith("1. Definitions.")
    assert "│ 1. Definitions." in lines[0]
    assert any("┃" in line and "[-Date-]" in line and "{+Day+}" in line for line in lines)


def test_side_by_side_in_colour_pads_by_visible_width() -> None:
    text = paint_side_by_side(diff_texts(OLD, NEW), width=80, color=True)
    bars = {ANSI.sub("", line).find("┃") for line in text.splitlines() if "┃" in line}
    assert len(bars) == 1  # styled or not, the middle bar stays in one column


def test_stat_line() -> None:
    stats = DiffStats(words_inserted=12, words_deleted=4, words_moved=9, paragraphs_changed=3)
    assert paint_stat(stats) == "3 paragraphs changed: +12 words, -4 words, 9 words moved"
    one = DiffStats(words_inserted=1, words_deleted=0, words_moved=0, paragraphs_changed=1)
    assert paint_stat(one) == "1 paragraph changed: +1 word, -0 words, 0 words moved"
