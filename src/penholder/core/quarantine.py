"""A quarantine repository: where fetched objects wait until they have been verified.

The quarantine is a temporary bare repository inside `<gitdir>/penholder/` whose
`objects/info/alternates` points at the negotiation's own objects: it sees every local object
without copying one, while whatever a fetch brings lands in the quarantine alone. Its refs are
`refs/local/<branch>` (the local tips, so git negotiates only what is missing),
`refs/fetched/<branch>` (what the other side showed) and `refs/heads/<branch>` (the candidate
tips `verify` walks). Removing the folder removes every refused object with it.

Also here: running git's transport commands with their progress read as it comes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType

from penholder.core.errors import StoreError
from penholder.core.gitrepo import GitRepo, run_git

Progress = Callable[[str, int, int], None]

FETCHED = "refs/fetched/"
LOCAL = "refs/local/"
HEADS = "refs/heads/"
# "Receiving objects:  45% (45/100)", "remote: Counting objects: 100% (3/3), done."
_PROGRESS = re.compile(rb"([A-Za-z][A-Za-z ]*):\s+\d+% \((\d+)/(\d+)\)")


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"})
    return env


def last_line(stderr: bytes) -> str:
    lines = [
        line.strip()
        for line in stderr.decode("utf-8", "replace").replace("\r", "\n").splitlines()
        if line.strip() and not _PROGRESS.search(line.encode())
    ]
    errors = [line for line in lines if line.startswith(("fatal:", "error:"))]
    chosen = errors[-1] if errors else (lines[-1] if lines else "")
    return chosen.removeprefix("fatal: ").removeprefix("error: ")


def run_transport(
    repo: Path, args: list[str], stage: str, progress: Progress | None
) -> subprocess.CompletedProcess[bytes]:
    """Run a git fetch/push/bundle command, reporting its progress lines as `stage`."""
    if progress is None:
        return run_git(repo, *args, check=False)
    command = ["git", "-C", str(repo), args[0], "--progress", *args[1:]]
    proc = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=git_env(),
    )
    stdout, stderr = proc.stdout, proc.stderr
    assert stdout is not None and stderr is not None
    out: list[bytes] = []

    def drain() -> None:
        out.append(stdout.read())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    err = bytearray()
    pending = b""
    while True:
        chunk = os.read(stderr.fileno(), 4096)
        if not chunk:
            break
        err += chunk
        pending += chunk
        *parts, pending = re.split(rb"[\r\n]", pending)
        for part in parts:
            match = _PROGRESS.search(part)
            if match:
                progress(stage, int(match.group(2)), int(match.group(3)))
    code = proc.wait()
    reader.join()
    stdout.close()
    stderr.close()
    return subprocess.CompletedProcess(command, code, b"".join(out), bytes(err))


class Quarantine:
    """A temporary bare repository borrowing `local`'s objects; removed on exit."""

    def __init__(self, local: Path) -> None:
        self.local = local.resolve()
        folder = self.local / "penholder"
        folder.mkdir(exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix="quarantine-", dir=folder))
        self._repo: GitRepo | None = None
        try:
            run_git(self.path, "init", "--bare", "--quiet", "--object-format=sha1")
            for key, value in (
                ("transfer.fsckObjects", "true"),
                ("fetch.fsckObjects", "true"),
                ("gc.auto", "0"),
                ("core.logAllRefUpdates", "false"),
            ):
                run_git(self.path, "config", key, value)
            alternates = self.path / "objects" / "info" / "alternates"
            alternates.write_text(str(self.local / "objects") + "\n", encoding="utf-8")
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Quarantine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._repo is not None:
            self._repo.close()
            self._repo = None
        shutil.rmtree(self.path, ignore_errors=True)

    @property
    def repo(self) -> GitRepo:
        if self._repo is None:
            self._repo = GitRepo(self.path)
        return self._repo

    # refs ------------------------------------------------------------------------------------

    def refs(self, prefix: str) -> dict[str, str]:
        out = run_git(self.path, "for-each-ref", "--format=%(objectname) %(refname)", prefix)
        found = {}
        for line in out.stdout.decode("utf-8", "replace").splitlines():
            sha, _, ref = line.partition(" ")
            found[ref[len(prefix) :]] = sha
        return found

    def set_refs(self, prefix: str, tips: Mapping[str, str]) -> None:
        """Make the refs under `prefix` exactly `tips`."""
        old = self.refs(prefix)
        lines = [f"delete {prefix}{name}\n" for name in old if name not in tips]
        lines += [f"update {prefix}{name} {sha}\n" for name, sha in tips.items()]
        if lines:
            run_git(self.path, "update-ref", "--stdin", input="".join(lines).encode())

    # fetching --------------------------------------------------------------------------------

    def fetch(self, source: str, progress: Progress | None = None) -> dict[str, str]:
        """Fetch every `refs/heads/*` of `source` (URL, path or bundle) into the quarantine."""
        result = run_transport(
            self.path,
            ["fetch", "--no-tags", "--no-write-fetch-head", source, f"+{HEADS}*:{FETCHED}*"],
            "fetch",
            progress,
        )
        if result.returncode != 0:
            raise StoreError(
                f"cannot fetch from {source}: {last_line(result.stderr)}", rule="sync-fetch"
            )
        return self.refs(FETCHED)

    # the version graph ------------------------------------------------------------------------

    def kinds(self, shas: Iterable[str]) -> dict[str, str]:
        """The object type of each sha ("missing" when absent)."""
        wanted = sorted(set(shas))
        if not wanted:
            return {}
        out = run_git(
            self.path,
            "cat-file",
            "--batch-check=%(objectname) %(objecttype)",
            input="".join(s + "\n" for s in wanted).encode(),
        )
        found: dict[str, str] = {}
        for line in out.stdout.decode("ascii", "replace").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1] != "missing":
                found[parts[0]] = parts[1]
        return {sha: found.get(sha, "missing") for sha in wanted}

    def is_ancestor(self, ancestor: str, of: str) -> bool:
        result = run_git(self.path, "merge-base", "--is-ancestor", ancestor, of, check=False)
        return result.returncode == 0

    def roots(self, tips: Iterable[str]) -> list[str]:
        args = sorted(set(tips))
        if not args:
            return []
        out = run_git(self.path, "rev-list", "--max-parents=0", "--stdin", input=_lines(args))
        return out.stdout.decode("ascii").split()


def _lines(items: Iterable[str]) -> bytes:
    return "".join(item + "\n" for item in items).encode()
