"""Consolidating amendments: every edit made by one side only lands exactly once in its place;
every passage changed differently by several sides is a conflict."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from bench.samples import WordEdit, apply_edits, legal_text, random_edits, word_spans

from penholder.core.diff.merge import Conflict, describe_conflicts, hunks, three_way_merge

LICENSES = Path("/usr/share/common-licenses")

BASE = "The Seller shall deliver the goods to the Buyer within thirty days of the order.\n"


def test_edits_in_different_places_are_both_applied() -> None:
    a = BASE.replace("Seller", "Supplier")
    b = BASE.replace("thirty", "sixty")
    result = three_way_merge(BASE, a, b)
    assert result.conflicts == ()
    assert result.text == BASE.replace("Seller", "Supplier").replace("thirty", "sixty")


def test_identical_edits_are_applied_once() -> None:
    a = BASE.replace("goods", "finished goods")
    result = three_way_merge(BASE, a, a)
    assert result.text == a


def test_a_passage_changed_differently_is_a_conflict_holding_both_wordings() -> None:
    a = BASE.replace("Seller", "Supplier")
    b = BASE.replace("Seller", "Vendor")
    result = three_way_merge(BASE, a, b)
    assert result.text is None
    assert result.conflicts == (Conflict(4, 10, 1, "Seller", ("Supplier", "Vendor")),)
    rendered = result.render(["Qatar", "Oman"])
    assert rendered == (
        "The \n<<<<<<< Qatar\nSupplier\n||||||| base\nSeller\n======= Oman\nVendor\n>>>>>>>\n"
        " shall deliver the goods to the Buyer within thirty days of the order.\n"
    )
    assert "line 1" in describe_conflicts(result)
    assert "'Vendor'" in describe_conflicts(result)


def test_different_insertions_at_one_place_conflict() -> None:
    a = BASE.replace("the goods", "the new goods")
    b = BASE.replace("the goods", "the used goods")
    result = three_way_merge(BASE, a, b)
    assert len(result.conflicts) == 1
    assert result.conflicts[0].side_texts[0] != result.conflicts[0].side_texts[1]


def test_an_insertion_touching_anothers_replacement_conflicts() -> None:
    a = BASE.replace("deliver the goods", "deliver all the goods")
    b = BASE.replace("the goods", "these goods")
    assert len(three_way_merge(BASE, a, b).conflicts) == 1


def test_three_amendments_merge_and_conflict_by_position() -> None:
    a = BASE.replace("Seller", "Supplier")
    b = BASE.replace("thirty", "sixty")
    c = BASE.replace("order", "invoice")
    assert three_way_merge(BASE, a, b, c).text == (
        BASE.replace("Seller", "Supplier").replace("thirty", "sixty").replace("order", "invoice")
    )
    d = BASE.replace("thirty", "ninety")
    result = three_way_merge(BASE, a, b, d)
    assert [c.side_texts for c in result.conflicts] == [("thirty", "sixty", "ninety")]


def test_an_untouched_side_yields_the_other_side() -> None:
    a = BASE.replace("goods", "services")
    assert three_way_merge(BASE, a, BASE).text == a
    assert three_way_merge(BASE, BASE, a).text == a


def test_at_least_two_amendments_are_needed() -> None:
    with pytest.raises(ValueError):
        three_way_merge(BASE, BASE)


def test_hunks_are_base_ranges_with_their_new_wording() -> None:
    found = hunks(BASE, BASE.replace("Seller", "Supplier").replace("thirty ", ""))
    assert [(BASE[h.start : h.end], h.text) for h in found] == [
        ("Seller", "Supplier"),
        ("thirty ", ""),
    ]


def split_edits(
    text: str, count: int, overlaps: int, seed: int
) -> tuple[list[WordEdit], list[WordEdit], list[int]]:
    """Edits for two sides at word positions at least 4 words apart from each other, plus
    `overlaps` positions edited by both sides differently."""
    rng = random.Random(seed)
    total = len(word_spans(text))
    slots = list(range(2, total - 2, 4))
    chosen = sorted(rng.sample(slots, count + overlaps))
    both = set(rng.sample(chosen, overlaps))
    mine = [w for w in chosen if w not in both and rng.random() < 0.5]
    theirs = [w for w in chosen if w not in both and w not in mine]
    a = random_edits(text, 0, seed=seed + 1, words=sorted(mine + sorted(both)))
    b = random_edits(text, 0, seed=seed + 2, words=sorted(theirs + sorted(both)))
    # make the overlapping edits differ for sure
    b = [WordEdit(e.word, "replace", "zzconflict") if e.word in both else e for e in b]
    a = [WordEdit(e.word, "replace", "yyconflict") if e.word in both else e for e in a]
    return a, b, sorted(both)


def first_difference(got: str, expected: str) -> str:
    got_words, expected_words = re.findall(r"\S+", got), re.findall(r"\S+", expected)
    for index, (g, e) in enumerate(zip(got_words, expected_words, strict=False)):
        if g != e:
            return f"word {index}: got {g!r}, expected {e!r}"
    return f"lengths {len(got_words)} vs {len(expected_words)}"


@pytest.mark.parametrize(
    ("size", "wrap", "seed"), [(1_000_000, 72, 1), (1_000_000, None, 2), (200_000, 72, 3)]
)
def test_every_one_sided_edit_lands_once_in_its_place(
    size: int, wrap: int | None, seed: int
) -> None:
    base = legal_text(size, seed=seed, wrap=wrap)
    a_edits, b_edits, _ = split_edits(
        base, count=len(word_spans(base)) // 100, overlaps=0, seed=seed
    )
    result = three_way_merge(base, apply_edits(base, a_edits), apply_edits(base, b_edits))
    expected = apply_edits(base, a_edits + b_edits)
    assert result.conflicts == ()
    assert result.text == expected, first_difference(result.text or "", expected)


@pytest.mark.parametrize("seed", [4, 5])
def test_every_overlapping_edit_is_a_conflict(seed: int) -> None:
    base = legal_text(300_000, seed=seed)
    a_edits, b_edits, both = split_edits(base, count=400, overlaps=30, seed=seed)
    result = three_way_merge(base, apply_edits(base, a_edits), apply_edits(base, b_edits))
    spans = word_spans(base)
    assert len(result.conflicts) == len(both)
    for word, conflict in zip(both, result.conflicts, strict=True):
        start, end = spans[word]
        assert conflict.start <= start and end <= conflict.end
        assert {"yyconflict", "zzconflict"} <= set(" ".join(conflict.side_texts).split())
    # everything outside the conflicts is the clean merge
    merged = "".join(p if isinstance(p, str) else p.side_texts[0] for p in result.pieces)
    assert merged == apply_edits(base, a_edits + [e for e in b_edits if e.word not in both])


@pytest.mark.skipif(not LICENSES.is_dir(), reason="no common-licenses")
@pytest.mark.parametrize("name", ["GPL-3", "MPL-2.0", "LGPL-2.1"])
def test_real_texts_merge_word_by_word(name: str) -> None:
    base = (LICENSES / name).read_text()
    a_edits, b_edits, both = split_edits(base, count=120, overlaps=5, seed=7)
    result = three_way_merge(base, apply_edits(base, a_edits), apply_edits(base, b_edits))
    assert len(result.conflicts) == len(both)
    merged = "".join(p if isinstance(p, str) else p.side_texts[0] for p in result.pieces)
    expected = apply_edits(base, a_edits + [e for e in b_edits if e.word not in both])
    assert merged == expected, first_difference(merged, expected)


@pytest.mark.skipif(not LICENSES.is_dir(), reason="no common-licenses")
def test_a_real_revision_merged_with_a_small_amendment() -> None:
    base = (LICENSES / "GPL-2").read_text()
    revision = (LICENSES / "GPL-3").read_text()
    assert three_way_merge(base, revision, base).text == revision
    typo = base.replace("Boston", "Bostonn", 1)
    result = three_way_merge(base, revision, typo)
    # GPL-3 dropped the address the typo is in: the two changes meet there
    assert result.text is None and len(result.conflicts) == 1
    assert "Bostonn" in result.conflicts[0].side_texts[1]
