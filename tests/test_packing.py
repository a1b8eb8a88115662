"""The store keeps itself packed: loose objects counted exactly, rolled into packs by a detached
`git repack`, never blocked by a `gc.log` or a stale lock, and nothing read or moved."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from helpers import TEXT, git, make_table, shuttle, snapshot
from penholder.core.store import packing
from penholder.core.views.verify import verify


def _loose_by_git(repo: Path) -> int:
    counts = dict(
        line.split(": ", 1) for line in git(repo, "count-objects", "-v").splitlines() if line
    )
    return int(counts["count"])


def test_loose_objects_are_counted_exactly(tmp_path: Path) -> None:
    table = make_table(tmp_path / "n")
    shuttle(table)
    assert packing.loose_objects(table.path) == _loose_by_git(table.path) > 10


def test_a_detached_pack_rolls_up_every_loose_object_and_moves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = make_table(tmp_path / "n")
    shuttle(table)
    before = snapshot(table.path)
    # A warning left by an earlier `gc --auto` must not stop packing (git's own would refuse).
    (table.path / "gc.log").write_text("warning: There are too many unreachable loose objects\n")
    monkeypatch.setattr(packing, "LOOSE_LIMIT", 5)
    monkeypatch.setattr(packing, "_last_check", {})
    assert packing.maybe_pack(table.path, table.path)
    assert packing.wait(table.path, timeout=60)
    assert _loose_by_git(table.path) == 0
    assert snapshot(table.path) == before
    assert not (table.path / packing.LOCK_NAME).exists()
    assert verify(table.path).ok


def test_below_the_limit_or_within_a_second_nothing_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = make_table(tmp_path / "n")
    table.propose()
    monkeypatch.setattr(packing, "_last_check", {})
    assert not packing.maybe_pack(table.path, table.path)  # few loose objects
    monkeypatch.setattr(packing, "LOOSE_LIMIT", 1)
    assert not packing.maybe_pack(table.path, table.path)  # checked less than a second ago
    assert _loose_by_git(table.path) > 1


def test_a_stale_lock_is_cleared_and_a_live_one_respected(tmp_path: Path) -> None:
    table = make_table(tmp_path / "n")
    table.propose()
    lock = table.path / packing.LOCK_NAME
    finished = subprocess.Popen(["true"])
    finished.wait()
    lock.write_text(f"{finished.pid}\n")
    assert not packing.packing_now(table.path)
    assert not lock.exists()
    lock.write_text(f"{os.getpid()}\n")
    assert packing.packing_now(table.path)
    assert not packing.pack_now(table.path, table.path, timeout=0.2)
    assert _loose_by_git(table.path) > 0
    lock.unlink()
    assert packing.pack_now(table.path, table.path)
    assert _loose_by_git(table.path) == 0
    assert table.store.text_of(table.store.resolve("pakistan")) == TEXT
