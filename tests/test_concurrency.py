"""Writes are atomic: concurrent writers all land, a killed writer leaves the branch as it was."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import Table, git, shuttle
from penholder.core.errors import LockHeldError
from penholder.core.model import Action
from penholder.core.store import gitrefs
from penholder.core.store.negotiation import Negotiation
from penholder.core.views.verify import verify

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from penholder.demo.keys import demo_private_key
    from penholder.core.model import Action
    from penholder.core.store.negotiation import Negotiation, Request

    repo, refers, worker, count = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    key = demo_private_key("qatar")
    store = Negotiation(repo)
    for i in range(count):
        store.act(Request("qatar", Action.COMMENT, f"comment {worker}.{i}", refers=(refers,),
                          to=("turkiye",), document="accord"), key)
    """
)


def test_eight_processes_append_two_hundred_comments(table: Table, tmp_path: Path) -> None:
    v = shuttle(table)
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), str(table.path), v["forward2"].sha, str(n), "25"],
            stderr=subprocess.PIPE,
        )
        for n in range(8)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err.decode()
    subjects = git(table.path, "log", "--format=%s", "qatar").splitlines()
    comments = [s for s in subjects if s.startswith("comment ")]
    assert len(comments) == 200
    assert len(set(comments)) == 200
    fsck = subprocess.run(
        ["git", "-C", str(table.path), "fsck", "--strict"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert fsck.returncode == 0, fsck.stderr
    assert verify(table.path).ok


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from penholder.core.store import gitrepo
    from penholder.demo.keys import demo_private_key
    from penholder.core.model import Action
    from penholder.core.store.negotiation import Negotiation, Request

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    gitrepo.GitRepo.update_ref = die  # killed after the objects are written, before the ref moves
    store = Negotiation(Path(sys.argv[1]))
    store.act(Request("qatar", Action.COMMENT, "never lands", refers=(sys.argv[2],),
                      to=("turkiye",), document="accord"), demo_private_key("qatar"))
    """
)


def test_writer_killed_before_the_ref_moves_leaves_the_branch(table: Table, tmp_path: Path) -> None:
    v = shuttle(table)
    before = git(table.path, "for-each-ref")
    objects_before = len(
        git(table.path, "cat-file", "--batch-all-objects", "--batch-check").splitlines()
    )
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    result = subprocess.run(
        [sys.executable, str(script), str(table.path), v["forward2"].sha],
        capture_output=True,
        check=False,
    )
    assert result.returncode == -9
    assert git(table.path, "for-each-ref") == before
    objects_after = len(
        git(table.path, "cat-file", "--batch-all-objects", "--batch-check").splitlines()
    )
    assert objects_after > objects_before  # the commit was written, unreachable
    assert verify(table.path).ok
    # The store goes on as before.
    table.on("qatar", Action.COMMENT, v["forward2"], to=("turkiye",))
    assert "never lands" not in git(table.path, "log", "--format=%s", "qatar")
    assert Negotiation(table.path).tips["qatar"] != v["endorse_qa"].sha


def test_a_stale_ref_lock_is_reported_with_its_path(
    table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    v = shuttle(table)
    lock = table.path / "refs" / "heads" / "qatar.lock"
    lock.write_text("")
    monkeypatch.setattr(gitrefs, "LOCK_RETRY_SECONDS", 0.3)
    with pytest.raises(LockHeldError) as caught:
        table.on("qatar", Action.COMMENT, v["forward2"], to=("turkiye",))
    assert str(lock) in caught.value.message


LOOP_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from penholder.demo.keys import demo_private_key
    from penholder.core.model import Action
    from penholder.core.store.negotiation import Negotiation, Request

    repo, refers = Path(sys.argv[1]), sys.argv[2]
    key = demo_private_key("qatar")
    store = Negotiation(repo)
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        store.act(Request("qatar", Action.COMMENT, f"loop {n}", refers=(refers,),
                          to=("turkiye",), document="accord"), key)
    """
)


def test_writers_killed_at_random_points_leave_a_consistent_store(
    table: Table, tmp_path: Path
) -> None:
    import random
    import signal

    v = shuttle(table)
    script = tmp_path / "loop.py"
    script.write_text(LOOP_WRITER)
    rng = random.Random(11)
    landed = 0
    for _ in range(8):
        writer = subprocess.Popen(
            [sys.executable, str(script), str(table.path), v["forward2"].sha],
            stdout=subprocess.PIPE,
        )
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == b"ready"
        # Let it write for a random number of its own appends, measured by the branch moving.
        target = rng.randint(1, 6)
        start = git(table.path, "rev-parse", "qatar").strip()
        moved = 0
        while moved < target:
            assert writer.poll() is None, "the writer died on its own"
            tip = git(table.path, "rev-parse", "qatar").strip()
            if tip != start:
                moved += 1
                start = tip
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        fsck = subprocess.run(
            ["git", "-C", str(table.path), "fsck", "--strict", "--no-dangling"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert fsck.returncode == 0, fsck.stdout + fsck.stderr
        report = verify(table.path)
        assert report.ok, report.failures[:3]
        landed = len(
            [
                s
                for s in git(table.path, "log", "--format=%s", "qatar").splitlines()
                if s.startswith("loop ")
            ]
        )
    assert landed >= 8
    # The store takes new writes after all that.
    table.on("qatar", Action.COMMENT, v["forward2"], to=("turkiye",))
    assert verify(table.path).ok
