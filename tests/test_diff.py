"""Unit tests of the diff engine: granularity, exactness on real revisions, backends, moves,
stats, views and the JSON form."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from bench.samples import apply_edits, legal_text, random_edits
from hypothesis import given, settings
from hypothesis import strategies as st

from penholder.core.diff import backend as diff_backend
from penholder.core.diff.texts import (
    Fold,
    InlineLine,
    Op,
    SideRow,
    TextDiff,
    diff_texts,
    diff_to_json,
    fast_available,
    inline_view,
    side_by_side_view,
)

ROOT = Path(__file__).resolve().parent.parent
LICENSES = Path("/usr/share/common-licenses")
REVISIONS = [("GPL-2", "GPL-3"), ("LGPL-2.1", "LGPL-3"), ("MPL-1.1", "MPL-2.0")]
needs_licenses = pytest.mark.skipif(not LICENSES.is_dir(), reason="no common-licenses")
needs_fast = pytest.mark.skipif(not fast_available(), reason="fast-diff-match-patch missing")


def license_pair(old: str, new: str) -> tuple[str, str]:
    return (LICENSES / old).read_text(), (LICENSES / new).read_text()


def ops(diff: TextDiff) -> list[tuple[str, str]]:
    return [(op.kind, op.text) for op in diff.ops]


def assert_exact(diff: TextDiff, old: str, new: str) -> None:
    assert "".join(op.text for op in diff.ops if op.kind in ("equal", "delete")) == old
    assert "".join(op.text for op in diff.ops if op.kind in ("equal", "insert")) == new


# --- granularity -------------------------------------------------------------------------


def test_changed_words_are_replaced_whole_and_a_kept_word_stays() -> None:
    diff = diff_texts("The Seller shall deliver the goods.", "The Buyer shall collect the goods.")
    assert ops(diff) == [
        ("equal", "The "),
        ("delete", "Seller"),
        ("insert", "Buyer"),
        ("equal", " shall "),
        ("delete", "deliver"),
        ("insert", "collect"),
        ("equal", " the goods."),
    ]


def test_a_longer_word_is_one_word_replaced_not_letters_added() -> None:
    assert ops(diff_texts("the contract", "the contractor")) == [
        ("equal", "the "),
        ("delete", "contract"),
        ("insert", "contractor"),
    ]


def test_inserted_words_carry_their_space_and_leave_neighbours_alone() -> None:
    assert ops(diff_texts("A and B", "A and C and B")) == [
        ("equal", "A and "),
        ("insert", "C and "),
        ("equal", "B"),
    ]


def test_a_small_kept_word_inside_a_rewrite_is_absorbed() -> None:
    diff = diff_texts(
        "The Seller shall deliver the goods to the Buyer.",
        "The Supplier must ship all of the goods to the Buyer.",
    )
    assert ops(diff) == [
        ("equal", "The "),
        ("delete", "Seller shall deliver"),
        ("insert", "Supplier must ship all of"),
        ("equal", " the goods to the Buyer."),
    ]


def test_a_new_paragraph_is_inserted_whole() -> None:
    old = "First para.\n\nSecond para.\n"
    new = "First para.\n\nNew para.\n\nSecond para.\n"
    assert ops(diff_texts(old, new)) == [
        ("equal", "First para.\n\n"),
        ("insert", "New para.\n\n"),
        ("equal", "Second para.\n"),
    ]


def test_char_granularity_refines_replaced_words() -> None:
    diff = diff_texts("The Seller shall deliver", "The Sellers shall delivery", "char")
    assert ops(diff) == [
        ("equal", "The Seller"),
        ("insert", "s"),
        ("equal", " shall deliver"),
        ("insert", "y"),
    ]


def test_line_granularity_replaces_whole_lines() -> None:
    diff = diff_texts("one\ntwo\nthree\n", "one\n2\nthree\n", "line")
    assert ops(diff) == [
        ("equal", "one\n"),
        ("delete", "two\n"),
        ("insert", "2\n"),
        ("equal", "three\n"),
    ]


def test_unknown_granularity_is_refused() -> None:
    with pytest.raises(ValueError):
        diff_texts("a", "b", "sentence")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("old", "new"), [("", ""), ("", "new text"), ("old text", ""), ("same", "same")]
)
@pytest.mark.parametrize("granularity", ["word", "char", "line"])
def test_empty_and_identical_texts(old: str, new: str, granularity: str) -> None:
    diff = diff_texts(old, new, granularity)  # type: ignore[arg-type]
    assert_exact(diff, old, new)
    assert diff.changed == (old != new)


# --- exactness and no silent degradation on real revisions -------------------------------


@needs_licenses
@pytest.mark.parametrize(("old_name", "new_name"), REVISIONS)
@pytest.mark.parametrize("granularity", ["word", "char", "line"])
def test_real_license_revisions_rebuild_both_versions(
    old_name: str, new_name: str, granularity: str
) -> None:
    old, new = license_pair(old_name, new_name)
    diff = diff_texts(old, new, granularity)  # type: ignore[arg-type]
    assert_exact(diff, old, new)
    assert not diff.simplified


@needs_licenses
def test_a_heavy_revision_is_not_reduced_to_replace_everything() -> None:
    # The libraries' default 1 s timeout can return "delete all, insert all"; without a time
    # limit most of GPL-2 is found again in GPL-3.
    old, new = license_pair("GPL-2", "GPL-3")
    diff = diff_texts(old, new)
    kept = sum(len(op.text) for op in diff.ops if op.kind == "equal")
    assert kept > 0.35 * len(old)
    assert len(diff.ops) > 500


@needs_licenses
def test_a_budget_that_runs_out_is_reported_and_the_diff_stays_exact() -> None:
    old, new = license_pair("GPL-2", "GPL-3")
    diff = diff_texts(old, new, budget_seconds=1e-9)
    assert diff.simplified
    assert_exact(diff, old, new)
    roomy = diff_texts(old, new, budget_seconds=60)
    assert not roomy.simplified
    assert roomy.ops == diff_texts(old, new).ops


def test_a_five_megabyte_document_stays_exact() -> None:
    old = legal_text(5_000_000, seed=5)
    new = apply_edits(old, random_edits(old, 0.01, seed=6))
    diff = diff_texts(old, new)
    assert_exact(diff, old, new)
    assert diff.stats.words_inserted > 0 and diff.stats.words_deleted > 0


# --- backends -----------------------------------------------------------------------------


@needs_fast
@needs_licenses
@pytest.mark.parametrize(("old_name", "new_name"), REVISIONS[:2])
def test_pure_and_fast_backends_agree_on_real_revisions(old_name: str, new_name: str) -> None:
    old, new = license_pair(old_name, new_name)
    assert diff_texts(old, new, backend="pure") == diff_texts(old, new, backend="fast")


@needs_fast
@pytest.mark.parametrize("granularity", ["word", "char", "line"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pure_and_fast_backends_agree_on_generated_revisions(granularity: str, seed: int) -> None:
    old = legal_text(20_000, seed=seed, wrap=72 if seed % 2 else None)
    new = apply_edits(old, random_edits(old, 0.05, seed=seed + 10))
    pure = diff_texts(old, new, granularity, backend="pure")  # type: ignore[arg-type]
    fast = diff_texts(old, new, granularity, backend="fast")  # type: ignore[arg-type]
    assert pure == fast


# What the engine hands the character diff: texts, and tokens encoded as one character each,
# up to the top of Unicode (the encoder skips the surrogates).
RAW_CASES = [
    ("", ""),
    ("", "a"),
    ("a", ""),
    ("same text", "same text"),
    ("abc", "xyz"),
    ("a\U0001f54a\ufe0fb c", "a\U0001f54ab d"),
    ("\U0001d49c\U0001d4b7\U0001d4b8 x", "\U0001d49c\U0001d4b8 y \U0001d4b7"),
    ("e\u0301te", "ete\u0301"),
    ("\u65e5\u672c\u8a9e\u306e\u6587", "\u65e5\u672c\u306e\u6587\u7ae0"),
    ("a\r\nb\n\nc", "a\nb\r\n\r\nc"),
    ("ab" * 400 + "c", "c" + "ab" * 400),
    ("".join(map(chr, range(0xE000, 0xE400))), "".join(map(chr, range(0xE200, 0xE600)))),
    (
        "".join(map(chr, range(0x10F000, 0x10F400, 3))),
        "".join(map(chr, range(0x10F001, 0x10F400, 2))),
    ),
]


@needs_fast
@pytest.mark.parametrize(("old", "new"), RAW_CASES)
def test_pure_and_fast_raw_diffs_are_identical(old: str, new: str) -> None:
    """The two libraries themselves agree, character for character (both count code points:
    the C++ one reads Python text as UTF-32), before any of the engine's own clean-up."""
    pure = diff_backend.choose("pure")(old, new, 0.0)
    fast = diff_backend.choose("fast")(old, new, 0.0)
    assert pure == fast
    assert "".join(t for op, t in fast if op != diff_backend.INSERT) == old
    assert "".join(t for op, t in fast if op != diff_backend.DELETE) == new


