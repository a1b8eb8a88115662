"""The root this copy trusts, recorded when the negotiation is opened or cloned (given out of
band), so that `verify` and sync hold every later read to it."""

from __future__ import annotations

import re
from pathlib import Path

TRUSTED_ROOT = "trusted-root"


def record_trusted_root(git_dir: Path, sha: str) -> None:
    """Remember the root this copy trusts (given out of band), for verify to hold it to."""
    folder = git_dir / "penholder"
    folder.mkdir(exist_ok=True)
    (folder / TRUSTED_ROOT).write_text(sha + "\n", encoding="ascii")


_FULL_SHA = re.compile(rb"[0-9a-f]{40}")


def trusted_root(git_dir: Path) -> str | None:
    try:
        data = (git_dir / "penholder" / TRUSTED_ROOT).read_bytes().strip()
    except OSError:
        return None
    if not _FULL_SHA.fullmatch(data):
        return None
    return data.decode("ascii")
