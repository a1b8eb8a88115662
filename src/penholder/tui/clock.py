"""Times as people read them. `PENHOLDER_NOW` (epoch seconds or ISO 8601) pins "now", so tests
and snapshots never change by themselves."""

from __future__ import annotations

import datetime as dt
import os
import time


def now() -> int:
    pinned = os.environ.get("PENHOLDER_NOW")
    if pinned:
        if pinned.isdigit():
            return int(pinned)
        return int(dt.datetime.fromisoformat(pinned.replace("Z", "+00:00")).timestamp())
    return int(time.time())


def short_time(epoch: int) -> str:
    """`2025-10-30 16:15` in UTC: what the signer wrote, at a glance."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M")


def awaiting(count: int) -> str:
    """How many versions await, in words."""
    return "1 version awaits" if count == 1 else f"{count} versions await"


def ago(epoch: int, at: int | None = None) -> str:
    seconds = (now() if at is None else at) - epoch
    if seconds < 0:
        return "in the future"
    for size, unit in (
        (86_400 * 365, "y"),
        (86_400 * 30, "mo"),
        (86_400, "d"),
        (3600, "h"),
        (60, "min"),
    ):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"