@needs_fast
@given(
    st.text(st.sampled_from("ab \n\u00e9\U0001f54a\U0010fffd\ue000"), max_size=60),
    st.text(st.sampled_from("ab \n\u00e9\U0001f54a\U0010fffd\ue000"), max_size=60),
)
@settings(max_examples=300, deadline=None)
def test_pure_and_fast_raw_diffs_are_identical_on_random_texts(old: str, new: str) -> None:
    assert diff_backend.choose("pure")(old, new, 0.0) == diff_backend.choose("fast")(old, new, 0.0)


def test_where_the_accelerator_ships_a_wheel_it_is_installed() -> None:
    """The README's install gets the fast path: a default dependency wherever its wheel
    exists (the environment marker in pyproject.toml), so on those platforms the comparisons
    above run instead of being skipped."""
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (fast,) = [
        Requirement(d) for d in project["dependencies"] if d.startswith("fast-diff-match-patch")
    ]
    assert fast.marker is not None
    if fast.marker.evaluate():
        assert fast_available()
    plain = {Requirement(d).name: Requirement(d).marker for d in project["dependencies"]}
    assert "diff-match-patch" in plain and plain["diff-match-patch"] is None  # the fallback


def test_without_the_accelerator_auto_falls_back_and_fast_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(diff_backend, "_fast", None)
    assert not diff_backend.fast_available()
    assert ops(diff_texts("a b c", "a x c")) == [
        ("equal", "a "),
        ("delete", "b"),
        ("insert", "x"),
        ("equal", " c"),
    ]
    with pytest.raises(RuntimeError, match="fast"):
        diff_texts("a", "b", backend="fast")


