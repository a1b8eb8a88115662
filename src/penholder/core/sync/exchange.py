"""Sync across machines on git's own transport: fetch, verify in quarantine, fast-forward, push.

Nothing home-made goes over the wire: remotes are ordinary git remotes (`file://`, `ssh://`,
`git://`, `https://`, a path) and bundles are git bundles. What arrives is judged before any of
it enters the negotiation:

1. Every `refs/heads/*` of the other side (and nothing outside `refs/heads/`) is fetched into a
   quarantine repository that borrows the local objects (`quarantine`): all at once, or branch
   by branch when one bad object, missing parent or junk branch makes that fail; a branch whose
   own fetch fails is refused alone.
2. Each branch is judged by the kernel (`penholder.core.trust.branches`) against the local tip
   and against what the remote showed at the last sync (`refs/remotes/<remote>/<branch>`):
   unchanged, new, fast-forward, remote behind, rollback or gone (the remote went back from
   what it showed), rewrite (its tip no longer descends from what it showed), or equivocation
   (the histories diverged: two histories signed as one actor).
3. The candidates (new and fast-forward branches) and the local branches are verified together
   (`vetting`); a failure counts against every candidate branch from whose tip the failing
   version is newly reachable, and each candidate's tip must be a good version by its owner.
   Refused candidates are dropped and the rest verified again, until stable.
4. Only the accepted branches' objects are fetched from the quarantine into the negotiation,
   and each accepted branch is moved by compare-and-swap; the quarantine is then removed with
   every refused object in it.
5. Every branch the remote is behind on whose new versions verify is pushed, without force.

This module holds the entry points (sync, bundles, clone); one run is a `session.Session`, and
what it did is a `results.SyncReport`.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from penholder.core.errors import InputError, StoreError, SyncError
from penholder.core.store.gitobjects import run_git
from penholder.core.store.gitrepo import GitRepo
from penholder.core.store.trusted_root import record_trusted_root
from penholder.core.sync.quarantine import HEADS, last_line
from penholder.core.sync.results import BranchStatus, Progress, SyncReport
from penholder.core.sync.session import Session, Source
from penholder.core.sync.state import absolute_url, remotes


def sync(
    path: Path, remote: str = "origin", *, push: bool = True, progress: Progress | None = None
) -> SyncReport:
    """Fetch every branch of `remote`, take in what verifies, push what the remote lacks.

    `remote` is a configured remote's name, or a URL or path (then nothing records what it
    showed, so a rollback there looks like a remote that is behind). Raises SyncError (or
    another PenholderError) when the sync cannot run at all; refused branches are reported in
    the result, never raised.
    """
    local = _open(path)
    try:
        configured = remotes(path)
        if remote in configured:
            source = Source(
                remote, absolute_url(configured[remote], path), f"refs/remotes/{remote}/", push
            )
        elif _looks_like_url(remote):
            url = absolute_url(remote, Path.cwd())
            source = Source(remote, url, None, push)
        else:
            raise SyncError(
                f"no remote named {remote!r}: add it with `penholder remote add {remote} URL`",
                rule="sync-remote",
            )
        with _sync_lock(local.git_dir):
            return Session(local, source, progress).run()
    finally:
        local.close()


def bundle_import(path: Path, file: Path, *, progress: Progress | None = None) -> SyncReport:
    """Take in the branches of a git bundle that verify, exactly as `sync` would."""
    local = _open(path)
    try:
        bundle = file.resolve()
        if not bundle.is_file():
            raise InputError(f"no such bundle: {file}", rule="bundle-missing")
        source = Source(str(file), str(bundle), None, push=False, skip_absent=True)
        with _sync_lock(local.git_dir):
            return Session(local, source, progress).run()
    finally:
        local.close()


def bundle_export(path: Path, file: Path, since: Sequence[str] = ()) -> list[str]:
    """Write every branch to a git bundle (without what `since` already holds); its branches."""
    local = _open(path)
    try:
        tips = local.branches()
        if not tips:
            raise SyncError(f"{path} holds no branches", rule="bundle-empty")
        excluded = [local.rev_parse(rev) for rev in since]
        target = file.resolve()
        args = ["bundle", "create", "--quiet", str(target)]
        args += [HEADS + branch for branch in sorted(tips)] + ["^" + sha for sha in excluded]
        result = run_git(local.path, *args, check=False)
        if result.returncode != 0:
            message = last_line(result.stderr)
            rule = "bundle-empty" if "empty bundle" in message else "bundle"
            if rule == "bundle-empty":
                message = f"nothing to export: every branch is already in {', '.join(since)}"
            raise SyncError(message, rule=rule)
        heads = run_git(local.path, "bundle", "list-heads", str(target)).stdout.decode()
        return sorted(
            line.split()[1][len(HEADS) :]
            for line in heads.splitlines()
            if len(line.split()) == 2 and line.split()[1].startswith(HEADS)
        )
    finally:
        local.close()


def clone(
    url: str,
    dest: Path,
    expect_fingerprint: str,
    expect_root: str | None = None,
    *,
    progress: Progress | None = None,
) -> SyncReport:
    """Clone a negotiation into a new bare repository at `dest`, trusting the root only if the
    convener's key in it has `expect_fingerprint` (and its sha is `expect_root`, when given).

    Refused, nothing is left behind. Branches that fail verification are left out and reported.
    """
    dest = dest.absolute()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InputError(f"{dest} exists and is not empty", rule="repo-exists")
    location = absolute_url(url, Path.cwd())
    created = next((p for p in reversed(dest.parents) if not p.exists()), None)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.clone-", dir=dest.parent))
    try:
        local = GitRepo.init_bare(staging)
        try:
            run_git(staging, "remote", "add", "origin", location)
            source = Source("origin", location, "refs/remotes/origin/", push=False)
            session = Session(local, source, progress, trust=(expect_fingerprint, expect_root))
            report = session.run()
            accepted = [b for b in report.branches if b.status == BranchStatus.NEW]
            if not accepted:
                first = next((f for b in report.branches for f in b.failures), None)
                detail = f": {first.rule} {first.sha[:10]} {first.message}" if first else ""
                raise SyncError(
                    f"no branch of {url} verifies; nothing was cloned{detail}", rule="clone-refused"
                )
            assert session.roster is not None and session.root is not None
            run_git(staging, "symbolic-ref", "HEAD", HEADS + session.roster.convener)
            record_trusted_root(staging, session.root)
        finally:
            local.close()
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(created or staging, ignore_errors=True)
        raise
    report.path = str(dest)
    return report


def _open(path: Path) -> GitRepo:
    if not path.is_dir():
        raise StoreError(f"{path} is not a negotiation (no such folder)")
    repo = GitRepo(path)
    if not repo.branches():
        repo.close()
        raise StoreError(f"{path} holds no negotiation (no branches)")
    return repo


def _looks_like_url(text: str) -> bool:
    return "://" in text or "/" in text or text.endswith((".git", ".bundle")) or text == "."


@contextmanager
def _sync_lock(git_dir: Path) -> Iterator[None]:
    folder = git_dir / "penholder"
    folder.mkdir(exist_ok=True)
    fd = os.open(folder / "sync.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise SyncError(
                "another sync of this negotiation is running; try again when it ends",
                rule="sync-busy",
            ) from exc
        # Under the lock no other sync runs: any quarantine left here is a crashed run's.
        for stale in folder.glob("quarantine-*"):
            shutil.rmtree(stale, ignore_errors=True)
        yield
    finally:
        os.close(fd)
