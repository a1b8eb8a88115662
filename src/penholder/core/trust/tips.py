"""Rules over a whole history, judged once every version is in: each branch is its owner's,
a revoked key signs nothing outside what its revocation took in, and what is final stays final
whatever view a retract was written from. No I/O.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

from penholder.core.model import Action, Version
from penholder.core.trust.agreement import may_be_agreed
from penholder.core.trust.history import History
from penholder.core.trust.roster import Roster
from penholder.core.trust.rules import Rule, Violation


@dataclass(frozen=True)
class Finding:
    """A violation pinned to one version (sha) and the actor it claims."""

    sha: str
    actor: str
    rule: Rule
    message: str


def branch_findings(
    tips: Mapping[str, str], history: History, good: Mapping[str, bool]
) -> list[Finding]:
    """Every branch is named after an actor some roster of the history seated; its tip is a
    version by that actor whose signature is good (`good`); and every version by an actor is an
    ancestor of the actor's branch tip (an actor cannot show two histories to two sides)."""
    out: list[Finding] = []
    known = {
        a.id
        for r in [history.root_roster, *history._roster_versions.values()]
        if r
        for a in r.actors
    }
    for branch, tip in sorted(tips.items()):
        tip_version = history.version(tip)
        if branch not in known:
            out.append(
                Finding(
                    tip,
                    tip_version.actor,
                    Rule.BRANCH_UNKNOWN,
                    f"branch {branch!r} is not an actor's",
                )
            )
            continue
        if tip_version.actor != branch or not good.get(tip, False):
            out.append(
                Finding(
                    tip,
                    tip_version.actor,
                    Rule.BRANCH_TIP,
                    f"branch {branch} points at a version not signed by {branch}",
                )
            )
    reach: dict[str, set[str]] = {}
    for actor, shas in history._by_actor.items():
        actor_tip = tips.get(actor)
        for sha in shas:
            if actor_tip is None:
                owned = False
            elif sha in history._line_number:
                owned = history.is_ancestor(sha, actor_tip)
            else:
                if actor not in reach:
                    reach[actor] = set(history.ancestors([actor_tip]))
                owned = sha in reach[actor]
            if not owned:
                out.append(
                    Finding(
                        sha,
                        actor,
                        Rule.BRANCH_ANCESTRY,
                        f"a version by {actor} that is not on {actor}'s branch",
                    )
                )
    return out


def revocation_findings(
    history: History, signing_keys: Mapping[str, str], revoked_key_of: Mapping[str, str]
) -> list[Finding]:
    """Revocation is positional and holds for the key, whatever id it appears under: a version
    signed with a revoked key counts only as an ancestor of the roster version that revoked it,
    whatever date it claims. `signing_keys` maps each version to an identifier of the key that
    signed it; `revoked_key_of` maps a revoked key line to the same identifier."""
    out: list[Finding] = []
    by_key: dict[str, list[str]] = {}
    for sha, key in signing_keys.items():
        by_key.setdefault(key, []).append(sha)
    for sha in history.effective_anywhere():
        before = set(history.roster_before(sha).revoked)
        for _actor_id, key in set(history.roster_carried_by(sha).revoked) - before:
            for version_sha in by_key.get(revoked_key_of.get(key, key), ()):
                if not history.is_ancestor(version_sha, sha):
                    out.append(
                        Finding(
                            version_sha,
                            history.version(version_sha).actor,
                            Rule.REVOKED_KEY,
                            f"signed with a key revoked by roster version {sha[:10]}, and not "
                            "an ancestor of it",
                        )
                    )
    return out


