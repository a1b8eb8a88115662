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
import re
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from penholder.core.errors import (
    LockHeldError,
    RefMovedError,
    StoreError,
    TreeFormatError,
    UnknownRevisionError,
)
from penholder.core.store import packing
from penholder.core.trust.rules import Rule

LOCK_RETRY_SECONDS = 5.0
WRITE_ATTEMPTS = 5
HEADS = "refs/heads/"
REPLACE = "refs/replace/"
# Pack once loose objects pass about this many (git samples objects/17 and multiplies by 256).
AUTO_PACK_OBJECTS = 512


# What git reads must be what the objects say: no replace refs, no grafts. A graft file path
# that cannot exist (ENOTDIR) makes git read no grafts, silently.
READ_AS_STORED = {
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_GRAFT_FILE": os.path.join(os.devnull, "penholder-reads-no-grafts"),
}
# The one-character modes git writes into trees; anything else (040000, 100664…) is refused.
_OBJECT_NAME = re.compile(r"[0-9a-f]{40}")
TREE_MODES = frozenset({"100644", "100755", "120000", "40000", "160000"})


@dataclass(frozen=True)
class RefProblem:
    """A ref under refs/heads/ (or refs/replace/) that is not a plain ref to a commit."""

    ref: str
    sha: str
    message: str
    rule: str = Rule.REF_FORM


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", **READ_AS_STORED})
    return env


def repo_hazards(git_dir: Path) -> list[RefProblem]:
    """What makes git show a history other than the stored objects: grafts and shallow files.
    (Replace refs are listed by `GitRepo.ref_problems`; every read here ignores them.)"""
    out = []
    if (git_dir / "info" / "grafts").exists():
        out.append(RefProblem("info/grafts", "", "the repository has info/grafts: refused"))
    if (git_dir / "shallow").exists():
        out.append(RefProblem("shallow", "", "the repository is shallow: its history is cut"))
    return out


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


def _judge_refs(rows: Iterable[list[str]]) -> tuple[dict[str, str], list[RefProblem]]:
    """Sort `objectname objecttype refname symref` rows into usable branches and problems."""
    found: dict[str, str] = {}
    problems: list[RefProblem] = []
    for row in rows:
        if len(row) < 3:
            continue
        sha, kind, ref = row[0], row[1], row[2]
        target = " ".join(row[3:]).strip()
        if ref.startswith(REPLACE):
            problems.append(
                RefProblem(
                    ref,
                    ref[len(REPLACE) :],
                    f"replace ref {ref} would show {sha[:10]} in its place (Penholder reads "
                    "the stored object; plain git does not)",
                )
            )
        elif target:
            problems.append(
                RefProblem(ref, sha, f"{ref} is a symbolic ref to {target}, not a branch")
            )
        elif kind != "commit":
            problems.append(RefProblem(ref, sha, f"{ref} points at a {kind}, not a version"))
        else:
            found[ref[len(HEADS) :]] = sha
    return found, problems


def _loose_object_is(path: Path, sha: str) -> bool:
    """Whether the loose object file at `path` holds the object `sha`."""
    try:
        body = zlib.decompress(path.read_bytes())
    except (OSError, zlib.error):
        return False
    return hashlib.sha1(body).hexdigest() == sha


class GitRepo:
    """A bare repository holding one negotiation."""

    def __init__(self, path: Path, *, hazards_ok: bool = False) -> None:
        """Open a repository; one with grafts or a shallow file is refused (rule ref-form)
        unless `hazards_ok` (verify and doctor open it to report them)."""
        # GitPython (tens of ms, and `git version` run twice) is imported by the first command
        # that opens a store, not by every command.
        import git

        self.path = path
        try:
            self._repo = git.Repo(path)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise StoreError(f"{path} is not a negotiation (no git repository there)") from exc
        # GitPython's persistent `cat-file --batch` reads objects as stored, like run_git.
        self._repo.git.update_environment(**READ_AS_STORED)
        self.git_dir = Path(self._repo.git_dir)
        self._lock = threading.Lock()
        if not hazards_ok:
            hazards = repo_hazards(self.git_dir)
            if hazards:
                self._repo.close()
                raise StoreError(f"{path}: {hazards[0].message}", rule=Rule.REF_FORM)

    @classmethod
    def init_bare(cls, path: Path) -> GitRepo:
        if path.exists() and any(path.iterdir()):
            raise StoreError(f"{path} exists and is not empty", rule="repo-exists")
        path.mkdir(parents=True, exist_ok=True)
        run_git(path, "init", "--bare", "--quiet", "--object-format=sha1", "--initial-branch=open")
        for key, value in (
            # Packing is Penholder's own (`packing`): git's auto-gc never starts on a fetch.
            ("gc.auto", "0"),
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

    # refs ----------------------------------------------------------------------------------

    def branches(self) -> dict[str, str]:
        """Every `refs/heads/*` that is a plain ref to a commit, with its sha, as git reads
        it (one `for-each-ref`). Symbolic refs and tips that are not commits are left out;
        `ref_problems` names them."""
        return self.read_refs()[0]

    def ref_problems(self) -> list[RefProblem]:
        """Branches that are not plain refs to commits, replace refs, grafts, shallow files."""
        return repo_hazards(self.git_dir) + self.read_refs()[1]

    def read_refs(self) -> tuple[dict[str, str], list[RefProblem]]:
        """(usable branches, problems) from one `git for-each-ref` over refs/heads/ and
        refs/replace/: no hand parsing of packed-refs or loose files, so a ref git reads as
        broken (junk in a loose file) is one git ignores too."""
        fmt = "%(objectname) %(objecttype) %(refname) %(symref)"
        result = run_git(self.path, "for-each-ref", f"--format={fmt}", HEADS, REPLACE, check=False)
        if result.returncode != 0:
            # A ref to a missing object stops for-each-ref at %(objecttype): ask again without
            # it and type the tips with one batch-check.
            return self._read_refs_slowly()
        return _judge_refs(
            line.split(" ") for line in result.stdout.decode("utf-8", "replace").splitlines()
        )

    def _read_refs_slowly(self) -> tuple[dict[str, str], list[RefProblem]]:
        fmt = "%(objectname) %(refname) %(symref)"
        listed = run_git(self.path, "for-each-ref", f"--format={fmt}", HEADS, REPLACE)
        rows = [line.split(" ") for line in listed.stdout.decode("utf-8", "replace").splitlines()]
        shas = sorted({row[0] for row in rows if row})
        checked = run_git(
            self.path,
            "cat-file",
            "--batch-check",
            input="".join(s + "\n" for s in shas).encode("ascii"),
        )
        kinds = {}
        for line in checked.stdout.decode("ascii", "replace").splitlines():
            parts = line.split(" ")
            kinds[parts[0]] = parts[1] if len(parts) == 3 else "missing"
        return _judge_refs(
            [row[0], kinds.get(row[0], "missing"), *row[1:]] for row in rows if len(row) >= 2
        )

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
        """Keep the store packed: a detached repack once loose objects pile up (see `packing`:
        git's own auto-gc samples one folder and can stop for a day on a gc.log warning)."""
        packing.maybe_pack(self.path, self.git_dir)
