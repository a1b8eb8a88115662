"""Keeping a negotiation packed: loose objects rolled into packs, packs merged geometrically.

git's own `gc --auto` does not fit a store that writes a few objects per version, version after
version: it guesses how many loose objects there are from one folder of 256 (`objects/17`), so
packing comes late or not at all; it also packs refs beside a writer that is updating them, and
one warning from a detached run lands in `gc.log`, after which every `gc --auto` refuses to run
for a day while loose objects pile up. A 10,000-version negotiation measured 150 MB that way.

Here instead: the loose objects are counted (every folder, at most once a second), and once they
pass `LOOSE_LIMIT` one detached `git repack -d --geometric=2` rolls them, with any small packs,
into a pack at least twice the size of the next (so packs stay logarithmic in number and the
total packing work linear up to a log factor). A lock file keeps two from running at once.
`repack` moves no ref and prunes nothing, so it is safe beside writers; `gc.log` is never read.

`python -m penholder.core.store.packing REPO` is the detached worker.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

from penholder.core.store.child import own_module_command

LOOSE_LIMIT = 512
CHECK_EVERY = 1.0
LOCK_NAME = "penholder-pack.lock"
STALE_SECONDS = 15 * 60
_HEX = frozenset("0123456789abcdef")

_last_check: dict[Path, float] = {}


def loose_objects(git_dir: Path) -> int:
    """How many loose objects the store holds (every object folder counted)."""
    count = 0
    objects = git_dir / "objects"
    try:
        folders = list(os.scandir(objects))
    except FileNotFoundError:
        return 0
    for folder in folders:
        if len(folder.name) != 2 or not set(folder.name) <= _HEX:
            continue
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            count += sum(1 for e in os.scandir(folder.path) if not e.name.startswith("tmp_"))
    return count


def _lock(git_dir: Path) -> Path:
    return git_dir / LOCK_NAME


def packing_now(git_dir: Path) -> bool:
    """Whether a pack started by Penholder is still running (a stale lock is removed)."""
    lock = _lock(git_dir)
    try:
        text = lock.read_text(encoding="ascii").split()
        age = time.time() - lock.stat().st_mtime
    except (FileNotFoundError, UnicodeDecodeError):
        return False
    pid = int(text[0]) if text and text[0].isdigit() else 0
    alive = pid > 0 and age < STALE_SECONDS
    if alive:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            alive = False
        except PermissionError:
            pass
    if not alive:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
    return alive


def _take_lock(git_dir: Path) -> bool:
    if packing_now(git_dir):
        return False
    try:
        fd = os.open(_lock(git_dir), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(f"{os.getpid()}\n")
    return True


def maybe_pack(path: Path, git_dir: Path) -> bool:
    """Start a detached pack when loose objects pass `LOOSE_LIMIT`; at most one check a second,
    and never two packs at once. True when one was started."""
    now = time.monotonic()
    if now - _last_check.get(git_dir, 0.0) < CHECK_EVERY:
        return False
    _last_check[git_dir] = now
    if loose_objects(git_dir) <= LOOSE_LIMIT or not _take_lock(git_dir):
        return False
    try:
        worker = subprocess.Popen(
            own_module_command("penholder.core.store.packing", str(path)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        _lock(git_dir).unlink(missing_ok=True)
        return False
    _lock(git_dir).write_text(f"{worker.pid}\n", encoding="ascii")
    return True


def repack(path: Path) -> bool:
    """Roll loose objects and small packs into one pack, now (True when git succeeded)."""
    env = dict(os.environ, LC_ALL="C", GIT_TERMINAL_PROMPT="0", GIT_NO_REPLACE_OBJECTS="1")
    result = subprocess.run(
        ["git", "-C", str(path), "repack", "-d", "-q", "--geometric=2"],
        capture_output=True,
        env=env,
        check=False,
    )
    return result.returncode == 0


def wait(git_dir: Path, timeout: float = 300.0) -> bool:
    """Wait for a running pack to finish; False if it still runs after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while packing_now(git_dir):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def pack_now(path: Path, git_dir: Path, timeout: float = 300.0) -> bool:
    """Wait for a running pack, then pack what is loose, in this process."""
    if not wait(git_dir, timeout) or not _take_lock(git_dir):
        return False
    try:
        return repack(path)
    finally:
        _lock(git_dir).unlink(missing_ok=True)


def _worker(path: Path) -> int:
    git_dir = Path(
        subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--absolute-git-dir"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        or path
    )
    try:
        return 0 if repack(path) else 1
    finally:
        _lock(git_dir).unlink(missing_ok=True)


if __name__ == "__main__":
    raise SystemExit(_worker(Path(sys.argv[1])))