def retract_findings(history: History) -> list[Finding]:
    """A text agreed anywhere in the history, a signature or endorsement such an agreement
    counts, or an endorsement of a roster change in effect anywhere, cannot be retracted, whatever view the retract was
    written from: a retract whose parents leave out the other attestations is judged valid in
    its own view, and only the whole history shows that what it takes back is final."""
    out: list[Finding] = []
    effective = set(history.effective_anywhere())
    agreed: dict[str, bool] = {}
    for v in history.versions_in_order():
        if v.action != Action.RETRACT or not v.refers or v.refers[0] not in history:
            continue
        target = history.version(v.refers[0])
        if target.is_text:
            # A text taken back while unanswered in the retract's view, but agreed anywhere.
            if target.sha not in agreed:
                agreed[target.sha] = may_be_agreed(history, target.sha)
            if agreed[target.sha]:
                out.append(
                    Finding(
                        v.sha,
                        v.actor,
                        Rule.RETRACT,
                        f"retracts {target.action} {target.sha[:10]}, which is agreed",
                    )
                )
            continue
        if target.action not in (Action.SIGN, Action.ENDORSE) or not target.refers:
            continue
        subject = history.get(target.refers[0])
        if subject is None:
            continue
        if subject.action == Action.ROSTER:
            final = subject.sha in effective
            why = "has taken effect: its endorsements stand"
        else:
            # Final when some agreeing set counts the attestation taken back (one the
            # retract's own past had already taken out of every such set is not).
            if target.sha not in agreed:
                agreed[target.sha] = may_be_agreed(history, subject.sha, counting=target.sha)
            final = agreed[target.sha]
            why = "is agreed: its signatures stand"
        if final:
            out.append(
                Finding(
                    v.sha,
                    v.actor,
                    Rule.RETRACT,
                    f"retracts {target.action} {target.sha[:10]}, but {subject.action} "
                    f"{subject.sha[:10]} {why}",
                )
            )
    return out


def retracts_voided_by(
    history: History, candidate: Version, carried_roster: Roster | None = None
) -> list[Violation]:
    """What a writer must not do: add a sign, endorse (or, for a roster change, the receipt
    proving an added key) that, together with what it already holds, completes an agreement
    (or puts a roster change in effect) counting an attestation whose retract it holds. The retract was valid where it was made; the new attestation
    would make it void. Agreement and roster effects are final, so the writer is refused
    instead: the attestation taken back stays taken back, and the text needs a new version."""
    if (
        candidate.action not in (Action.SIGN, Action.ENDORSE, Action.RECEIPT)
        or not candidate.refers
    ):
        return []
    target = candidate.refers[0]
    retracted = [
        w.sha
        for w in history.referring(target)
        if w.action in (Action.SIGN, Action.ENDORSE) and history.retracts_of(w.sha)
    ]
    if not retracted:
        return []
    before = {(f.sha, f.rule) for f in retract_findings(history)}
    trial = copy.deepcopy(history)
    trial.add(candidate, roster=carried_roster)
    out = []
    for finding in retract_findings(trial):
        if (finding.sha, finding.rule) in before:
            continue
        retract = history.version(finding.sha)
        out.append(
            Violation(
                Rule.RETRACT,
                f"{retract.actor} took back its {history.version(retract.refers[0]).action} "
                f"of {target[:10]} ({finding.sha[:10]}): this {candidate.action} would count "
                "it; a new version of the text is needed",
            )
        )
    return out


def revocations_voided_by(
    history: History, candidate: Version, carried_roster: Roster | None = None
) -> list[Violation]:
    """What an actor must not do: prove possession of its new key (its `receipt` of a roster
    change that revokes its current key) while it holds versions it signed with that key
    that are not in the change's past. Once the change takes effect those versions fail
    (`revoked-key`: revocation is positional), though each was signed with the key then in
    force; the actor, not a mediator, is the one who can tell, so its proof is refused and
    the mediators write a change that descends from those versions. A thief's versions never
    block a revocation: only the key's owner is asked."""
    if candidate.action != Action.RECEIPT or not candidate.refers:
        return []
    change = candidate.refers[0]
    new = history._roster_versions.get(change)
    if new is None or not new.revoked:
        return []
    newly_revoked = set(new.revoked) - set(history.roster_before(change).revoked)
    for _actor_id, key in sorted(newly_revoked):
        if history.owner_of_key(key) != candidate.actor:
            continue
        for sha in history.versions_by(candidate.actor):
            v = history.version(sha)
            if not history.on_line(sha) or history.is_ancestor(sha, change):
                continue
            held = history.roster_in_force(v.parents).actor(candidate.actor)
            if held is not None and held.key == key:
                return [
                    Violation(
                        Rule.REVOKED_KEY,
                        f"roster change {change[:10]} revokes the key {candidate.actor} "
                        f"signed {v.action} {sha[:10]} with, and that version is not in the "
                        "change's past: once it takes effect, it fails. Ask the mediators for "
                        "a roster change that descends from it, and prove the new key there",
                    )
                ]
    return []
