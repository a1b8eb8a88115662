"""`penholder doctor` finds what is wrong with a store and repairs what is safe to repair."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import Table, git, shuttle
from penholder.core.store.keyfiles import KeyStore
from penholder.demo.keys import demo_private_key


def doctor(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "penholder",
            "-C",
            str(repo),
            "--home",
            str(home),
            "doctor",
            "--json",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_healthy_store(table: Table, tmp_path: Path) -> None:
    shuttle(table)
    result = doctor(table.path, tmp_path / "home")
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert {f["check"] for f in report["findings"]} >= {"fsck", "lock", "packing", "trust", "keys"}


def test_stale_lock_and_loose_key_are_found_and_repaired(table: Table, tmp_path: Path) -> None:
    shuttle(table)
    lock = table.path / "refs" / "heads" / "qatar.lock"
    lock.write_text("")
    old = time.time() - 600
    os.utime(lock, (old, old))
    store = KeyStore(tmp_path / "home")
    key = store.save("qatar", demo_private_key("qatar"), b"pass").path
    key.chmod(0o644)
    found = doctor(table.path, store.home)
    assert found.returncode == 1
    failing = [f for f in json.loads(found.stdout)["findings"] if not f["ok"]]
    assert {(f["check"], f["path"]) for f in failing} == {("lock", str(lock)), ("keys", str(key))}
    fixed = doctor(table.path, store.home, "--repair")
    assert fixed.returncode == 0, fixed.stdout
    assert not lock.exists()
    assert key.stat().st_mode & 0o777 == 0o600


def test_a_fresh_lock_is_left_alone(table: Table, tmp_path: Path) -> None:
    shuttle(table)
    lock = table.path / "refs" / "heads" / "turkiye.lock"
    lock.write_text("")
    result = doctor(table.path, tmp_path / "home", "--repair")
    assert lock.exists()
    assert result.returncode == 0


@pytest.mark.corrupts_store
def test_corruption_is_reported_not_hidden(table: Table, tmp_path: Path) -> None:
    v = shuttle(table)
    obj = table.path / "objects" / v["amend"].tree[:2] / v["amend"].tree[2:]
    if obj.exists():
        obj.chmod(0o644)
        obj.write_bytes(b"garbage")
    else:  # packed already: remove the pack's index to break it
        for idx in (table.path / "objects" / "pack").glob("*.idx"):
            idx.unlink()
    result = doctor(table.path, tmp_path / "home")
    assert result.returncode == 1
    assert any(f["check"] == "fsck" and not f["ok"] for f in json.loads(result.stdout)["findings"])


def test_doctor_packs_a_store_with_many_loose_objects(table: Table, tmp_path: Path) -> None:
    shuttle(table)
    paths = []
    for n in range(1100):
        path = tmp_path / f"blob{n}"
        path.write_text(f"loose object {n}\n")
        paths.append(str(path))
    subprocess.run(
        ["git", "-C", str(table.path), "hash-object", "-w", "--stdin-paths"],
        input="\n".join(paths),
        text=True,
        check=True,
        capture_output=True,
    )
    found = json.loads(doctor(table.path, tmp_path / "home").stdout)
    packing = next(f for f in found["findings"] if f["check"] == "packing")
    assert packing["ok"] is False and packing["repairable"] is True
    fixed = doctor(table.path, tmp_path / "home", "--repair")
    assert fixed.returncode == 0, fixed.stdout
    assert (
        git(
            table.path,
            "cat-file",
            "-t",
            git(table.path, "hash-object", "--stdin", input=b"loose object 7\n").strip(),
        ).strip()
        == "blob"
    )
