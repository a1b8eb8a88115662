"""The git plumbing Penholder needs, and nothing else: objects in, objects out, refs by CAS.

Objects are written in-process (zlib into a temporary file, then a rename, as git does) and
read through one persistent `git cat-file --batch` (GitPython's default object database), or
in bulk through one `cat-file --batch` per batch. Refs only ever move through
`git update-ref <ref> <new> <old>`, so two writers can never silently overwrite each other.
"""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Iterable, Sequence
from io import BytesIO
from pathlib import Path

import git

from penholder.core.errors import LockHeldError, StoreError, UnknownRevisionError

LOCK_RETRY_SECONDS = 5.0
WRITE_ATTEMPTS = 5
HEADS = "refs/heads/"
# Pack once loose objects pass about this many (git samples objects/17 and multiplies by 256).
AUTO_PACK_OBJECTS = 512


class RefMovedError(StoreError):
    """A compare-and-swap on a ref lost: someone else moved it first."""

    rule = "ref-moved"


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"})
    return env


def run_git(
    repo: Path, *args: str, input: bytes | None = None, check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        input=input,
        capture_output=True,
        env=_git_env(),
        check=False,
    )
    if check and result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise StoreError(f"git {args[0]} failed: {message[-1] if message else result.returncode}")
    return result


def tree_bytes(entries: Iterable[tuple[str, str, str]]) -> bytes:
    """Serialize tree entries (mode, name, hex sha) in git's order (trees sort as `name/`)."""

    def order(entry: tuple[str, str, str]) -> bytes:
        mode, name, _ = entry
        return name.encode("utf-8") + (b"/" if mode == "40000" else b"")

    out = BytesIO()
    for mode, name, sha in sorted(entries, key=order):
        out.write(f"{mode} {name}".encode() + b"\0" + bytes.fromhex(sha))
    return out.getvalue()


def parse_tree(data: bytes) -> list[tuple[str, str, str]]:
    entries = []
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        mode = data[pos:space].decode("ascii")
        name = data[space + 1 : nul].decode("utf-8", "replace")
        sha = data[nul + 1 : nul + 21].hex()
        entries.append((mode, name, sha))
        pos = nul + 21
    return entries


