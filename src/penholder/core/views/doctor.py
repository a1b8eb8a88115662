"""`penholder doctor`: the store's health (git fsck, locks, packing, refs, key permissions), and
the repairs that are safe to make: stale locks removed, loose objects packed, keys made private,
the derived cache rebuilt. Nothing here rewrites history or moves a branch, and nothing here
decides a trust rule: ref problems are the git reader's (`GitRepo.ref_problems`), every rule of
the history is `penholder verify`'s."""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from penholder.core.errors import StoreError
from penholder.core.store.cache import VersionIndex
from penholder.core.store.gitobjects import run_git
from penholder.core.store.gitrepo import AUTO_PACK_OBJECTS, GitRepo
from penholder.core.store.keyfiles import KeyStore
from penholder.core.store.trusted_root import trusted_root

STALE_LOCK_SECONDS = 60.0
MAX_PACKS = 16


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    message: str
    repairable: bool = False
    path: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "check": self.check,
            "ok": self.ok,
            "message": self.message,
            "repairable": self.repairable,
            "path": self.path,
        }


def _locks(git_dir: Path) -> list[Path]:
    found = [p for p in (git_dir / "refs").rglob("*.lock")] if (git_dir / "refs").is_dir() else []
    found += [
        git_dir / name
        for name in ("packed-refs.lock", "HEAD.lock", "config.lock", "index.lock", "shallow.lock")
    ]
    return [p for p in found if p.exists()]


def examine(repo: Path, home: Path | None, *, now: float | None = None) -> list[Finding]:
    git_dir = repo
    findings: list[Finding] = []
    fsck = run_git(repo, "fsck", "--strict", "--no-dangling", "--no-progress", check=False)
    problems = (fsck.stdout + fsck.stderr).decode("utf-8", "replace").strip().splitlines()
    if fsck.returncode == 0 and not problems:
        findings.append(Finding("fsck", True, "git fsck --strict: clean"))
    else:
        shown = "; ".join(problems[:3]) + (
            f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        )
        findings.append(Finding("fsck", False, f"git fsck --strict: {shown or 'failed'}"))
    moment = time.time() if now is None else now
    locks = _locks(git_dir)
    for lock in locks:
        age = moment - lock.stat().st_mtime
        if age >= STALE_LOCK_SECONDS:
            findings.append(
                Finding("lock", False, f"stale lock, {age:.0f} s old: {lock}", True, str(lock))
            )
        else:
            findings.append(
                Finding(
                    "lock",
                    True,
                    f"lock held right now ({age:.0f} s): {lock}; retry shortly",
                    False,
                    str(lock),
                )
            )
    if not locks:
        findings.append(Finding("lock", True, "no locks held"))
    counts = {}
    for line in run_git(repo, "count-objects", "-v").stdout.decode().splitlines():
        key, _, value = line.partition(": ")
        counts[key] = value
    loose, packs = int(counts.get("count", "0")), int(counts.get("packs", "0"))
    packed_ok = loose <= 2 * AUTO_PACK_OBJECTS and packs <= MAX_PACKS
    findings.append(
        Finding(
            "packing",
            packed_ok,
            f"{loose} loose objects, {packs} packs"
            + ("" if packed_ok else ": the store should be packed (doctor --repair)"),
            not packed_ok,
        )
    )
    findings += _ref_findings(repo)
    root = trusted_root(git_dir)
    findings.append(
        Finding(
            "trust",
            True,
            f"trusted root {root}"
            if root
            else "note: no trusted root recorded; verify holds to the root of HEAD's branch",
        )
    )
    if home is not None:
        findings += _key_findings(KeyStore(home))
    return findings


def _ref_findings(repo: Path) -> list[Finding]:
    """Refs git would read differently from the stored objects, as the git reader finds them:
    replace refs, grafts, shallow files, symbolic refs and non-commits as branch tips."""
    try:
        reader = GitRepo(repo, hazards_ok=True)
    except StoreError as exc:
        return [Finding("refs", False, exc.message)]
    try:
        problems = reader.ref_problems()
    finally:
        reader.close()
    if not problems:
        return [Finding("refs", True, "every branch is a plain ref to a version")]
    return [
        Finding("refs", False, f"{p.rule}: {p.message} (see penholder verify)", path=p.ref)
        for p in problems
    ]


def _key_findings(store: KeyStore) -> list[Finding]:
    out: list[Finding] = []
    if not store.folder.is_dir():
        return [Finding("keys", True, f"no keys in {store.folder}")]
    folder_mode = stat.S_IMODE(store.folder.stat().st_mode)
    if folder_mode & 0o077:
        out.append(
            Finding(
                "keys",
                False,
                f"{store.folder} has mode {folder_mode:04o}, not 0700",
                True,
                str(store.folder),
            )
        )
    for item in sorted(store.folder.iterdir()):
        if item.name.endswith(".pub") or not item.is_file():
            continue
        mode = stat.S_IMODE(item.stat().st_mode)
        if mode & 0o077:
            out.append(
                Finding("keys", False, f"{item} has mode {mode:04o}, not 0600", True, str(item))
            )
    if not out:
        out.append(Finding("keys", True, f"private keys in {store.folder} are private"))
    return out


def repair(repo: Path, findings: list[Finding]) -> list[str]:
    """Make the safe repairs; return what was done."""
    done: list[str] = []
    for finding in findings:
        if finding.ok or not finding.repairable:
            continue
        if finding.check == "lock" and finding.path:
            Path(finding.path).unlink(missing_ok=True)
            done.append(f"removed stale lock {finding.path}")
        elif finding.check == "keys" and finding.path:
            path = Path(finding.path)
            os.chmod(path, 0o700 if path.is_dir() else 0o600)
            done.append(f"made {path} private")
    if any(not f.ok and f.check == "packing" for f in findings):
        # Unreachable objects go into a cruft pack: a writer may be about to reference them,
        # so nothing is pruned here; git's own gc prunes them after its grace period.
        run_git(repo, "repack", "--cruft", "-d", "-q")
        run_git(repo, "prune-packed")
        run_git(repo, "pack-refs", "--all")
        done.append("packed the store (git repack --cruft -d)")
    VersionIndex(repo).reset()
    done.append("rebuilt the version cache")
    return done
