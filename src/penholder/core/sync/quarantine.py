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
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from penholder.core.errors import StoreError
from penholder.core.store.gitobjects import READ_AS_STORED, run_git
from penholder.core.store.gitrepo import GitRepo

Progress = Callable[[str, int, int], None]

FETCHED = "refs/fetched/"
LOCAL = "refs/local/"
HEADS = "refs/heads/"
# "Receiving objects:  45% (45/100)", "remote: Counting objects: 100% (3/3), done."
_PROGRESS = re.compile(rb"([A-Za-z][A-Za-z ]*):\s+\d+% \((\d+)/(\d+)\)")


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", **READ_AS_STORED})
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


def first_error(stderr: bytes) -> str:
    """The line of git's stderr that says what went wrong first: the first `error:` naming an
    object or a read that failed (also from the remote side), else the last fatal line."""
    for raw in stderr.decode("utf-8", "replace").replace("\r", "\n").splitlines():
        line = raw.strip().removeprefix("remote:").strip()
        if line.startswith("error:") and "died with error" not in line:
            return line.removeprefix("error:").strip()
    return last_line(stderr)


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


@dataclass
class Fetched:
    """What a fetch brought: each branch's tip (in `refs/fetched/`), and each branch whose own
    fetch failed, with the tip the other side advertised for it and git's reason."""

    tips: dict[str, str]
    refused: dict[str, tuple[str | None, str]] = field(default_factory=dict)


class Quarantine:
    """A temporary bare repository borrowing `local`'s objects; removed on exit.

    `strict` (the default) has git check every object a fetch brings (`fetch.fsckObjects`); a
    lenient quarantine only stages what the other side sends, to be fetched from again, branch
    by branch, into a strict one."""

    def __init__(self, local: Path, *, strict: bool = True) -> None:
        self.local = local.resolve()
        folder = self.local / "penholder"
        folder.mkdir(exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix="quarantine-", dir=folder))
        self._repo: GitRepo | None = None
        try:
            run_git(self.path, "init", "--bare", "--quiet", "--object-format=sha1")
            check = "true" if strict else "false"
            for key, value in (
                ("transfer.fsckObjects", check),
                ("fetch.fsckObjects", check),
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

    def fetch(self, source: str, progress: Progress | None = None) -> Fetched:
        """Fetch every `refs/heads/*` of `source` (URL, path or bundle) into the quarantine, and
        nothing outside `refs/heads/`.

        All at once first; when that fails (one bad object, a missing parent, a junk branch),
        branch by branch: everything the other side sends is staged in a lenient quarantine
        (all at once, or branch by branch when even that fails), then each branch is fetched
        from there into this strict one on its own. A branch whose own fetch fails is returned
        in `refused`; the others land. Raises StoreError only when `source` cannot be read."""
        everything = f"+{HEADS}*:{FETCHED}*"
        result = self._fetch(source, [everything], progress)
        if result.returncode == 0:
            return Fetched(self.refs(FETCHED))
        heads = self.remote_heads(source)
        if heads is None:
            raise StoreError(
                f"cannot fetch from {source}: {last_line(result.stderr)}", rule="sync-fetch"
            )
        refused: dict[str, tuple[str | None, str]] = {}
        with Quarantine(self.local, strict=False) as raw:
            raw.set_refs(LOCAL, self.refs(LOCAL))
            if raw._fetch(source, [everything], progress).returncode != 0:
                for branch, sha in sorted(heads.items()):
                    one = raw._fetch(source, [f"+{HEADS}{branch}:{FETCHED}{branch}"], progress)
                    if one.returncode != 0:
                        refused[branch] = (sha, first_error(one.stderr))
            staged = raw.refs(FETCHED)
            for branch, sha in sorted(staged.items()):
                one = self._fetch(str(raw.path), [f"+{FETCHED}{branch}:{FETCHED}{branch}"], None)
                if one.returncode != 0:
                    refused[branch] = (sha, first_error(one.stderr))
        tips = self.refs(FETCHED)
        for branch, sha in heads.items():
            if branch not in tips and branch not in refused:
                refused[branch] = (sha, "the other side did not send it")
        return Fetched(tips, refused)

    def _fetch(
        self, source: str, refspecs: list[str], progress: Progress | None
    ) -> subprocess.CompletedProcess[bytes]:
        return run_transport(
            self.path,
            ["fetch", "--no-tags", "--no-write-fetch-head", source, *refspecs],
            "fetch",
            progress,
        )

    def remote_heads(self, source: str) -> dict[str, str] | None:
        """The `refs/heads/*` that `source` advertises (None: it cannot be read at all)."""
        result = run_git(self.path, "ls-remote", "--heads", source, check=False)
        if result.returncode != 0:
            return None
        heads: dict[str, str] = {}
        for line in result.stdout.decode("utf-8", "replace").splitlines():
            sha, _, ref = line.partition("\t")
            if ref.startswith(HEADS) and len(ref) > len(HEADS):
                heads[ref[len(HEADS) :]] = sha
        return heads

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
