"""Git refs: reading the branches as git reads them, moving one only by compare-and-swap
(`git update-ref <ref> <new> <old>`, so two writers can never silently overwrite each other),
revisions and ancestry, and the hazards that make git show a history other than the stored one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from penholder.core.errors import LockHeldError, RefMovedError, StoreError, UnknownRevisionError
from penholder.core.store.gitobjects import run_git
from penholder.core.trust.rules import Rule

LOCK_RETRY_SECONDS = 5.0
HEADS = "refs/heads/"
REPLACE = "refs/replace/"


@dataclass(frozen=True)
class RefProblem:
    """A ref under refs/heads/ (or refs/replace/) that is not a plain ref to a commit."""

    ref: str
    sha: str
    message: str
    rule: str = Rule.REF_FORM


def repo_hazards(git_dir: Path) -> list[RefProblem]:
    """What makes git show a history other than the stored objects: grafts and shallow files.
    (Replace refs are listed by `GitRepo.ref_problems`; every read here ignores them.)"""
    out = []
    if (git_dir / "info" / "grafts").exists():
        out.append(RefProblem("info/grafts", "", "the repository has info/grafts: refused"))
    if (git_dir / "shallow").exists():
        out.append(RefProblem("shallow", "", "the repository is shallow: its history is cut"))
    return out


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


class GitRefs:
    """The ref half of `GitRepo` (which opens the repository these attributes name)."""

    path: Path
    git_dir: Path

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
