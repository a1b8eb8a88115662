"""The facts an accord certificate states.

Nothing here rests on the local cache (`versions.idx`): the history is read afresh from git and
the whole negotiation verified before a word is stated; a history that does not verify gets no
certificate. The facts: the agreed text, who signed and witnessed it — each with the key the
roster in force at that point gives it, and the roster changes that put those keys in force,
back to the trusted root (`roster_trail`) — and the road of rounds, withdrawals and
resumptions that led to it. The recipe that checks them with git alone is `recipe`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from penholder.core.errors import Hint, RefusedError, StoreError
from penholder.core.model import TEXT_ACTIONS, Action, Role, SignatureStatus, Version, document_path
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.agreement import agreement
from penholder.core.trust.roster import Roster
from penholder.core.trust.text import neutralize
from penholder.core.views.queries import iso_time
from penholder.core.views.roster_trail import (
    RosterChange,
    Signers,
    established_changes,
    roster_of,
    roster_source,
)
from penholder.core.views.signatures import signature_statuses
from penholder.core.views.verify import Report, verify

TIMELINE_ACTIONS = frozenset({Action.OPEN, Action.ROUND, Action.WITHDRAW, Action.RESUME})
_FRESH_ATTEMPTS = 3


@dataclass(frozen=True)
class Attestation:
    """One signature on the text: a party's `sign` or a mediator's `endorse`."""

    actor: str
    name: str
    role: str
    fingerprint: str  # of the key that made it: the one the roster in force there gives the actor
    time: str
    sha: str
    signature: SignatureStatus
    roster: str = ""  # the roster in force where it was made: the root or a roster version


@dataclass(frozen=True)
class TimelineEntry:
    time: str
    round: int
    actor: str
    action: str
    subject: str
    sha: str
    place: str | None
    date: str | None


@dataclass(frozen=True)
class Certificate:
    title: str
    negotiation_id: str
    root: str
    convener: str
    convener_fingerprint: str
    document: str
    version: Version
    version_signature: SignatureStatus
    text: str
    text_sha256: str
    agreed: bool
    signatures: tuple[Attestation, ...]
    endorsements: tuple[Attestation, ...]
    timeline: tuple[TimelineEntry, ...]
    missing_signers: tuple[str, ...]
    text_blob: str = ""
    version_roster: str = ""
    version_fingerprint: str = ""
    rosters: tuple[RosterChange, ...] = ()
    missing_endorsements: int = 0

    @property
    def path(self) -> str:
        return document_path(self.document)


def build_certificate(
    negotiation: Negotiation, version: Version, *, draft: bool = False
) -> Certificate:
    """The certificate of a text version, from a fresh read of git (the negotiation given is
    only where to look: its cache is never evidence)."""
    return certify(negotiation.path, version.sha, draft=draft)


def certify(path: Path, sha: str, *, draft: bool = False) -> Certificate:
    """Gather the certificate of a text version from git, read afresh and verified whole;
    refuse a history that does not verify, and a text that is not agreed unless `draft`."""
    fresh = _fresh(path)
    try:
        return _certify(fresh, sha, draft)
    finally:
        fresh.close()


def _fresh(path: Path) -> Negotiation:
    """The negotiation read from git without the cache, and verified over the same tips."""
    for _attempt in range(_FRESH_ATTEMPTS):
        fresh = Negotiation(path, use_cache=False)
        try:
            report = verify(path)
            if fresh.repo.branches() != fresh.tips:
                fresh.close()
                continue  # a branch moved while we read: read again
        except BaseException:
            fresh.close()
            raise
        if not report.ok:
            fresh.close()
            _refuse_unverified(report)
        return fresh
    raise StoreError("the branches kept moving while the certificate was read: try again")


def _refuse_unverified(report: Report) -> None:
    first = report.failures[0]
    more = len(report.failures) - 1
    detail = " ".join(neutralize(first.message).split())
    raise RefusedError(
        f"the history does not verify ({first.sha[:10]} {neutralize(first.actor)}: {detail}"
        + (f"; {more} more" if more else "")
        + "): nothing is certified until `penholder verify` passes",
        rule=str(first.rule),
    )


def _certify(fresh: Negotiation, sha: str, draft: bool) -> Certificate:
    history = fresh.history
    version = history.get(sha)
    if version is None:
        raise RefusedError(
            f"{sha[:10]} is not a version on any branch of this negotiation",
            rule="certificate-kind",
        )
    if not version.is_text or not version.document:
        raise RefusedError(
            f"{version.short} is a {neutralize(version.action)}, not a text version: "
            "name the version signed",
            rule="certificate-kind",
        )
    found = agreement(history, version.sha)
    if not found.agreed and not draft:
        raise RefusedError(
            f"{version.short} is not agreed (every party must sign it and the mediator quorum "
            "endorse it); a certificate marked DRAFT can be asked for",
            rule="not-agreed",
            hint=Hint.ALLOW_DRAFT,
        )
    root = fresh.root.sha
    root_roster = history.root_roster
    assert root_roster is not None
    signers = Signers(fresh)
    rosters = established_changes(history, root, signers)
    established = {root} | {r.sha for r in rosters}
    text_roster = found.roster

    signs = dict(found.signs)
    endorses = dict(found.endorsements)
    if not found.agreed:  # a draft lists the standing attestations only
        signs = {a: s for a, s in signs.items() if not history.is_retracted(s)}
        endorses = {a: s for a, s in endorses.items() if not history.is_retracted(s)}
    attesting = [version.sha, *signs.values(), *endorses.values()]
    signers.load(attesting)
    statuses = signature_statuses(fresh.path, attesting, text_roster, history)

    def made_under(v: Version) -> tuple[str, Roster]:
        source = roster_source(history, v.parents, root)
        if source not in established:
            raise RefusedError(
                f"{v.short}: the roster change in force there cannot be established from the root",
                rule="certificate-roster",
            )
        return source, roster_of(history, source, root)

    def attestation(w_sha: str) -> Attestation:
        w = history.version(w_sha)
        source, roster = made_under(w)
        actor = roster.actor(w.actor)
        if actor is None:  # verify passed, so the actor is on the roster in force there
            raise RefusedError(f"{w.short}: {w.actor} is not on the roster", rule="actor-unknown")
        at_text = text_roster.actor(w.actor)
        return Attestation(
            w.actor,
            actor.name,
            at_text.role if at_text is not None else actor.role,
            signers.of(w.sha, roster, w.actor),
            iso_time(w.time),
            w.sha,
            statuses[w.sha],
            source,
        )

    signatures = tuple(attestation(s) for s in signs.values())
    endorsements = tuple(attestation(s) for s in endorses.values())
    version_roster, made_roster = made_under(version)
    timeline = []
    for v in history.versions_in_order():
        relevant = v.action in TIMELINE_ACTIONS or (
            v.action in TEXT_ACTIONS and v.document == version.document
        )
        if relevant and history.is_ancestor(v.sha, version.sha):
            timeline.append(
                TimelineEntry(
                    iso_time(v.time), v.round, v.actor, v.action, v.subject, v.sha, v.place, v.date
                )
            )
    text = fresh.text_of(version)
    blob = _blob_of(fresh, version)
    convener = root_roster.actor(root_roster.convener)
    if convener is None:
        raise RefusedError("the root's roster names no convener", rule="root")
    return Certificate(
        title=text_roster.title,
        negotiation_id=text_roster.negotiation_id,
        root=root,
        convener=convener.id,
        convener_fingerprint=convener.fingerprint,
        document=version.document,
        version=version,
        version_signature=statuses[version.sha],
        text=text,
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        agreed=found.agreed,
        signatures=signatures,
        endorsements=endorsements,
        timeline=tuple(timeline),
        missing_signers=tuple(p for p in text_roster.ids(Role.PARTY) if p not in signs),
        text_blob=blob,
        version_roster=version_roster,
        version_fingerprint=signers.of(version.sha, made_roster, version.actor),
        rosters=rosters,
        missing_endorsements=found.missing_endorsements,
    )


def _blob_of(fresh: Negotiation, version: Version) -> str:
    facts = fresh.tree_facts(version.tree)
    for name, blob, _size in facts.documents:
        if name == version.document:
            return blob
    raise StoreError(f"version {version.short} carries no {version.document}")