# --- moves --------------------------------------------------------------------------------

CLAUSES = [
    "1. Definitions. In this Agreement the following words shall have these meanings.",
    "2. Payment. The Customer shall pay all invoices within thirty days of receipt.",
    "3. Term. This Agreement starts on the Effective Date.",
    "4. Notices. Notices must be in writing.",
    "5. Law. English law governs.",
]


def test_a_moved_paragraph_is_one_move_linking_both_ends() -> None:
    old = "\n\n".join(CLAUSES) + "\n"
    new = "\n\n".join([CLAUSES[0], CLAUSES[2], CLAUSES[3], CLAUSES[1], CLAUSES[4]]) + "\n"
    diff = diff_texts(old, new)
    assert_exact(diff, old, new)
    assert len(diff.moves) == 1
    move = diff.moves[0]
    assert diff.ops[move.delete_op] == Op("delete", CLAUSES[1])
    assert diff.ops[move.insert_op] == Op("insert", CLAUSES[1])
    assert move.words == 13
    assert diff.stats.words_moved == 13
    assert diff.stats.words_inserted == diff.stats.words_deleted == 0


def test_a_moved_block_may_be_rewrapped() -> None:
    sentence = "The Supplier shall keep all Confidential Information secret for five years."
    old = f"Intro text here.\n\n{sentence}\n\nMiddle clause stays.\n\nEnd clause.\n"
    wrapped = sentence.replace("Confidential ", "Confidential\n")
    new = f"Intro text here.\n\nMiddle clause stays.\n\n{wrapped}\n\nEnd clause.\n"
    diff = diff_texts(old, new)
    assert_exact(diff, old, new)
    assert [m.words for m in diff.moves] == [11]


def test_fewer_than_eight_words_moved_are_a_plain_delete_and_insert() -> None:
    old = "Alpha beta gamma delta epsilon zeta eta.\n\nKeep this paragraph as it is.\n"
    new = "Keep this paragraph as it is.\n\nAlpha beta gamma delta epsilon zeta eta.\n"
    diff = diff_texts(old, new)
    assert diff.moves == ()
    assert diff.stats.words_moved == 0


# --- stats --------------------------------------------------------------------------------


def test_stats_count_words_and_paragraphs() -> None:
    old = "One two three.\n\nFour five six.\n\nSeven eight.\n"
    new = "One two 3 extra.\n\nFour five six.\n\nSeven.\n"
    stats = diff_texts(old, new).stats
    assert (stats.words_inserted, stats.words_deleted, stats.paragraphs_changed) == (2, 2, 2)


def test_rewrapping_is_kept_exactly_but_not_counted() -> None:
    old = "The parties agree to the terms\nset out below in full.\n\nNext.\n"
    new = "The parties agree to the\nterms set out below in full.\n\nNext.\n"
    diff = diff_texts(old, new)
    assert_exact(diff, old, new)
    assert diff.changed
    assert diff.stats.paragraphs_changed == 0
    assert diff.stats.words_inserted == diff.stats.words_deleted == 0
    assert all(
        not row.changed
        for row in side_by_side_view(diff, context=None).rows
        if isinstance(row, SideRow)
    )


def test_splitting_a_paragraph_is_a_change() -> None:
    diff = diff_texts("First part. Second part.\n", "First part.\n\nSecond part.\n")
    assert diff.stats.paragraphs_changed == 2


# --- views --------------------------------------------------------------------------------


def numbered(count: int) -> list[str]:
    return [f"Line {k} of the agreement." for k in range(1, count + 1)]


