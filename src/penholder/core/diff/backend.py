"""The character diff underneath the engine: the C++ `fast_diff_match_patch` when installed
(a default dependency wherever it ships a wheel; the `penholder[fast]` extra builds it
elsewhere), else pure-Python `diff_match_patch`. Both run the same
Myers diff and return identical raw diffs; every clean-up after it is done in Python
(`diff_cleanup`), so the two backends give identical results.

Raw diffs use diff-match-patch's shape: a list of `(op, text)` with op -1 delete,
0 equal, 1 insert.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import ModuleType
from typing import Literal

from diff_match_patch import diff_match_patch

Backend = Literal["auto", "fast", "pure"]
RawDiff = list[tuple[int, str]]

DELETE, EQUAL, INSERT = -1, 0, 1
_FAST_OPS = {"-": DELETE, "=": EQUAL, "+": INSERT}

_fast: ModuleType | None
try:
    import fast_diff_match_patch
except ImportError:  # pragma: no cover - depends on the installed extra
    _fast = None
else:
    _fast = fast_diff_match_patch


def fast_available() -> bool:
    """Whether the C++ accelerator is installed."""
    return _fast is not None


def _fast_diff(old: str, new: str, timelimit: float) -> RawDiff:
    assert _fast is not None
    counts = _fast.diff(old, new, timelimit=timelimit, checklines=False, cleanup="No")
    result: RawDiff = []
    i = j = 0
    for sign, length in counts:
        op = _FAST_OPS[sign]
        if op == INSERT:
            result.append((op, new[j : j + length]))
            j += length
        else:
            result.append((op, old[i : i + length]))
            i += length
            if op == EQUAL:
                j += length
    return result


def _pure_diff(old: str, new: str, timelimit: float) -> RawDiff:
    engine = diff_match_patch()
    engine.Diff_Timeout = timelimit
    diffs: RawDiff = engine.diff_main(old, new, False)
    return diffs


def choose(backend: Backend) -> Callable[[str, str, float], RawDiff]:
    """The raw diff function `(old, new, timelimit) -> RawDiff` for `backend`; a timelimit of
    0 means none. "auto" prefers the C++ accelerator."""
    if backend == "pure" or (backend == "auto" and _fast is None):
        return _pure_diff
    if _fast is None:
        raise RuntimeError(
            "backend 'fast' needs fast-diff-match-patch: pip install penholder[fast]"
        )
    return _fast_diff


class Deadline:
    """An optional time budget shared by every diff call of one comparison. Records whether
    the budget ran out, which means a call may have returned a simplified (non-minimal) diff."""

    def __init__(self, seconds: float | None) -> None:
        self.end = None if seconds is None else time.perf_counter() + seconds
        self.expired = False

    def remaining(self) -> float:
        """Seconds left to pass as the library's time limit; 0 means no limit."""
        if self.end is None:
            return 0.0
        left = self.end - time.perf_counter()
        if left <= 0:
            self.expired = True
            return -1.0
        return left

    def check(self) -> None:
        if self.end is not None and time.perf_counter() >= self.end:
            self.expired = True
