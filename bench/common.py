"""Shared shape of a benchmark result row and the timing helper every benchmark uses."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.roster import Actor, Roster, Rules
from penholder.demo.keys import demo_private_key


@dataclass(frozen=True)
class Row:
    """One line of the benchmark table: what was measured, against what baseline, and the goal."""

    area: str
    case: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    ok: bool | None = None


def median_seconds(work: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of `work` over `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


WORDS = [
    "the",
    "parties",
    "shall",
    "maintain",
    "ceasefire",
    "verification",
    "mechanism",
    "territory",
    "border",
    "crossing",
    "mediators",
    "report",
    "within",
    "days",
    "written",
    "notice",
    "annex",
    "clause",
    "paragraph",
    "joint",
    "commission",
    "obligations",
    "measures",
    "penalties",
    "monitoring",
    "implementation",
    "good",
    "faith",
    "armed",
    "groups",
]


def bench_negotiation(
    path: Path, negotiation_id: str, actors: dict[str, str]
) -> tuple[Negotiation, dict[str, Ed25519PrivateKey]]:
    """A new negotiation at `path` for the benchmarks, with demo keys; the first mediator
    convenes. `actors` maps actor id to role."""
    keys = {a: demo_private_key(a) for a in actors}
    convener = next(a for a, role in actors.items() if role == "mediator")
    roster = Roster(
        negotiation_id,
        "Bench talks",
        convener,
        tuple(
            Actor(a, a.title(), role, public_key_line(keys[a].public_key()))
            for a, role in actors.items()
        ),
        Rules(),
    )
    return Negotiation.create(path, roster, keys[convener], when=1_700_000_000), keys
