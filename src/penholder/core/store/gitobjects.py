"""Git objects in and out, and how every git command runs.

Objects are written in-process (zlib into a temporary file, then a rename, as git does) and
read through one persistent `git cat-file --batch` (GitPython's default object database), or
in bulk through one `cat-file --batch` per batch. Trees are built and parsed here, strictly.
Every git process runs with the environment `run_git` gives it, which reads objects as stored.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from penholder.core.errors import StoreError, TreeFormatError

if TYPE_CHECKING:
    import git

WRITE_ATTEMPTS = 5

# What git reads must be what the objects say: no replace refs, no grafts. A graft file path
# that cannot exist (ENOTDIR) makes git read no grafts, silently.
READ_AS_STORED = {
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_GRAFT_FILE": os.path.join(os.devnull, "penholder-reads-no-grafts"),
}
_OBJECT_NAME = re.compile(r"[0-9a-f]{40}")
# The one-character modes git writes into trees; anything else (040000, 100664…) is refused.
TREE_MODES = frozenset({"100644", "100755", "120000", "40000", "160000"})


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", **READ_AS_STORED})
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
    """(mode, name, hex sha) of each entry of a canonical tree object.

    Refused with TreeFormatError (rule tree-form), never another exception: a truncated entry,
    a mode other than the five git writes (e.g. `040000`), an empty, `.`, `..`, slashed or
    non-UTF-8 name, a name given twice, entries out of git's order (a tree sorts as `name/`).
    """
    entries = []
    seen: set[bytes] = set()
    previous: bytes | None = None
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        nul = data.find(b"\0", space + 1) if space >= 0 else -1
        if space < 0 or nul < 0 or nul + 21 > len(data):
            raise TreeFormatError(f"tree entry at byte {pos} is truncated")
        raw_mode, raw_name = data[pos:space], data[space + 1 : nul]
        mode = raw_mode.decode("ascii", "replace")
        if mode not in TREE_MODES:
            raise TreeFormatError(f"tree entry at byte {pos} has the non-canonical mode {mode!r}")
        if raw_name in (b"", b".", b"..") or b"/" in raw_name:
            raise TreeFormatError(f"tree entry at byte {pos} has the invalid name {raw_name!r}")
        try:
            name = raw_name.decode("utf-8")
        except UnicodeDecodeError:
            raise TreeFormatError(f"tree entry name {raw_name!r} is not UTF-8") from None
        if raw_name in seen:
            raise TreeFormatError(f"the tree names {name!r} twice")
        key = raw_name + (b"/" if mode == "40000" else b"")
        if previous is not None and key <= previous:
            raise TreeFormatError(f"the tree is not sorted as git sorts it (at {name!r})")
        seen.add(raw_name)
        previous = key
        entries.append((mode, name, data[nul + 1 : nul + 21].hex()))
        pos = nul + 21
    return entries


def _loose_object_is(path: Path, sha: str) -> bool:
    """Whether the loose object file at `path` holds the object `sha`."""
    try:
        body = zlib.decompress(path.read_bytes())
    except (OSError, zlib.error):
        return False
    return hashlib.sha1(body).hexdigest() == sha


class GitObjects:
    """The object half of `GitRepo` (which opens the repository these attributes name)."""

    path: Path
    git_dir: Path
    _repo: git.Repo
    _lock: threading.Lock

    def read(self, sha: str) -> tuple[str, bytes]:
        import git

        with self._lock:
            try:
                stream = self._repo.odb.stream(bytes.fromhex(sha))
                return stream.type.decode("ascii"), stream.read()
            except (ValueError, git.BadObject, git.GitCommandError) as exc:
                raise StoreError(f"object {sha} is missing from the store") from exc

    def read_many(self, shas: Sequence[str]) -> dict[str, tuple[str, bytes]]:
        """Read many objects through one `cat-file --batch`: far faster than one at a time."""
        return {sha: (kind, data) for sha, kind, data in self.iter_objects(shas)}

    def iter_objects(
        self, shas: Sequence[str], *, missing_ok: bool = False
    ) -> Iterator[tuple[str, str, bytes]]:
        """(sha, type, content) for each object, in order, streamed from one
        `cat-file --batch` (only one object is held at a time). A missing object raises
        StoreError, or with `missing_ok` comes as type "missing" and no content."""
        if not shas:
            return
        for sha in shas:
            if not _OBJECT_NAME.fullmatch(sha):
                raise StoreError(f"{sha!r} is not an object name")
        proc = subprocess.Popen(
            ["git", "-C", str(self.path), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_git_env(),
            bufsize=1 << 20,
        )
        assert proc.stdin is not None and proc.stdout is not None
        stdin, stdout = proc.stdin, proc.stdout

        def feed() -> None:
            try:
                stdin.write("".join(s + "\n" for s in shas).encode("ascii"))
                stdin.close()
            except BrokenPipeError:
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for sha in shas:
                header = stdout.readline().rstrip(b"\n").split(b" ")
                if missing_ok and header == [sha.encode("ascii"), b"missing"]:
                    yield sha, "missing", b""
                    continue
                if len(header) != 3 or header[0] != sha.encode("ascii"):
                    raise StoreError(f"object {sha} is missing from the store")
                try:
                    size = int(header[2])
                except ValueError:
                    raise StoreError(f"object {sha} could not be read") from None
                data = stdout.read(size)
                if len(data) != size or stdout.read(1) != b"\n":
                    raise StoreError(f"object {sha} could not be read")
                yield sha, header[1].decode("ascii", "replace"), data
        finally:
            stdout.close()
            writer.join()
            proc.wait()

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
            except FileExistsError:
                # Another writer raced us to the same object: it is written if what is there
                # now is that object.
                if tmp is not None and os.path.exists(tmp):
                    os.unlink(tmp)
                if _loose_object_is(target, sha):
                    return sha
                if attempt == WRITE_ATTEMPTS - 1:
                    raise StoreError(
                        f"object {sha} could not be written: {target} is in the way"
                    ) from None
            except FileNotFoundError:
                if tmp is not None and os.path.exists(tmp):
                    os.unlink(tmp)
                if attempt == WRITE_ATTEMPTS - 1:
                    raise
        return sha

    def has(self, sha: str) -> bool:
        """Whether the object is stored, loose or packed (asked of git's own cat-file)."""
        import git

        with self._lock:
            try:
                self._repo.odb.info(bytes.fromhex(sha))
                return True
            except (ValueError, git.BadObject, git.GitCommandError):
                return False
