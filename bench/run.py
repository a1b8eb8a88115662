"""Run every benchmark and print one table: `python bench/run.py [AREA ...] [--quick] [--size N]`.

Each area lives in `bench/bench_<area>.py` and exposes `run(quick: bool) -> list[Row]`.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row

AREAS = ["store", "verify", "diff", "clauses", "tui", "startup"]


def render(rows: list[Row]) -> str:
    headers = ["area", "case", "value", "baseline", "ratio", "target", "ok"]
    table = [
        [
            r.area,
            r.case,
            r.value,
            r.baseline,
            r.ratio,
            r.target,
            "" if r.ok is None else ("yes" if r.ok else "NO"),
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("areas", nargs="*", default=AREAS)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument(
        "--size", type=int, default=None, help="versions per history (areas that take a size)"
    )
    args = parser.parse_args()
    rows: list[Row] = []
    for area in args.areas:
        try:
            module = importlib.import_module(f"bench.bench_{area}")
        except ModuleNotFoundError:
            print(f"(no benchmarks for {area} yet)", file=sys.stderr)
            continue
        if args.size is not None and "size" in inspect.signature(module.run).parameters:
            rows += module.run(args.quick, size=args.size)
        else:
            rows += module.run(args.quick)
        print(render(rows), file=sys.stderr, flush=True)
    print(render(rows))
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
