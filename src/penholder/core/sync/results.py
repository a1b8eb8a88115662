"""What a sync did to each branch, and to the whole negotiation: the values the front ends paint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from penholder.core.trust.rules import Rule
from penholder.core.views.verify import Failure

# (stage, done, total): stages are fetch, verify, accept and push.
Progress = Callable[[str, int, int], None]


class BranchStatus(StrEnum):
    """What happened to one branch, in the order a branch's results sort."""

    UNCHANGED = "unchanged"
    FAST_FORWARD = "fast-forward"
    PUSHED = "pushed"
    BEHIND = "behind"
    REFUSED_ROLLBACK = "refused-rollback"
    REFUSED_REWRITE = "refused-rewrite"
    REFUSED_VERIFY = "refused-verify"
    NEW = "new"


# Each status by its own name too, as `re` exports its flags: the front ends spell them so.
UNCHANGED = BranchStatus.UNCHANGED
FAST_FORWARD = BranchStatus.FAST_FORWARD
PUSHED = BranchStatus.PUSHED
BEHIND = BranchStatus.BEHIND
REFUSED_ROLLBACK = BranchStatus.REFUSED_ROLLBACK
REFUSED_REWRITE = BranchStatus.REFUSED_REWRITE
REFUSED_VERIFY = BranchStatus.REFUSED_VERIFY
NEW = BranchStatus.NEW
REFUSED = frozenset({REFUSED_ROLLBACK, REFUSED_REWRITE, REFUSED_VERIFY})
# Rule ids of a refused branch, for one-line reports.
STATUS_RULES = {
    BranchStatus.REFUSED_ROLLBACK: Rule.SYNC_ROLLBACK,
    BranchStatus.REFUSED_REWRITE: Rule.SYNC_REWRITE,
    BranchStatus.REFUSED_VERIFY: Rule.SYNC_VERIFY,
}


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
    status: BranchStatus
    remote: str | None = None
    failures: list[Failure] = field(default_factory=list)
    message: str = ""
    equivocation: bool = False  # refused as a rewrite: one actor showed two histories

    @property
    def refused(self) -> bool:
        return self.status in REFUSED

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
