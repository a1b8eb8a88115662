"""`penholder verify`: every version on every branch, read afresh, against every rule.

Nothing here trusts the store's cache. Objects are read in bulk (one `cat-file --batch` per
kind of object), signatures are checked in-process, and the rules are the trust kernel's. Every
failure is reported with its rule id, version and actor; verification never stops at the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from penholder.core.errors import CommitFormatError, InputError, StoreError
from penholder.core.model import Action, SignatureStatus, Version
from penholder.core.store.gitobjects import run_git
from penholder.core.store.gitrefs import HEADS, repo_hazards
from penholder.core.store.gitrepo import GitRepo
from penholder.core.store.seals import Seals
from penholder.core.store.trusted_root import TRUSTED_ROOT, trusted_root
from penholder.core.trust import sshsig
from penholder.core.trust.commit import (
    header_problems,
    parse_commit,
    unreadable_version,
    version_from_commit,
)
from penholder.core.trust.history import History
from penholder.core.trust.keylines import parse_public_key_line
from penholder.core.trust.roster import Roster, parse_roster
from penholder.core.trust.rosters import (
    check_key_owners,
    check_roster_change,
    root_signers,
    roster_for,
)
from penholder.core.trust.rules import Rule, Violation
from penholder.core.trust.tips import branch_findings, retract_findings, revocation_findings
from penholder.core.trust.versions import TreeFacts, check_version
from penholder.core.views.reader import TreeReader
from penholder.core.views.signatures import bind_key

Progress = Callable[[int, int], None]
# One version as read: sha, raw commit, version, signature, header problems, parser refusal.
_Parsed = tuple[str, bytes, Version, str | None, list[str], Violation | None]


@dataclass(frozen=True)
class Failure:
    sha: str
    actor: str
    rule: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"sha": self.sha, "actor": self.actor, "rule": self.rule, "message": self.message}


@dataclass
class Report:
    versions: int = 0
    failures: list[Failure] = field(default_factory=list)
    signatures: dict[str, SignatureStatus] = field(default_factory=dict)
    signing_keys: dict[str, bytes] = field(default_factory=dict)
    # The history as verify read and judged it (None when it stopped before reading it):
    # what a claim about agreement is computed on, so it rests on exactly what was verified.
    history: History | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "versions": self.versions,
            "failures": [f.to_json() for f in self.failures],
        }


def verify(path: Path, progress: Progress | None = None) -> Report:
    repo = GitRepo(path, hazards_ok=True)
    try:
        return verify_repo(repo, progress)
    finally:
        repo.close()


def verify_repo(repo: GitRepo, progress: Progress | None) -> Report:
    """`verify` of an open repository (sync verifies its quarantine this way)."""
    report = Report()
    tips, ref_problems = repo.read_refs()
    hazards = repo_hazards(repo.git_dir)
    for ref in hazards + ref_problems:
        owner = ref.ref[len(HEADS) :] if ref.ref.startswith(HEADS) else ""
        report.failures.append(Failure(ref.sha, owner, ref.rule, ref.message))
    if hazards:
        # Grafts or a shallow file change what git reads as history: nothing else is read.
        return report
    if not tips:
        if report.failures:
            return report
        raise StoreError(f"{repo.path} holds no branches: not a negotiation")
    shas = repo.rev_list(sorted(set(tips.values())))
    report.versions = len(shas)
    seals = Seals(len(shas))
    try:
        return _read_and_judge(repo, tips, shas, seals, report, progress)
    finally:
        seals.close()


def _read_and_judge(
    repo: GitRepo,
    tips: dict[str, str],
    shas: list[str],
    seals: Seals,
    report: Report,
    progress: Progress | None,
) -> Report:
    raws = repo.read_many(shas)
    parsed: list[_Parsed] = []
    for sha in shas:
        _, data = raws[sha]
        problem = None
        try:
            commit = parse_commit(data)
            signature, headers = commit.signature, header_problems(commit)
            try:
                version = version_from_commit(sha, commit)
            except CommitFormatError as exc:
                version, problem = unreadable_version(sha, data, str(exc)), _refusal(exc)
        except CommitFormatError as exc:
            version, problem, signature, headers = (
                unreadable_version(sha, data, str(exc)),
                _refusal(exc),
                None,
                [],
            )
        parsed.append((sha, data, version, signature, headers, problem))
        seals.add(data, signature)
    seals.finish()
    return _judge(repo, tips, parsed, seals, report, progress)


def _judge(
    repo: GitRepo,
    tips: dict[str, str],
    parsed: list[_Parsed],
    seals: Seals,
    report: Report,
    progress: Progress | None,
) -> Report:
    """Every version against every rule, once all are read."""
    fail = report.failures.append
    roots = [p for p in parsed if not p[2].parents]
    trusted = _trusted_root(repo, tips, [r[0] for r in roots])
    recorded = repo.git_dir / "penholder" / TRUSTED_ROOT
    if recorded.exists() and trusted_root(repo.git_dir) is None:
        fail(
            Failure(
                "",
                "",
                Rule.ROOT,
                "penholder/trusted-root does not hold a full sha: the root this copy trusts "
                "is unknown (clone again, or check the root with the convener)",
            )
        )
        return report
    roots.sort(key=lambda r: r[0] != trusted)
    for extra in roots[1:]:
        fail(
            Failure(
                extra[0],
                extra[2].actor,
                Rule.ROOT,
                "a second version without parents: not this negotiation's root",
            )
        )
    reader = TreeReader(repo)
    trees = reader.tree_facts({p[2].tree for p in parsed if p[2].tree})
    if roots and trusted is not None and roots[0][0] != trusted:
        fail(
            Failure(
                roots[0][0], roots[0][2].actor, Rule.ROOT, f"not the trusted root {trusted[:10]}"
            )
        )
        roots = []
    root_roster = _root_roster(repo, roots[0][2] if roots else None, trees)
    if root_roster is None and not any(f.rule == Rule.ROOT for f in report.failures):
        where = roots[0] if roots else None
        fail(
            Failure(
                where[0] if where else "",
                where[2].actor if where else "",
                Rule.ROOT,
                "the root carries no readable roster: nothing can be verified against it"
                if where
                else "no trusted root: nothing can be verified",
            )
        )
    elif root_roster is not None:
        root_problem = _root_signers_problem(repo, roots[0][2], trees, root_roster)
        if root_problem:
            fail(Failure(roots[0][0], roots[0][2].actor, Rule.SIGNERS_DERIVED, root_problem))
    history = History(root_roster)
    _judge_versions(repo, parsed, seals, history, trees, reader, report, progress)
    report.history = history
    if root_roster is not None:
        _check_branches(tips, history, report)
        _check_revocations(history, report)
        already = {(f.sha, f.rule) for f in report.failures}
        for finding in retract_findings(history):
            if (finding.sha, finding.rule) not in already:
                report.failures.append(
                    Failure(finding.sha, finding.actor, finding.rule, finding.message)
                )
    return report


def _judge_versions(
    repo: GitRepo,
    parsed: list[_Parsed],
    seals: Seals,
    history: History,
    trees: dict[str, TreeFacts],
    reader: TreeReader,
    report: Report,
    progress: Progress | None,
) -> None:
    """Every version in order, against the history of its ancestors read so far."""
    fail = report.failures.append
    root_roster = history.root_roster
    reported: set[str] = set()  # trees and blobs whose problem is reported, at their first version
    total = len(parsed)
    for done, (sha, _data, version, _signature, headers, problem) in enumerate(parsed, 1):
        roster = roster_for(version, history) if root_roster is not None else None
        actor = roster.actor(version.actor) if roster else None
        for header in headers:
            fail(Failure(sha, version.actor, Rule.COMMIT_HEADERS, header))
        status, rule, message, key_blob = bind_key(seals[done - 1], actor.key if actor else None)
        report.signatures[sha] = status
        if key_blob is not None:
            report.signing_keys[sha] = key_blob
        if rule and not (rule == Rule.SIGNATURE_KEY and actor is None):
            fail(Failure(sha, version.actor, rule, message))
        carried = None
        if version.tree in reader.tree_problems and version.tree not in reported:
            reported.add(version.tree)
            fail(Failure(sha, version.actor, *reader.tree_problems[version.tree]))
        for _name, blob, _size in getattr(trees.get(version.tree), "documents", ()):
            if blob in reader.blob_problems and blob not in reported:
                reported.add(blob)
                fail(Failure(sha, version.actor, *reader.blob_problems[blob]))
        if problem is not None:
            fail(Failure(sha, version.actor, problem.rule, problem.message))
        elif roster is not None:
            violations = []
            if version.action == Action.ROSTER:
                carried, change = _roster_change(repo, version, history, roster, trees)
                violations += change
                if carried is not None:
                    violations += check_key_owners(history, version.parents, carried)
            violations += check_version(version, history, roster, trees, carried_roster=carried)
            for violation in violations:
                fail(Failure(sha, version.actor, violation.rule, violation.message))
        if not version.parents and version.action == Action.OPEN:
            carried = root_roster
        history.add(version, roster=carried, signed=status == SignatureStatus.GOOD)
        if progress is not None and (done % 250 == 0 or done == total):
            progress(done, total)


def _refusal(exc: CommitFormatError) -> Violation:
    """The parser's refusal as a failure, under the rule id it names."""
    return Violation(str(exc.rule), str(exc))


