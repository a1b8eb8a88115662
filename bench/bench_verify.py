"""Verify and status over histories of every shape: linear whatever the shape (issue 12 #7).

For each shape (see `bench/histories.py`) a negotiation of N versions is built once and cached
under the temp folder. Each row times `verify` (a fresh read of every version, every rule) and
`status` (the store opened without its cache, then the table's state), and compares it with the
honest demo-like shape of the same size (best of 3 runs each). Targets: verify <= 3 s at 10,000 versions, and no
shape more than 2x the honest one.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import Row
from bench.histories import FAILING, SHAPES, build
from penholder.core.queries import table_state
from penholder.core.store import Negotiation
from penholder.core.verify import verify

SECONDS_TARGET = 3.0
RATIO_TARGET = 2.0


def _timed(work: Callable[[], object], repeat: int) -> float:
    """Best of `repeat` runs: on a shared machine the best run is the one least disturbed."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def _verify(repo: Path, shape: str) -> None:
    report = verify(repo)
    if shape in FAILING:
        assert not report.ok, f"{shape}: verify passed a history it must fail"
    else:
        assert report.ok, f"{shape}: {report.failures[:3]}"


def _status(repo: Path) -> None:
    store = Negotiation(repo, use_cache=False)
    try:
        table_state(store.history, store.roster)
    finally:
        store.close()


def run(quick: bool, size: int | None = None, shapes: list[str] | None = None) -> list[Row]:
    versions = size or (1_000 if quick else 10_000)
    repeat = 3
    folder = Path(tempfile.gettempdir()) / "penholder-bench"
    folder.mkdir(exist_ok=True)
    print(f"verify: {versions:,} versions per shape (cached builds)…", file=sys.stderr)
    rows: list[Row] = []
    wanted = shapes or list(SHAPES)
    if "honest" not in wanted:
        wanted = ["honest", *wanted]
    base: dict[str, float] = {}
    for shape in wanted:
        repo = build(shape, versions, folder)
        for what, work in (
            ("verify", lambda r=repo, s=shape: _verify(r, s)),
            ("status", lambda r=repo: _status(r)),
        ):
            if what == "status" and shape in FAILING:
                continue  # status of a hub's junk branch is sync's question, not the table's
            seconds = _timed(work, repeat)
            if shape == "honest":
                base[what] = seconds
            ratio = seconds / base[what] if base.get(what) else 0.0
            ok = seconds <= SECONDS_TARGET and ratio <= RATIO_TARGET
            rows.append(
                Row(
                    "verify",
                    f"{what} {shape}, {versions:,} versions"
                    + (" (must fail)" if shape in FAILING and what == "verify" else ""),
                    f"{seconds:.2f} s",
                    f"honest {base[what]:.2f} s",
                    f"{ratio:.2f}x",
                    f"<= {SECONDS_TARGET:.0f} s, <= {RATIO_TARGET:.0f}x",
                    ok,
                )
            )
            print(f"  {rows[-1].case}: {rows[-1].value}", file=sys.stderr, flush=True)
    return rows
