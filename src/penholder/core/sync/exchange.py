"""Sync across machines on git's own transport: fetch, verify in quarantine, fast-forward, push.

Nothing home-made goes over the wire: remotes are ordinary git remotes (`file://`, `ssh://`,
`git://`, `https://`, a path) and bundles are git bundles. What arrives is judged before any of
it enters the negotiation:

1. Every `refs/heads/*` of the other side (and nothing outside `refs/heads/`) is fetched into a
   quarantine repository that borrows the local objects (`penholder.core.sync.quarantine`): all at
   once, or branch by branch when one bad object, missing parent or junk branch makes that
   fail; a branch whose own fetch fails is refused alone.
2. Each branch is judged by the kernel (`penholder.core.trust.branches`) against the local tip
   and against what the remote showed at the last sync (`refs/remotes/<remote>/<branch>`):
   unchanged, new, fast-forward, remote behind, rollback or gone (the remote went back from
   what it showed), rewrite (its tip no longer descends from what it showed), or equivocation
   (the histories diverged: two histories signed as one actor).
3. The candidates (new and fast-forward branches) and the local branches are verified together
   by `penholder.core.views.verify`; a failure counts against every candidate branch from whose tip
   the failing version is newly reachable, and each candidate's tip must be a good version by
   its owner. Refused candidates are dropped and the rest verified again, until stable.
4. Only the accepted branches' objects are fetched from the quarantine into the negotiation,
   and each accepted branch is moved by compare-and-swap; the quarantine is then removed with
   every refused object in it.
5. Every branch the remote is behind on whose new versions verify is pushed, without force.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from penholder.core.errors import InputError, PenholderError, StoreError
from penholder.core.model import Version
from penholder.core.errors import RefMovedError
from penholder.core.store.gitrepo import GitRepo, run_git
from penholder.core.store.trees import read_tree_facts
from penholder.core.store.trusted_root import record_trusted_root, trusted_root
from penholder.core.trust.commit import unreadable_version
from penholder.core.sync.quarantine import HEADS, LOCAL, Quarantine, last_line, run_transport
from penholder.core.sync.state import (
    BranchState,
    Heard,
    absolute_url,
    add_remote,
    branch_states,
    last_heard,
    note_sync,
    remotes,
)
from penholder.core.trust.branches import (
    Judgement,
    Verdict,
    judge_branches,
    moved_during_sync,
    second_roots,
    tip_problem,
)
from penholder.core.errors import CommitFormatError
from penholder.core.trust.commit import parse_commit, version_from_commit
from penholder.core.trust.roster import Roster, parse_roster
from penholder.core.trust.rules import Rule
from penholder.core.views.verify import Failure, Report, _verify, signature_status

Progress = Callable[[str, int, int], None]

UNCHANGED = "unchanged"
FAST_FORWARD = "fast-forward"
NEW = "new"
PUSHED = "pushed"
BEHIND = "behind"
REFUSED_ROLLBACK = "refused-rollback"
REFUSED_REWRITE = "refused-rewrite"
REFUSED_VERIFY = "refused-verify"
STATUSES = (
    UNCHANGED,
    FAST_FORWARD,
    PUSHED,
    BEHIND,
    REFUSED_ROLLBACK,
    REFUSED_REWRITE,
    REFUSED_VERIFY,
    NEW,
)
# Rule ids of a refused branch, for one-line reports.
STATUS_RULES = {
    REFUSED_ROLLBACK: Rule.SYNC_ROLLBACK,
    REFUSED_REWRITE: Rule.SYNC_REWRITE,
    REFUSED_VERIFY: Rule.SYNC_VERIFY,
}
# Rules `verify` judges over whole branches; sync judges each candidate branch itself.
_BRANCH_RULES = frozenset({"branch-tip", "branch-unknown"})


class SyncError(StoreError):
    """A sync, clone or bundle that could not run at all (nothing was changed)."""

    rule = "sync"


@dataclass
class BranchResult:
    """What happened to one branch.

    `old`/`new` are the branch before and after on the side that moved: here for every status
    but `pushed`, the remote for `pushed` (and for `behind`, `new` is the local tip the remote
    lacks). `remote` is the tip the other side showed (None: it has no such branch).
    """

    branch: str
    old: str | None
    new: str | None
    status: str
    remote: str | None = None
    failures: list[Failure] = field(default_factory=list)
    message: str = ""
    equivocation: bool = False  # refused as a rewrite: one actor showed two histories

    @property
    def refused(self) -> bool:
        return self.status.startswith("refused-")

    @property
    def rule(self) -> str:
        """The rule id a refused branch is reported under ("" when it was not refused)."""
        if self.equivocation:
            return Rule.SYNC_EQUIVOCATION
        return STATUS_RULES.get(self.status, "")

    def to_json(self) -> dict[str, object]:
        return {
            "branch": self.branch,
            "old": self.old,
            "new": self.new,
            "status": self.status,
            "remote": self.remote,
            "failures": [f.to_json() for f in self.failures],
            "message": self.message,
            "rule": self.rule,
        }


@dataclass
class SyncReport:
    source: str  # the remote's name, a URL or a bundle file
    url: str
    branches: list[BranchResult] = field(default_factory=list)
    root: str | None = None
    path: str | None = None

    @property
    def ok(self) -> bool:
        return not any(b.refused for b in self.branches)

    @property
    def refused(self) -> list[BranchResult]:
        return [b for b in self.branches if b.refused]

    def branch(self, name: str) -> BranchResult | None:
        return next((b for b in self.branches if b.branch == name), None)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"source": self.source, "url": self.url, "ok": self.ok}
        if self.path is not None:
            out["path"] = self.path
        if self.root is not None:
            out["root"] = self.root
        out["branches"] = [b.to_json() for b in self.branches]
        return out


@dataclass
class _Source:
    label: str  # for reports and the record
    location: str  # what git fetches from
    tracking: str | None  # `refs/remotes/<name>/`, or None for a URL or a bundle
    push: bool
    skip_absent: bool = False  # a bundle carries some branches; the others are not news


# entry points -------------------------------------------------------------------------------


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
            source = _Source(
                remote, absolute_url(configured[remote], path), f"refs/remotes/{remote}/", push
            )
        elif _looks_like_url(remote):
            url = absolute_url(remote, Path.cwd())
            source = _Source(remote, url, None, push)
        else:
            raise SyncError(
                f"no remote named {remote!r}: add it with `penholder remote add {remote} URL`",
                rule="sync-remote",
            )
        with _sync_lock(local.git_dir):
            return _Session(local, source, progress).run()
    finally:
        local.close()


def bundle_import(path: Path, file: Path, *, progress: Progress | None = None) -> SyncReport:
    """Take in the branches of a git bundle that verify, exactly as `sync` would."""
    local = _open(path)
    try:
        bundle = file.resolve()
        if not bundle.is_file():
            raise InputError(f"no such bundle: {file}", rule="bundle-missing")
        source = _Source(str(file), str(bundle), None, push=False, skip_absent=True)
        with _sync_lock(local.git_dir):
            return _Session(local, source, progress).run()
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
            source = _Source("origin", location, "refs/remotes/origin/", push=False)
            session = _Session(local, source, progress, trust=(expect_fingerprint, expect_root))
            report = session.run()
            accepted = [b for b in report.branches if b.status == NEW]
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


# the session --------------------------------------------------------------------------------


class _Session:
    """One fetch-verify-accept(-push) run against one source."""

    q: Quarantine

    def __init__(
        self,
        local: GitRepo,
        source: _Source,
        progress: Progress | None,
        trust: tuple[str, str | None] | None = None,
    ) -> None:
        self.local = local
        self.source = source
        self.progress = progress
        self.trust = trust  # clone: (fingerprint, root sha or None)
        self.local_tips = local.branches()
        self.results: dict[str, BranchResult] = {}
        self.candidates: dict[str, str] = {}  # new and fast-forward branches -> remote tip
        self.behind: dict[str, str | None] = {}  # branches the remote lacks -> its tip
        self.fetched: dict[str, str] = {}
        self.unfetched: dict[str, tuple[str | None, str]] = {}  # branch -> (tip shown, why)
        self.judgements: dict[str, Judgement] = {}
        self.tracking: dict[str, str] = {}
        self.new_sets: dict[str, set[str]] = {}
        self.new_order: dict[str, list[str]] = {}  # newly reachable, parents first
        self.versions: dict[str, Version] = {}
        self.root: str | None = None
        self.roster: Roster | None = None
        self.report: Report | None = None
        self._held_failures: set[tuple[str, str]] | None = None

    def step(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def run(self) -> SyncReport:
        with Quarantine(self.local.git_dir) as q:
            self.q = q
            q.set_refs(LOCAL, self.local_tips)
            if self.source.skip_absent:
                check = run_git(
                    q.path, "bundle", "verify", "--quiet", self.source.location, check=False
                )
                if check.returncode != 0:
                    raise SyncError(
                        f"cannot read the bundle {self.source.label}: {last_line(check.stderr)}",
                        rule="bundle",
                    )
            self.step("fetch", 0, 1)
            got = q.fetch(self.source.location, self.progress)
            self.fetched, self.unfetched = got.tips, got.refused
            self.tracking = self._tracking()
            self._find_root()
            assert self.root is not None
            record_trusted_root(q.path, self.root)  # verify holds the quarantine to it
            self._classify()
            self._precheck()
            self._verify_candidates()
            heard = self._accept()
            if self.source.push and self.behind:
                self._push()
            else:
                for branch, tip in self.behind.items():
                    self._set(branch, BEHIND, remote=tip, message="not pushed")
        self._update_tracking()
        order = {status: i for i, status in enumerate(STATUSES)}
        branches = sorted(self.results.values(), key=lambda r: (r.branch, order[r.status]))
        summary = ", ".join(f"{b.branch} {b.status}" for b in branches if b.status != UNCHANGED)
        note_sync(self.local.git_dir, self.source.label, int(time.time()), heard, summary)
        return SyncReport(self.source.label, self.source.location, branches, self.root)

    # what there is ----------------------------------------------------------------------------

    def _tracking(self) -> dict[str, str]:
        prefix = self.source.tracking
        if prefix is None:
            return {}
        out = run_git(self.local.path, "for-each-ref", "--format=%(objectname) %(refname)", prefix)
        found = {}
        for line in out.stdout.decode("utf-8", "replace").splitlines():
            sha, _, ref = line.partition(" ")
            name = ref[len(prefix) :]
            if name != "HEAD":
                found[name] = sha
        return found

    def _find_root(self) -> None:
        q = self.q
        if self.trust is None:
            recorded = trusted_root(self.local.git_dir)
            roots = [recorded] if recorded else q.roots(self.local_tips.values())
            if len(roots) != 1:
                raise SyncError(
                    f"{self.local.path} has {len(roots)} roots and no trusted root: run "
                    "`penholder verify`",
                    rule="sync-local",
                )
            self.root = roots[0]
            self.roster = self._roster_at(self.root)
            return
        fingerprint, expected_root = self.trust
        if not self.fetched:
            if self.unfetched:
                branch, (_tip, why) = sorted(self.unfetched.items())[0]
                raise SyncError(
                    f"no branch of {self.source.location} could be fetched: {branch}: {why}",
                    rule="sync-fetch",
                )
            raise SyncError(f"{self.source.location} holds no branches", rule="clone-empty")
        commits = [s for s, k in q.kinds(self.fetched.values()).items() if k == "commit"]
        roots = q.roots(commits)
        if expected_root is not None:
            if expected_root not in roots:
                shown = ", ".join(r[:10] for r in roots) or "none"
                raise SyncError(
                    f"the root is not {expected_root} (the remote shows {shown})",
                    rule="clone-root",
                )
            roots = [expected_root]
        matching = []
        found = []
        for root in roots:
            try:
                roster = self._roster_at(root)
            except PenholderError:
                continue
            convener = roster.actor(roster.convener)
            found.append(convener.fingerprint if convener else "?")
            if (
                convener is not None
                and convener.fingerprint == fingerprint
                and self._signed_by(root, convener.key)
            ):
                matching.append((root, roster))
        if not matching:
            raise SyncError(
                f"the convener's key in the root is {', '.join(found) or 'unreadable'}, "
                f"not {fingerprint}",
                rule="clone-fingerprint",
            )
        if len(matching) > 1:
            raise SyncError(
                "the remote holds several roots by that convener; name one with --expect-root",
                rule="clone-root",
            )
        self.root, self.roster = matching[0]

    def _signed_by(self, sha: str, key: str) -> bool:
        """Whether the version `sha` carries a good signature by `key` (an unsigned or forged
        copy of the root is no candidate for the root)."""
        try:
            raw = self.q.repo.read(sha)[1]
            signature = parse_commit(raw).signature
        except (CommitFormatError, StoreError):
            return False
        return signature_status(raw, signature, key)[0] == "good"

    def _roster_at(self, root: str) -> Roster:
        repo = self.q.repo
        try:
            kind, data = repo.read(root)
            if kind != "commit":
                raise CommitFormatError(f"{root[:10]} is a {kind}")
            facts = read_tree_facts(repo, parse_commit(data).tree)
            if facts.roster_blob is None:
                raise CommitFormatError("no penholder.toml")
            return parse_roster(repo.read(facts.roster_blob)[1].decode("utf-8"))
        except (CommitFormatError, UnicodeDecodeError, ValueError, StoreError) as exc:
            raise SyncError(
                f"cannot read the roster of the root {root[:10]}: {exc}", rule="sync-root"
            ) from exc

    # judging ----------------------------------------------------------------------------------

    def _set(self, branch: str, status: str, **fields: object) -> None:
        tip = self.local_tips.get(branch)
        result = BranchResult(branch, tip, tip, status)
        for key, value in fields.items():
            setattr(result, key, value)
        self.results[branch] = result

    def _classify(self) -> None:
        """Ask the kernel what each branch update is; act on its verdicts."""
        q = self.q
        for branch, (tip, why) in sorted(self.unfetched.items()):
            self._set(
                branch,
                REFUSED_VERIFY,
                remote=tip,
                message=f"cannot fetch {branch} from {self.source.label}: {why}",
            )
        kinds = q.kinds(
            [*self.fetched.values(), *self.tracking.values(), *self.local_tips.values()]
        )
        self.judgements = judge_branches(
            self.local_tips,
            self.fetched,
            self.tracking,
            q.is_ancestor,
            where=self.source.label,
            complete=not self.source.skip_absent,
            commits=[sha for sha, kind in kinds.items() if kind == "commit"],
            unjudged=self.unfetched,
        )
        for branch, judgement in self.judgements.items():
            theirs = judgement.theirs
            verdict = judgement.verdict
            if judgement.candidate:
                assert theirs is not None
                self.candidates[branch] = theirs
            elif verdict is Verdict.UNCHANGED:
                self._set(branch, UNCHANGED, remote=theirs)
            elif verdict is Verdict.BEHIND:
                self.behind[branch] = theirs
            elif verdict is Verdict.NOT_A_VERSION:
                assert theirs is not None
                failure = Failure(theirs, "", "branch-tip", judgement.message)
                self._set(branch, REFUSED_VERIFY, remote=theirs, failures=[failure])
            elif verdict in (Verdict.ROLLBACK, Verdict.GONE):
                self._set(branch, REFUSED_ROLLBACK, remote=theirs, message=judgement.message)
            else:  # rewrite, equivocation
                self._set(
                    branch,
                    REFUSED_REWRITE,
                    remote=theirs,
                    message=judgement.message,
                    equivocation=verdict is Verdict.EQUIVOCATION,
                )

    def _precheck(self) -> None:
        """Newly reachable versions of each candidate, read once; a second root is refused."""
        repo = self.q.repo
        exclude = list(self.local_tips.values())
        for branch, tip in self.candidates.items():
            self.new_order[branch] = repo.rev_list([tip], exclude)
            self.new_sets[branch] = set(self.new_order[branch])
        wanted = set().union(*self.new_sets.values()) | set(self.candidates.values())
        wanted |= set(self.local_tips.values())
        self.versions = _read_versions(repo, sorted(wanted))
        assert self.root is not None
        parents = {sha: self.versions[sha].parents for sha in wanted}
        for branch, tip in sorted(self.candidates.items()):
            strays = second_roots(self.new_sets[branch], parents, self.root)
            if strays:
                failures = [
                    Failure(
                        sha,
                        self.versions[sha].actor,
                        "root",
                        "a second root: a version without parents that is not this "
                        "negotiation's open version",
                    )
                    for sha in strays
                ]
                self._refuse(branch, tip, failures)

    def _refuse(self, branch: str, tip: str, failures: list[Failure]) -> None:
        self.candidates.pop(branch, None)
        self._set(branch, REFUSED_VERIFY, remote=tip, failures=failures)

    def _verify_candidates(self) -> None:
        if not self.candidates and not (self.source.push and self.behind):
            return
        for _round in range(len(self.candidates) + 1):
            heads = {**self.local_tips, **self.candidates}
            if not heads:
                return
            self.q.set_refs(HEADS, heads)
            self.report = _verify(self.q.repo, lambda d, t: self.step("verify", d, t))
            refused = self._attribute(self.report)
            if not refused:
                return
            for branch, failures in refused.items():
                self._refuse(branch, self.candidates[branch], failures)

    def _attribute(self, report: Report) -> dict[str, list[Failure]]:
        found: dict[str, list[Failure]] = {b: [] for b in self.candidates}
        held_here: list[Failure] = []
        for failure in report.failures:
            if failure.rule in _BRANCH_RULES:
                continue
            owners = [b for b in self.candidates if failure.sha in self.new_sets[b]]
            for branch in owners:
                found[branch].append(failure)
            if not owners:
                held_here.append(failure)
        for branch, tip in self.candidates.items():
            problem = self._branch_problem(branch, tip, report)
            if problem is not None:
                found[branch].append(problem)
        if held_here and not any(found.values()):
            for branch, failures in self._breaking_local(held_here).items():
                found[branch] += failures
        return {b: f for b, f in found.items() if f}

    def _baseline(self) -> set[tuple[str, str]]:
        """The failures the versions held here have on their own (none, in a store that only
        ever took in what verified)."""
        if self._held_failures is None:
            self._held_failures = set()
            if self.local_tips:
                self.q.set_refs(HEADS, dict(self.local_tips))
                alone = _verify(self.q.repo, None)
                self._held_failures = {(f.sha, f.rule) for f in alone.failures}
        return self._held_failures

    def _breaking_local(self, held_here: list[Failure]) -> dict[str, list[Failure]]:
        """Candidates that make versions held here fail (a branch whose attestation voids a
        retract we hold, say): each is judged with what is held here alone. What no single
        candidate explains is put on every candidate: nothing enters that breaks the store."""
        baseline = self._baseline()
        if all((f.sha, f.rule) in baseline for f in held_here):
            return {}
        out: dict[str, list[Failure]] = {}
        for branch, tip in sorted(self.candidates.items()):
            self.q.set_refs(HEADS, {**self.local_tips, branch: tip})
            alone = _verify(self.q.repo, None)
            broken = [
                f
                for f in alone.failures
                if f.rule not in _BRANCH_RULES
                and f.sha not in self.new_sets[branch]
                and (f.sha, f.rule) not in baseline
            ]
            if broken:
                out[branch] = [_held_failure(f) for f in broken]
        if not out:
            new = [_held_failure(f) for f in held_here if (f.sha, f.rule) not in baseline]
            out = {branch: list(new) for branch in self.candidates}
        return out

    def _branch_problem(self, branch: str, tip: str, report: Report) -> Failure | None:
        """A branch's tip must be a good version by the branch's owner (which makes the branch
        an actor's: `verify` calls a signature good only by the actor's key in force)."""
        version = self.versions[tip]
        assert self.roster is not None
        problem = tip_problem(
            branch,
            version.actor,
            report.signatures.get(tip) == "good",
            self.roster.actor(branch) is not None,
        )
        if problem is None:
            return None
        rule, message = problem
        return Failure(tip, version.actor, rule.value, message)

    # taking in --------------------------------------------------------------------------------

    def _accept(self) -> dict[str, tuple[str, int]]:
        """Bring the accepted branches' objects in from the quarantine; move each branch."""
        heard: dict[str, tuple[str, int]] = {}
        if not self.candidates:
            return heard
        self.q.set_refs(HEADS, self.candidates)
        names = sorted(self.candidates)
        result = run_transport(
            self.local.path,
            [
                "fetch",
                "--no-tags",
                "--no-write-fetch-head",
                str(self.q.path),
                *[HEADS + b for b in names],
            ],
            "accept",
            self.progress,
        )
        if result.returncode != 0:
            raise SyncError(
                f"cannot take in the verified versions: {last_line(result.stderr)}",
                rule="sync-accept",
            )
        for done, branch in enumerate(names, 1):
            tip = self.candidates[branch]
            old = self.local_tips.get(branch)
            try:
                self.local.update_ref(branch, tip, old, f"penholder sync from {self.source.label}")
            except RefMovedError:
                moved = moved_during_sync(self.judgements[branch])
                self.judgements[branch] = moved
                self._set(
                    branch,
                    REFUSED_REWRITE,
                    remote=tip,
                    message=moved.message,
                    equivocation=moved.verdict is Verdict.EQUIVOCATION,
                )
                continue
            status = NEW if old is None else FAST_FORWARD
            self.results[branch] = BranchResult(branch, old, tip, status, remote=tip)
            self.step("accept", done, len(names))
            for sha in self.new_order[branch]:
                version = self.versions[sha]
                if version.actor:
                    heard[version.actor] = (sha, version.time)
            heard[branch] = (tip, self.versions[tip].time)
        self.local.maybe_pack()
        return heard

    def _push(self) -> None:
        pushable: dict[str, str] = {}
        for branch, theirs in sorted(self.behind.items()):
            mine = self.local_tips[branch]
            problems = self._outgoing_problems(branch, mine)
            if problems:
                self._set(
                    branch,
                    BEHIND,
                    remote=theirs,
                    failures=problems,
                    message="not pushed: the versions here do not verify",
                )
            else:
                pushable[branch] = mine
        if not pushable:
            return
        refspecs = [f"{sha}:{HEADS}{branch}" for branch, sha in sorted(pushable.items())]
        self.step("push", 0, len(pushable))
        result = run_transport(
            self.local.path,
            ["push", "--porcelain", "--no-verify", self.source.location, *refspecs],
            "push",
            self.progress,
        )
        outcome: dict[str, tuple[str, str]] = {}
        for line in result.stdout.decode("utf-8", "replace").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and ":" in parts[1]:
                dst = parts[1].split(":", 1)[1].removeprefix(HEADS)
                outcome[dst] = (parts[0], parts[2])
        for branch, sha in sorted(pushable.items()):
            theirs = self.behind[branch]
            flag, summary = outcome.get(branch, ("!", last_line(result.stderr) or "no answer"))
            if flag in (" ", "*", "="):
                self.results[branch] = BranchResult(branch, theirs, sha, PUSHED, remote=sha)
            else:
                self._set(
                    branch, BEHIND, remote=theirs, message=f"not pushed: {summary.strip('()')}"
                )
        self.step("push", len(pushable), len(pushable))

    def _outgoing_problems(self, branch: str, tip: str) -> list[Failure]:
        if self.report is None:
            return []
        outgoing = set(self.q.repo.rev_list([tip], self.fetched.values()))
        problems = [
            f for f in self.report.failures if f.sha in outgoing and f.rule not in _BRANCH_RULES
        ]
        problem = self._branch_problem(branch, tip, self.report)
        return problems + ([problem] if problem is not None else [])

    def _update_tracking(self) -> None:
        prefix = self.source.tracking
        if prefix is None:
            return
        lines = []
        for branch, result in self.results.items():
            judgement = self.judgements.get(branch)
            if result.refused or judgement is None:
                continue  # a refused branch leaves what the remote was seen to show as it was
            if result.status == PUSHED:
                shown = result.new
            else:
                shown = judgement.seen_after(verified=result.status in (NEW, FAST_FORWARD))
            if shown is None or self.tracking.get(branch) == shown:
                continue
            lines.append(f"update {prefix}{branch} {shown}\n")
        if lines:
            run_git(self.local.path, "update-ref", "--stdin", input="".join(lines).encode())


# helpers ------------------------------------------------------------------------------------


def _held_failure(failure: Failure) -> Failure:
    return Failure(
        failure.sha,
        failure.actor,
        failure.rule,
        f"taking this branch in would make {failure.sha[:10]}, held here, fail: {failure.message}",
    )


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


def _read_versions(repo: GitRepo, shas: Sequence[str]) -> dict[str, Version]:
    raws = repo.read_many(shas)
    out = {}
    for sha in shas:
        kind, data = raws[sha]
        try:
            if kind != "commit":
                raise CommitFormatError(f"a {kind}, not a commit")
            out[sha] = version_from_commit(sha, parse_commit(data))
        except CommitFormatError as exc:
            out[sha] = unreadable_version(sha, data, str(exc))
    return out


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


__all__ = [
    "STATUSES",
    "BranchResult",
    "BranchState",
    "Heard",
    "Progress",
    "SyncError",
    "SyncReport",
    "add_remote",
    "branch_states",
    "bundle_export",
    "bundle_import",
    "clone",
    "last_heard",
    "remotes",
    "sync",
]