def _roster_change(
    repo: GitRepo, version: Version, history: History, roster: Roster, trees: dict[str, TreeFacts]
) -> tuple[Roster | None, list[Violation]]:
    """The roster a `roster` version carries, and what is wrong with the change it makes."""
    facts = trees.get(version.tree)
    first = history.get(version.parents[0]) if version.parents else None
    before = trees.get(first.tree) if first else None
    if (
        facts is None
        or before is None
        or facts.roster_blob is None
        or facts.signers_blob is None
        or before.signers_blob is None
    ):
        return None, [Violation(Rule.ROSTER_CHANGE, "the roster files cannot be read")]
    try:
        carried = parse_roster(repo.read(facts.roster_blob)[1].decode("utf-8"))
    except UnicodeDecodeError:
        return None, [Violation(Rule.ROSTER_FORMAT, "the new penholder.toml is not UTF-8")]
    except (InputError, StoreError) as exc:
        return None, [Violation(Rule.ROSTER_FORMAT, f"the new penholder.toml: {exc.message}")]
    try:
        old_signers = repo.read(before.signers_blob)[1].decode("utf-8", "replace")
        new_signers = repo.read(facts.signers_blob)[1].decode("utf-8", "replace")
    except StoreError:
        return None, [Violation(Rule.ROSTER_CHANGE, "the allowed_signers files cannot be read")]
    return carried, check_roster_change(roster, carried, old_signers, new_signers)


