"""The root a sync holds what arrives to, and its roster: the one this copy trusts, or, for a
clone, the one whose convener's key has the fingerprint given out of band."""

from __future__ import annotations

from penholder.core.errors import CommitFormatError, Hint, PenholderError, StoreError, SyncError
from penholder.core.model import SignatureStatus
from penholder.core.store.gitrepo import GitRepo
from penholder.core.store.trees import read_tree_facts
from penholder.core.store.trusted_root import trusted_root
from penholder.core.sync.quarantine import Quarantine
from penholder.core.trust.commit import parse_commit
from penholder.core.trust.roster import Roster, parse_roster
from penholder.core.views.signatures import signature_status


def local_root(q: Quarantine, local: GitRepo, local_tips: dict[str, str]) -> tuple[str, Roster]:
    """The root of the negotiation held here: recorded at init or clone, else its one root."""
    recorded = trusted_root(local.git_dir)
    roots = [recorded] if recorded else q.roots(local_tips.values())
    if len(roots) != 1:
        raise SyncError(
            f"{local.path} has {len(roots)} roots and no trusted root: run `penholder verify`",
            rule="sync-local",
        )
    return roots[0], roster_at(q.repo, roots[0])


def clone_root(
    q: Quarantine,
    location: str,
    fetched: dict[str, str],
    unfetched: dict[str, tuple[str | None, str]],
    fingerprint: str,
    expected_root: str | None,
) -> tuple[str, Roster]:
    """The root a clone trusts: a root of what was fetched (`expected_root`, when given) signed
    by its convener with a key of this `fingerprint`; exactly one must be."""
    if not fetched:
        if unfetched:
            branch, (_tip, why) = sorted(unfetched.items())[0]
            raise SyncError(
                f"no branch of {location} could be fetched: {branch}: {why}", rule="sync-fetch"
            )
        raise SyncError(f"{location} holds no branches", rule="clone-empty")
    commits = [s for s, k in q.kinds(fetched.values()).items() if k == "commit"]
    roots = q.roots(commits)
    if expected_root is not None:
        if expected_root not in roots:
            shown = ", ".join(r[:10] for r in roots) or "none"
            raise SyncError(
                f"the root is not {expected_root} (the remote shows {shown})", rule="clone-root"
            )
        roots = [expected_root]
    matching = []
    found = []
    for root in roots:
        try:
            roster = roster_at(q.repo, root)
        except PenholderError:
            continue
        convener = roster.actor(roster.convener)
        found.append(convener.fingerprint if convener else "?")
        if (
            convener is not None
            and convener.fingerprint == fingerprint
            and _signed_by(q.repo, root, convener.key)
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
            "the remote holds several roots by that convener; name the one trusted",
            rule="clone-root",
            hint=Hint.EXPECT_ROOT,
        )
    return matching[0]


def _signed_by(repo: GitRepo, sha: str, key: str) -> bool:
    """Whether the version `sha` carries a good signature by `key` (an unsigned or forged
    copy of the root is no candidate for the root)."""
    try:
        raw = repo.read(sha)[1]
        signature = parse_commit(raw).signature
    except (CommitFormatError, StoreError):
        return False
    return signature_status(raw, signature, key)[0] == SignatureStatus.GOOD


def roster_at(repo: GitRepo, root: str) -> Roster:
    """The roster the root `root` carries; a SyncError when it cannot be read."""
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
