"""The roster changes a certificate names: every one in effect, each after what it rests on,
with the endorsements and receipts that put it in effect, and the key that made each version
(read from its own signature, and required to be the one the roster in force gives its actor)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from penholder.core.errors import CommitFormatError, RefusedError
from penholder.core.model import Action, Role
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.commit import parse_commit
from penholder.core.trust.history import History
from penholder.core.trust.keylines import fingerprint_of_line
from penholder.core.trust.roster import Roster
from penholder.core.views.signatures import signing_key_blob


@dataclass(frozen=True)
class RosterMark:
    """An `endorse` of a roster change by a mediator of the roster it replaces, or a `receipt`
    of it by a key it adds (proof of possession)."""

    action: str
    actor: str
    sha: str
    roster: str  # the roster whose key for the actor made it
    fingerprint: str


@dataclass(frozen=True)
class RosterChange:
    """A roster version in effect, the roster it replaces, and what put it in effect."""

    sha: str
    actor: str
    prior: str
    fingerprint: str
    changes: tuple[str, ...]
    marks: tuple[RosterMark, ...]


def roster_source(history: History, parents: Iterable[str], root: str) -> str:
    """The roster version in force among these ancestors, or the root (its roster)."""
    newest, _ = history.newest_in_effect(list(parents))
    return root if newest is None else newest


def roster_of(history: History, source: str, root: str) -> Roster:
    if source == root:
        assert history.root_roster is not None
        return history.root_roster
    return history.roster_carried_by(source)


def fingerprint_of_blob(blob: bytes) -> str:
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


class Signers:
    """The fingerprint of the key that made each version, read from its own signature."""

    def __init__(self, negotiation: Negotiation) -> None:
        self.negotiation = negotiation
        self.found: dict[str, str] = {}

    def load(self, shas: Iterable[str]) -> None:
        wanted = sorted({s for s in shas if s not in self.found})
        for sha, (_kind, data) in self.negotiation.repo.read_many(wanted).items():
            try:
                blob = signing_key_blob(parse_commit(data).signature)
            except CommitFormatError:
                blob = None
            self.found[sha] = fingerprint_of_blob(blob) if blob is not None else ""

    def of(self, sha: str, roster: Roster, actor: str) -> str:
        """The fingerprint of the key that made `sha`, which must be `actor`'s in `roster`."""
        self.load([sha])
        held = roster.actor(actor)
        made = self.found[sha]
        if held is None or held.fingerprint != made:
            raise RefusedError(
                f"{sha[:10]} was not made with the key the roster in force gives {actor}",
                rule="signature-key",
            )
        return made


def describe_change(old: Roster, new: Roster) -> tuple[str, ...]:
    out = []
    before = {a.id: a for a in old.actors}
    after = {a.id: a for a in new.actors}
    for actor in new.actors:
        was = before.get(actor.id)
        if was is None:
            out.append(f"seats {actor.id} ({actor.role}, key {actor.fingerprint})")
            continue
        if was.key != actor.key:
            out.append(f"rotates {actor.id}'s key {was.fingerprint} to {actor.fingerprint}")
        if was.role != actor.role:
            out.append(f"makes {actor.id} a {actor.role} (was a {was.role})")
    out += [f"removes {a.id} (key {a.fingerprint})" for a in old.actors if a.id not in after]
    revoked_before = set(old.revoked)
    for actor_id, key in new.revoked:
        if (actor_id, key) not in revoked_before:
            out.append(f"revokes {actor_id}'s key {fingerprint_of_line(key)}")
    if old.rules != new.rules:
        out.append("changes the rules")
    return tuple(out) or ("restates the roster",)


def established_changes(history: History, root: str, signers: Signers) -> tuple[RosterChange, ...]:
    """Every roster version in effect anywhere, each after what it rests on (the roster it
    replaces, the rosters its marks were made under), with the marks that put it in effect."""
    candidates = sorted(history.effective_anywhere(), key=lambda s: (history.generation(s), s))
    marks: dict[str, list[RosterMark]] = {}
    signers.load([*candidates, *(w.sha for r in candidates for w in history.referring(r))])
    for r in candidates:
        old = history.roster_before(r)
        mediators = set(old.ids(Role.MEDIATOR))
        added = history.added_actors(r)
        found = []
        for w in history.referring(r):
            if not history.on_line(w.sha) or w.refers != (r,):
                continue
            if w.action == Action.ENDORSE and w.actor in mediators:
                source = roster_source(history, w.parents, root)
                roster = roster_of(history, source, root)
            elif w.action == Action.RECEIPT and w.actor in added:
                source, roster = r, history.roster_carried_by(r)
            else:
                continue
            found.append(
                RosterMark(w.action, w.actor, w.sha, source, signers.of(w.sha, roster, w.actor))
            )
        marks[r] = found
    trusted = {root}
    out: list[RosterChange] = []
    pending = list(candidates)
    while pending:
        for r in pending:
            v = history.version(r)
            prior = roster_source(history, v.parents, root)
            if prior not in trusted:
                continue
            usable = tuple(m for m in marks[r] if m.roster in trusted or m.roster == r)
            old = history.roster_before(r)
            endorsers = {m.actor for m in usable if m.action == Action.ENDORSE}
            receipted = {m.actor for m in usable if m.action == Action.RECEIPT}
            if len(endorsers) < max(old.quorum, 1) or not history.added_actors(r) <= receipted:
                continue
            prior_roster = roster_of(history, prior, root)
            out.append(
                RosterChange(
                    r,
                    v.actor,
                    prior,
                    signers.of(r, prior_roster, v.actor),
                    describe_change(old, history.roster_carried_by(r)),
                    usable,
                )
            )
            trusted.add(r)
            pending.remove(r)
            break
        else:
            break  # what is left rests on something that cannot be established: leave it out
    return tuple(out)
