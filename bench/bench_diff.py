"""Diff engine benchmarks, side by side with `git diff --no-index --word-diff=porcelain` on the
same files in the same run (git's time includes starting the process; ours excludes Python
start-up, as agreed). Texts are generated deterministically (seeded legal-sounding clauses)
or are the license revisions in /usr/share/common-licenses."""

from __future__ import annotations

import random
import subprocess
import tempfile
from pathlib import Path

from bench.common import Row, median_seconds, ms
from bench.samples import apply_edits, legal_text, random_edits, word_spans
from penholder.core.diff.merge import three_way_merge
from penholder.core.diff.texts import TextDiff, diff_texts, fast_available

AREA = "diff"
LICENSES = Path("/usr/share/common-licenses")


def _exact(diff: TextDiff, old: str, new: str) -> bool:
    return diff.old_text == old and diff.new_text == new


def _git_seconds(folder: Path, old: str, new: str, repeat: int) -> float:
    a, b = folder / "a.txt", folder / "b.txt"
    a.write_text(old)
    b.write_text(new)
    command = ["git", "diff", "--no-index", "--word-diff=porcelain", str(a), str(b)]
    return median_seconds(lambda: subprocess.run(command, capture_output=True, check=False), repeat)


def _versus_git(
    folder: Path,
    case: str,
    old: str,
    new: str,
    repeat: int,
    factor: float | None,
    limit: float | None,
) -> Row:
    """Time our word diff and git's on the same pair; ok if exact and within the target(s)."""
    diff = diff_texts(old, new)
    ours = median_seconds(lambda: diff_texts(old, new), repeat)
    git = _git_seconds(folder, old, new, repeat)
    ok = _exact(diff, old, new) and not diff.simplified
    targets = []
    if factor is not None:
        targets.append(f"≤ {factor:g}× git")
        ok = ok and ours <= factor * git
    if limit is not None:
        targets.append(f"< {ms(limit)}")
        ok = ok and ours < limit
    return Row(AREA, case, ms(ours), f"git {ms(git)}", f"{ours / git:.1f}×", ", ".join(targets), ok)


def _edited(size: int, seed: int, wrap: int | None) -> tuple[str, str]:
    old = legal_text(size, seed=seed, wrap=wrap)
    return old, apply_edits(old, random_edits(old, 0.01, seed=seed + 1))


def _label(size: int) -> str:
    return f"{size // 1_000_000} MB" if size >= 1_000_000 else f"{size // 1000} KB"


def _merge_row(size: int, repeat: int, folder: Path) -> Row:
    """Two amendments of a base, each touching 0.5% of the words at separate places."""
    base = legal_text(size, seed=21)
    rng = random.Random(22)
    slots = rng.sample(range(2, len(word_spans(base)) - 2, 4), len(word_spans(base)) // 100)
    mine, theirs = sorted(slots[::2]), sorted(slots[1::2])
    a_edits = random_edits(base, 0, seed=23, words=mine)
    b_edits = random_edits(base, 0, seed=24, words=theirs)
    a, b = apply_edits(base, a_edits), apply_edits(base, b_edits)
    result = three_way_merge(base, a, b)
    ours = median_seconds(lambda: three_way_merge(base, a, b), repeat)
    for name, text in (("base.txt", base), ("a.txt", a), ("b.txt", b)):
        (folder / name).write_text(text)
    command = [
        "git",
        "merge-file",
        "-p",
        str(folder / "a.txt"),
        str(folder / "base.txt"),
        str(folder / "b.txt"),
    ]
    git = median_seconds(lambda: subprocess.run(command, capture_output=True, check=False), repeat)
    exact = result.text == apply_edits(base, a_edits + b_edits)
    return Row(
        AREA,
        f"three-way merge {_label(size)} (0.5% + 0.5% words, exact)",
        ms(ours),
        f"git merge-file (lines) {ms(git)}",
        f"{ours / git:.1f}×",
        "< 250.0 ms",
        exact and ours < 0.25,
    )


def run(quick: bool) -> list[Row]:
    repeat = 3 if quick else 7
    scale = 5 if quick else 1
    rows: list[Row] = []
    backend = "fast (C++)" if fast_available() else "pure Python"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        size = 100_000 // scale
        old, new = _edited(size, 1, 72)
        rows.append(
            _versus_git(
                folder, f"{_label(size)}, 1% word edits [{backend}]", old, new, repeat, None, 0.05
            )
        )
        size = 1_000_000 // scale
        for wrap, layout in ((72, "wrapped lines"), (None, "a line per paragraph")):
            old, new = _edited(size, 3, wrap)
            rows.append(
                _versus_git(
                    folder,
                    f"{_label(size)}, 1% scattered word edits, {layout}",
                    old,
                    new,
                    repeat,
                    3,
                    None,
                )
            )
        if LICENSES.is_dir():
            for old_name, new_name in (
                ("GPL-2", "GPL-3"),
                ("LGPL-2.1", "LGPL-3"),
                ("MPL-1.1", "MPL-2.0"),
            ):
                old, new = (LICENSES / old_name).read_text(), (LICENSES / new_name).read_text()
                rows.append(
                    _versus_git(folder, f"{old_name} → {new_name}", old, new, repeat, 25, None)
                )
        size = 5_000_000 // scale
        old, new = _edited(size, 5, 72)
        rows.append(_five_megabytes(folder, size, old, new))
        rows.append(_merge_row(1_000_000 // scale, repeat, folder))
    return rows


def _five_megabytes(folder: Path, size: int, old: str, new: str) -> Row:
    diff = diff_texts(old, new)
    ours = median_seconds(lambda: diff_texts(old, new), 3)
    git = _git_seconds(folder, old, new, 3)
    return Row(
        AREA,
        f"{_label(size)}, 1% word edits (finishes, exact)",
        ms(ours),
        f"git {ms(git)}",
        f"{ours / git:.1f}×",
        "exact, not simplified",
        _exact(diff, old, new) and not diff.simplified,
    )