def _check_revocations(history: History, report: Report) -> None:
    revoked = {
        key: sshsig.public_key_blob(parse_public_key_line(key)).hex()
        for sha in history.effective_anywhere()
        for _, key in history.roster_carried_by(sha).revoked
    }
    keys = {sha: blob.hex() for sha, blob in report.signing_keys.items()}
    for finding in revocation_findings(history, keys, revoked):
        report.failures.append(Failure(finding.sha, finding.actor, finding.rule, finding.message))


def _root_signers_problem(
    repo: GitRepo, root: Version, trees: dict[str, TreeFacts], roster: Roster
) -> str | None:
    facts = trees.get(root.tree)
    if facts is None or facts.signers_blob is None:
        return "the root carries no allowed_signers"
    try:
        _kind, data = repo.read(facts.signers_blob)
    except StoreError:
        return "the root's allowed_signers cannot be read"
    if data != root_signers(roster).encode("utf-8"):
        return "the root's allowed_signers is not the one its roster derives, line for line"
    return None


def _trusted_root(repo: GitRepo, tips: dict[str, str], roots: list[str]) -> str | None:
    """The root this copy trusts: as recorded at init or clone, else the root of HEAD's branch."""
    recorded = trusted_root(repo.git_dir)
    if recorded is not None or len(roots) <= 1:
        return recorded if recorded is not None else (roots[0] if roots else None)
    head = tips.get(repo.head_branch() or "")
    if head is None:
        return roots[0]
    found = run_git(repo.path, "rev-list", "--max-parents=0", head).stdout.decode("ascii").split()
    return found[0] if found else roots[0]


def _root_roster(repo: GitRepo, root: Version | None, trees: dict[str, TreeFacts]) -> Roster | None:
    if root is None:
        return None
    facts = trees.get(root.tree)
    if facts is None or facts.roster_blob is None:
        return None
    try:
        return parse_roster(repo.read(facts.roster_blob)[1].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, InputError, StoreError):
        return None


def _check_branches(tips: dict[str, str], history: History, report: Report) -> None:
    good = {sha: status == SignatureStatus.GOOD for sha, status in report.signatures.items()}
    for finding in branch_findings(tips, history, good):
        report.failures.append(Failure(finding.sha, finding.actor, finding.rule, finding.message))