class GitRepo:
    """A bare repository holding one negotiation."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._repo = git.Repo(path)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise StoreError(f"{path} is not a negotiation (no git repository there)") from exc
        self.git_dir = Path(self._repo.git_dir)
        self._lock = threading.Lock()
        self._last_pack_check = 0.0

    @classmethod
    def init_bare(cls, path: Path) -> GitRepo:
        if path.exists() and any(path.iterdir()):
            raise StoreError(f"{path} exists and is not empty", rule="repo-exists")
        path.mkdir(parents=True, exist_ok=True)
        run_git(path, "init", "--bare", "--quiet", "--object-format=sha1", "--initial-branch=open")
        for key, value in (
            ("gc.auto", str(AUTO_PACK_OBJECTS)),
            ("gc.autoPackLimit", "16"),
            ("receive.fsckObjects", "true"),
            ("fetch.fsckObjects", "true"),
            ("transfer.fsckObjects", "true"),
            ("core.logAllRefUpdates", "true"),
        ):
            run_git(path, "config", key, value)
        return cls(path)

    def close(self) -> None:
        self._repo.close()

    # objects -------------------------------------------------------------------------------

    def read(self, sha: str) -> tuple[str, bytes]:
        with self._lock:
            try:
                stream = self._repo.odb.stream(bytes.fromhex(sha))
            except (ValueError, git.BadObject) as exc:
                raise StoreError(f"object {sha} is missing from the store") from exc
            return stream.type.decode("ascii"), stream.read()

    def read_many(self, shas: Sequence[str]) -> dict[str, tuple[str, bytes]]:
        """Read many objects through one `cat-file --batch`: far faster than one at a time."""
        if not shas:
            return {}
        result = run_git(
            self.path, "cat-file", "--batch", input="".join(s + "\n" for s in shas).encode()
        )
        out: dict[str, tuple[str, bytes]] = {}
        data = result.stdout
        pos = 0
        for sha in shas:
            eol = data.index(b"\n", pos)
            header = data[pos:eol].split(b" ")
            pos = eol + 1
            if len(header) != 3:
                raise StoreError(f"object {sha} is missing from the store")
            size = int(header[2])
            out[sha] = (header[1].decode("ascii"), data[pos : pos + size])
            pos += size + 1
        return out

    def write(self, kind: str, data: bytes) -> str:
        """Store one loose object in-process, as git does: zlib into a `tmp_obj_` file in the
        object's folder, then a rename. git's auto-gc may remove an emptied folder while we
        write; the folder is simply made again."""
        body = f"{kind} {len(data)}\0".encode("ascii") + data
        sha = hashlib.sha1(body).hexdigest()
        folder = self.git_dir / "objects" / sha[:2]
        target = folder / sha[2:]
        if target.exists():
            return sha
        compressed = zlib.compress(body, 1)
        for attempt in range(WRITE_ATTEMPTS):
            tmp: str | None = None
            try:
                folder.mkdir(exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix="tmp_obj_", dir=folder)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(compressed)
                os.chmod(tmp, 0o444)
                os.replace(tmp, target)
                return sha
            except FileNotFoundError:
                if tmp is not None and os.path.exists(tmp):
                    os.unlink(tmp)
                if attempt == WRITE_ATTEMPTS - 1:
                    raise
        return sha

    def has(self, sha: str) -> bool:
        with self._lock:
            try:
                return bool(self._repo.odb.has_object(bytes.fromhex(sha)))
            except ValueError:
                return False

    # refs ----------------------------------------------------------------------------------

    def branches(self) -> dict[str, str]:
        """Every `refs/heads/*` with its sha, read from the ref files (no subprocess)."""
        found: dict[str, str] = {}
        packed = self.git_dir / "packed-refs"
        if packed.exists():
            for line in packed.read_text(encoding="utf-8").splitlines():
                if line.startswith(("#", "^")):
                    continue
                sha, _, ref = line.partition(" ")
                if ref.startswith(HEADS):
                    found[ref[len(HEADS) :]] = sha
        heads = self.git_dir / "refs" / "heads"
        if heads.is_dir():
            for root, _dirs, files in os.walk(heads):
                for name in files:
                    if name.endswith(".lock"):
                        continue
                    path = Path(root) / name
                    try:
                        value = path.read_text(encoding="ascii").strip()
                    except (OSError, UnicodeDecodeError):
                        continue
                    if len(value) == 40:
                        found[path.relative_to(heads).as_posix()] = value
        return found

    def head_branch(self) -> str | None:
        """The branch HEAD names (the convener's, in a negotiation), if any."""
        try:
            head = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return head[len("ref: " + HEADS) :] if head.startswith("ref: " + HEADS) else None

    def update_ref(self, branch: str, new: str, old: str | None, reason: str) -> None:
        """Move `refs/heads/<branch>` from `old` (None: must not exist) to `new`, or fail.

        A held lock is retried with backoff; a lost compare-and-swap raises RefMovedError at
        once so the caller can reload, re-check and re-sign.
        """
        ref = HEADS + branch
        expected = old or "0" * 40
        deadline = time.monotonic() + LOCK_RETRY_SECONDS
        delay = 0.002
        while True:
            result = run_git(self.path, "update-ref", "-m", reason, ref, new, expected, check=False)
            if result.returncode == 0:
                return
            err = result.stderr.decode("utf-8", "replace")
            if ".lock" in err and ("File exists" in err or "Unable to create" in err):
                if time.monotonic() > deadline:
                    lock = self.git_dir / (ref + ".lock")
                    raise LockHeldError(
                        f"the branch {branch!r} stays locked by {lock}; if no Penholder or git "
                        "process is running, that file is stale: remove it",
                        rule="lock-held",
                    )
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.2)
                continue
            if "but expected" in err or "already exists" in err or "reference already" in err:
                raise RefMovedError(f"{ref} moved while we were writing")
            raise StoreError(f"git update-ref {ref} failed: {err.strip().splitlines()[-1:]}")

    def rev_parse(self, rev: str) -> str:
        if not rev or rev.startswith("-") or any(c in rev for c in "\n\0"):
            raise UnknownRevisionError(f"unknown revision {rev!r}")
        result = run_git(
            self.path,
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            rev + "^{commit}",
            check=False,
        )
        if result.returncode != 0:
            raise UnknownRevisionError(
                f"unknown revision {rev!r}: not a version of this negotiation"
            )
        return result.stdout.decode("ascii").strip()

    def rev_list(self, include: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
        """Commits reachable from `include` but not `exclude`, parents before children."""
        args = list(include)
        if not args:
            return []
        args += ["^" + sha for sha in exclude]
        result = run_git(
            self.path,
            "rev-list",
            "--topo-order",
            "--reverse",
            "--stdin",
            input="\n".join(args).encode() + b"\n",
        )
        return result.stdout.decode("ascii").split()

    # housekeeping ---------------------------------------------------------------------------

    def maybe_pack(self) -> None:
        """Start git's own auto-gc (it detaches itself) once loose objects pile up."""
        now = time.monotonic()
        if now - self._last_pack_check < 1.0:
            return
        self._last_pack_check = now
        sample = self.git_dir / "objects" / "17"
        try:
            count = len(os.listdir(sample))
        except FileNotFoundError:
            return
        if count * 256 <= AUTO_PACK_OBJECTS:
            return
        # git decides for itself whether packing is due, and detaches to do it (gc.autoDetach),
        # so a writer waits only for the check, never for the repack.
        run_git(self.path, "gc", "--auto", "--quiet", check=False)