def test_inline_view_folds_unchanged_lines_to_two_lines_of_context() -> None:
    lines = numbered(20)
    changed = list(lines)
    changed[9] = "Line 10 of the contract."
    view = inline_view(diff_texts("\n".join(lines) + "\n", "\n".join(changed) + "\n"))
    rows = view.rows
    assert isinstance(rows[0], Fold) and rows[0].hidden == 7
    assert rows[0].label == "… 7 unchanged lines …"
    shown = [row for row in rows if isinstance(row, InlineLine)]
    assert [row.changed for row in shown] == [False, False, True, False, False]
    assert [seg.text for seg in shown[2].segments] == [
        "Line 10 of the ",
        "agreement",
        "contract",
        ".",
    ]
    assert [seg.kind for seg in shown[2].segments] == ["equal", "delete", "insert", "equal"]
    assert isinstance(rows[-1], Fold) and rows[-1].hidden == 8
    assert view.changes == (3,)


def test_change_positions_point_at_each_change() -> None:
    lines = numbered(30)
    changed = list(lines)
    changed[4] = "Line five."
    changed[20] = "Line twenty-one."
    view = inline_view(diff_texts("\n".join(lines), "\n".join(changed)))
    assert len(view.changes) == 2
    for k in view.changes:
        row = view.rows[k]
        assert isinstance(row, InlineLine) and row.changed
        before = view.rows[k - 1]
        assert not isinstance(before, InlineLine) or not before.changed


def test_no_context_keeps_every_line() -> None:
    lines = numbered(10)
    diff = diff_texts("\n".join(lines), "\n".join([*lines[:5], "New line.", *lines[5:]]))
    assert not any(isinstance(row, Fold) for row in inline_view(diff, context=None).rows)
    assert len(side_by_side_view(diff, context=None).rows) == 11


def test_side_by_side_faces_unchanged_lines_and_pads_added_paragraphs() -> None:
    old = "Intro.\n\nPayment within thirty days.\n\nEnd.\n"
    new = "Intro.\n\nA wholly new clause.\n\nPayment within sixty days.\n\nEnd.\n"
    rows = [
        row
        for row in side_by_side_view(diff_texts(old, new), context=None).rows
        if isinstance(row, SideRow)
    ]
    texts = [
        (
            None if row.left is None else "".join(s.text for s in row.left),
            None if row.right is None else "".join(s.text for s in row.right),
        )
        for row in rows
    ]
    assert texts == [
        ("Intro.", "Intro."),
        ("", ""),
        (None, "A wholly new clause."),
        (None, ""),
        ("Payment within thirty days.", "Payment within sixty days."),
        ("", ""),
        ("End.", "End."),
    ]
    assert [(row.old_line, row.new_line) for row in rows] == [
        (1, 1),
        (2, 2),
        (None, 3),
        (None, 4),
        (3, 5),
        (4, 6),
        (5, 7),
    ]
    assert [row.changed for row in rows] == [False, False, True, True, True, False, False]


def test_moved_text_carries_its_move_id_in_views() -> None:
    old = "\n\n".join(CLAUSES) + "\n"
    new = "\n\n".join([CLAUSES[0], CLAUSES[2], CLAUSES[3], CLAUSES[1], CLAUSES[4]]) + "\n"
    view = inline_view(diff_texts(old, new), context=None)
    moved = [
        seg
        for row in view.rows
        if isinstance(row, InlineLine)
        for seg in row.segments
        if seg.move_id
    ]
    assert {(seg.kind, seg.move_id) for seg in moved} == {("delete", 1), ("insert", 1)}


# --- JSON and layering --------------------------------------------------------------------


def test_json_form_lists_ops_moves_and_stats() -> None:
    old = "\n\n".join(CLAUSES) + "\n"
    new = "\n\n".join([CLAUSES[0], CLAUSES[2], CLAUSES[3], CLAUSES[1], CLAUSES[4]]) + "\n"
    diff = diff_texts(old, new)
    data = json.loads(json.dumps(diff_to_json(diff)))
    assert data["granularity"] == "word" and data["simplified"] is False
    assert data["ops"] == [[op.kind, op.text] for op in diff.ops]
    move = data["moves"][0]
    assert data["ops"][move["delete_op"]] == ["delete", CLAUSES[1]]
    assert data["ops"][move["insert_op"]] == ["insert", CLAUSES[1]]
    assert data["stats"] == {
        "words_inserted": 0,
        "words_deleted": 0,
        "words_moved": 13,
        "paragraphs_changed": diff.stats.paragraphs_changed,
    }


def test_core_never_imports_a_user_interface_library() -> None:
    code = (
        "import sys, penholder.core.diff.texts, penholder.core.diff.merge; "
        "print(sorted(m for m in ('textual', 'rich', 'click') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
