"""One sync run against one source: fetch into quarantine, judge each branch, vet the candidates,
take in what verified, push what the other side lacks, and remember what it showed."""

from __future__ import annotations

import time
from dataclasses import dataclass

from penholder.core.errors import RefMovedError, SyncError
from penholder.core.store.gitobjects import run_git
from penholder.core.store.gitrepo import GitRepo
from penholder.core.store.trusted_root import record_trusted_root
from penholder.core.sync.quarantine import HEADS, LOCAL, Quarantine, last_line, run_transport
from penholder.core.sync.results import (
    BranchResult,
    BranchStatus,
    Progress,
    SyncReport,
)
from penholder.core.sync.roots import clone_root, local_root
from penholder.core.sync.state import note_sync
from penholder.core.sync.vetting import Refusal, Vetting
from penholder.core.trust.branches import Judgement, Verdict, judge_branches, moved_during_sync
from penholder.core.trust.roster import Roster
from penholder.core.trust.rules import Rule
from penholder.core.views.verify import Failure


@dataclass
class Source:
    label: str  # for reports and the record
    location: str  # what git fetches from
    tracking: str | None  # `refs/remotes/<name>/`, or None for a URL or a bundle
    push: bool
    skip_absent: bool = False  # a bundle carries some branches; the others are not news


class Session:
    """One fetch-verify-accept(-push) run against one source."""

    q: Quarantine
    vetting: Vetting

    def __init__(
        self,
        local: GitRepo,
        source: Source,
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
        self.root: str | None = None
        self.roster: Roster | None = None

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
            if self.trust is None:
                self.root, self.roster = local_root(q, self.local, self.local_tips)
            else:
                fingerprint, expected = self.trust
                self.root, self.roster = clone_root(
                    q, self.source.location, self.fetched, self.unfetched, fingerprint, expected
                )
            record_trusted_root(q.path, self.root)  # verify holds the quarantine to it
            self._classify()
            self.vetting = Vetting(
                q, self.local_tips, self.candidates, self.root, self.roster, self.progress
            )
            self._refuse(self.vetting.read())
            self._refuse(self.vetting.verify(pushing=self.source.push and bool(self.behind)))
            heard = self._accept()
            if self.source.push and self.behind:
                self._push()
            else:
                for branch, tip in self.behind.items():
                    self._set(branch, BranchStatus.BEHIND, remote=tip, message="not pushed")
        self._update_tracking()
        order = {status: i for i, status in enumerate(BranchStatus)}
        branches = sorted(self.results.values(), key=lambda r: (r.branch, order[r.status]))
        summary = ", ".join(
            f"{b.branch} {b.status}" for b in branches if b.status != BranchStatus.UNCHANGED
        )
        note_sync(self.local.git_dir, self.source.label, int(time.time()), heard, summary)
        return SyncReport(self.source.label, self.source.location, branches, self.root)

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

    def _set(self, branch: str, status: BranchStatus, **fields: object) -> None:
        tip = self.local_tips.get(branch)
        result = BranchResult(branch, tip, tip, status)
        for key, value in fields.items():
            setattr(result, key, value)
        self.results[branch] = result

    def _refuse(self, refused: list[Refusal]) -> None:
        for branch, tip, failures in refused:
            self._set(branch, BranchStatus.REFUSED_VERIFY, remote=tip, failures=failures)

    def _classify(self) -> None:
        """Ask the kernel what each branch update is; act on its verdicts."""
        q = self.q
        for branch, (tip, why) in sorted(self.unfetched.items()):
            self._set(
                branch,
                BranchStatus.REFUSED_VERIFY,
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
                self._set(branch, BranchStatus.UNCHANGED, remote=theirs)
            elif verdict is Verdict.BEHIND:
                self.behind[branch] = theirs
            elif verdict is Verdict.NOT_A_VERSION:
                assert theirs is not None
                failure = Failure(theirs, "", Rule.BRANCH_TIP, judgement.message)
                self._set(branch, BranchStatus.REFUSED_VERIFY, remote=theirs, failures=[failure])
            elif verdict in (Verdict.ROLLBACK, Verdict.GONE):
                self._set(
                    branch,
                    BranchStatus.REFUSED_ROLLBACK,
                    remote=theirs,
                    message=judgement.message,
                )
            else:  # rewrite, equivocation
                self._set(
                    branch,
                    BranchStatus.REFUSED_REWRITE,
                    remote=theirs,
                    message=judgement.message,
                    equivocation=verdict is Verdict.EQUIVOCATION,
                )

    def _accept(self) -> dict[str, tuple[str, int]]:
        """Bring the accepted branches' objects in from the quarantine; move each branch."""
        heard: dict[str, tuple[str, int]] = {}
        accepted = self.vetting.candidates
        if not accepted:
            return heard
        self.q.set_refs(HEADS, accepted)
        names = sorted(accepted)
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
        versions = self.vetting.versions
        for done, branch in enumerate(names, 1):
            tip = accepted[branch]
            old = self.local_tips.get(branch)
            try:
                self.local.update_ref(branch, tip, old, f"penholder sync from {self.source.label}")
            except RefMovedError:
                moved = moved_during_sync(self.judgements[branch])
                self.judgements[branch] = moved
                self._set(
                    branch,
                    BranchStatus.REFUSED_REWRITE,
                    remote=tip,
                    message=moved.message,
                    equivocation=moved.verdict is Verdict.EQUIVOCATION,
                )
                continue
            status = BranchStatus.NEW if old is None else BranchStatus.FAST_FORWARD
            self.results[branch] = BranchResult(branch, old, tip, status, remote=tip)
            self.step("accept", done, len(names))
            for sha in self.vetting.new_order[branch]:
                version = versions[sha]
                if version.actor:
                    heard[version.actor] = (sha, version.time)
            heard[branch] = (tip, versions[tip].time)
        self.local.maybe_pack()
        return heard

    def _push(self) -> None:
        pushable: dict[str, str] = {}
        for branch, theirs in sorted(self.behind.items()):
            mine = self.local_tips[branch]
            problems = self.vetting.outgoing_problems(branch, mine, self.fetched.values())
            if problems:
                self._set(
                    branch,
                    BranchStatus.BEHIND,
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
                self.results[branch] = BranchResult(
                    branch, theirs, sha, BranchStatus.PUSHED, remote=sha
                )
            else:
                self._set(
                    branch,
                    BranchStatus.BEHIND,
                    remote=theirs,
                    message=f"not pushed: {summary.strip('()')}",
                )
        self.step("push", len(pushable), len(pushable))

    def _update_tracking(self) -> None:
        prefix = self.source.tracking
        if prefix is None:
            return
        lines = []
        for branch, result in self.results.items():
            judgement = self.judgements.get(branch)
            if result.refused or judgement is None:
                continue  # a refused branch leaves what the remote was seen to show as it was
            if result.status == BranchStatus.PUSHED:
                shown = result.new
            else:
                verified = result.status in (BranchStatus.NEW, BranchStatus.FAST_FORWARD)
                shown = judgement.seen_after(verified=verified)
            if shown is None or self.tracking.get(branch) == shown:
                continue
            lines.append(f"update {prefix}{branch} {shown}\n")
        if lines:
            run_git(self.local.path, "update-ref", "--stdin", input="".join(lines).encode())
