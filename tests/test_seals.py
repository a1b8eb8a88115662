"""Signatures checked beside the rules (core/store/seals.py): the same answers as checking in line,
whoever checks each chunk, and whatever happens to the helper process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import Table, git, shuttle
from penholder.core.store import seals
from penholder.core.store.seals import Item, Seals, check_chunk
from penholder.core.trust.commit import parse_commit
from penholder.core.views.verify import verify


def _items(table: Table) -> list[Item]:
    """Every version's raw commit and signature, plus tampered and unsigned copies."""
    shuttle(table)
    shas = git(table.path, "rev-list", "--all").split()
    raws = [
        subprocess.run(
            ["git", "-C", str(table.path), "cat-file", "commit", sha],
            capture_output=True,
            check=True,
        ).stdout
        for sha in shas
    ]
    items: list[Item] = [(raw, parse_commit(raw).signature) for raw in raws]
    tampered = [
        (raw.replace(b"Penholder-Round: 1", b"Penholder-Round: 2"), sig) for raw, sig in items
    ]
    unsigned: list[Item] = [(raw, None) for raw, _ in items[:3]]
    malformed: list[Item] = [
        (raw, "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----")
        for raw, _ in items[:2]
    ]
    return (items + tampered + unsigned + malformed) * 3


def _all(found: Seals, count: int) -> list[seals.Sealed]:
    try:
        return [found[i] for i in range(count)]
    finally:
        found.close()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seals, "CHUNK", 4)
    monkeypatch.setattr(seals, "IN_LINE_BELOW", 1)


def _fed(items: list[Item]) -> Seals:
    found = Seals(len(items))
    for raw, signature in items:
        found.add(raw, signature)
    found.finish()
    return found


def test_the_helper_answers_as_checking_in_line(table: Table, small_chunks: None) -> None:
    items = _items(table)
    expected = check_chunk(items)
    assert {status for status, *_ in expected} == {"good", "bad"}
    assert _all(_fed(items), len(items)) == expected


def test_answers_are_the_same_when_read_out_of_step(table: Table, small_chunks: None) -> None:
    """Reading only some answers, then closing, leaves no helper or thread behind."""
    items = _items(table)
    found = _fed(items)
    assert found[len(items) - 1] == check_chunk(items[-1:])[0]
    assert found[0] == check_chunk(items[:1])[0]
    found.close()
    found.close()


def test_a_helper_that_cannot_start_changes_nothing(
    table: Table, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = _items(table)
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    assert _all(_fed(items), len(items)) == check_chunk(items)


def test_a_helper_that_dies_changes_nothing(
    table: Table, small_chunks: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A helper that answers garbage and exits: every answer is still checked here."""
    fake = tmp_path / "fake-python"
    fake.write_text("#!/bin/sh\nhead -c 10 >/dev/null; printf 'junk'\n")
    fake.chmod(0o755)
    items = _items(table)
    monkeypatch.setattr(sys, "executable", str(fake))
    assert _all(_fed(items), len(items)) == check_chunk(items)


def test_verify_reports_the_same_with_the_helper(
    table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    shuttle(table)
    in_line = verify(table.path)
    monkeypatch.setattr(seals, "CHUNK", 2)
    monkeypatch.setattr(seals, "IN_LINE_BELOW", 1)
    assert verify(table.path) == in_line
    assert in_line.ok and set(in_line.signatures.values()) == {"good"}


def test_a_folder_holding_our_module_names_runs_none_of_them(
    table: Table, small_chunks: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hostile folder (the current directory, or on PYTHONPATH) with its own
    `penholder/core/store/seals.py` that calls everything good: the helper never imports it."""
    hostile = tmp_path / "hostile"
    module = hostile / "penholder" / "core" / "store"
    module.mkdir(parents=True)
    for folder in (hostile / "penholder", hostile / "penholder" / "core", module):
        (folder / "__init__.py").write_text("")
    (module / "seals.py").write_text(
        "import pickle, sys\n"
        "while True:\n"
        "    chunk = pickle.load(sys.stdin.buffer)\n"
        "    pickle.dump([('good', '', '', b'') for _ in chunk], sys.stdout.buffer)\n"
        "    sys.stdout.buffer.flush()\n"
    )
    items = _items(table)
    monkeypatch.chdir(hostile)
    monkeypatch.setenv("PYTHONPATH", str(hostile))
    assert _all(_fed(items), len(items)) == check_chunk(items)
