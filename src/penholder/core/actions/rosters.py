"""Roster changes: building the new roster for one change (seat, remove, new key, revoke),
what it changes, what makes it take effect, and the roster versions still waiting.

A roster change is addressed to the mediators (the signer excepted), from the CLI and the app
alike: they are the ones whose endorsements make it take effect, so it reaches their inboxes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from penholder.core.actions.addressing import check_may_act, default_recipients
from penholder.core.actions.plans import Plan
from penholder.core.errors import InputError
from penholder.core.model import Action, Version
from penholder.core.trust.history import History
from penholder.core.trust.keylines import check_actor_id, fingerprint_of_line, parse_public_key_line
from penholder.core.trust.roster import ROLES, Actor, Roster


class Change(StrEnum):
    SEAT = "add"
    REMOVE = "remove"
    ROTATE = "rotate"
    REVOKE = "revoke"


@dataclass(frozen=True)
class RosterChange:
    """The roster after one change, and the subject it is signed with by default."""

    roster: Roster
    subject: str


def key_line(value: str) -> str:
    """A public key line, checked (`ssh-ed25519 AAAA…`), without its comment."""
    parse_public_key_line(value.strip())
    return " ".join(value.split()[:2])


def _changed(
    roster: Roster, actors: list[Actor], revoked: tuple[tuple[str, str], ...] | None = None
) -> Roster:
    return replace(
        roster, actors=tuple(actors), revoked=roster.revoked if revoked is None else revoked
    )


def build_change(
    kind: Change,
    current: Roster,
    target: str | None,
    *,
    actor_id: str = "",
    name: str = "",
    role: str = "observer",
    key: str = "",
) -> RosterChange:
    """The new roster for one change of `current` (InputError `roster-change` when it makes no
    sense). `target` is the actor removed, given a new key or revoked; a seat names the new
    actor; a revocation may give a replacement key (none: the actor leaves the table)."""
    if kind == Change.SEAT:
        check_actor_id(actor_id)
        if current.actor(actor_id):
            raise InputError(f"{actor_id} is already on the roster", rule="roster-change")
        if not name.strip():
            raise InputError("give the actor's name", rule="roster-change")
        if role not in ROLES:
            raise InputError(f"role is one of {', '.join(ROLES)}", rule="roster-change")
        seated = Actor(actor_id, name.strip(), role, key_line(key))
        return RosterChange(
            _changed(current, [*current.actors, seated]),
            f"Seat {seated.name} ({actor_id}) as {role}",
        )
    found = current.actor(target or "")
    if found is None:
        raise InputError(f"{target} is not on the roster", rule="roster-change")
    if kind == Change.REMOVE:
        return RosterChange(
            _changed(current, [a for a in current.actors if a.id != found.id]),
            f"Remove {found.id} from the roster",
        )
    if kind == Change.ROTATE:
        line = key_line(key)
        if line == found.key:
            raise InputError(f"{found.id} holds this key already", rule="roster-change")
        actors = [replace(a, key=line) if a.id == found.id else a for a in current.actors]
        return RosterChange(_changed(current, actors), f"Rotate the key of {found.id}")
    actors = [a for a in current.actors if a.id != found.id]
    if key.strip():
        actors.append(replace(found, key=key_line(key)))
    return RosterChange(
        _changed(current, actors, (*current.revoked, (found.id, found.key))),
        f"Revoke the key of {found.id}",
    )


def roster_plan(roster: Roster, actor: str, change: RosterChange) -> Plan:
    """A roster version by `actor` (a mediator): addressed to the mediators."""
    check_may_act(roster, actor, Action.ROSTER)
    return Plan(
        Action.ROSTER,
        actor,
        None,
        subject=change.subject,
        recipients=default_recipients(roster, actor, Action.ROSTER),
        choose_recipients=True,
    )


def roster_changes(old: Roster, new: Roster) -> list[str]:
    """What a new roster changes, one entry each (seated, removed, new key, revoked)."""
    lines: list[str] = []
    newly_revoked = [r for r in new.revoked if r not in old.revoked]
    revoked_ids = {actor for actor, _ in newly_revoked}
    for actor in new.actors:
        before = old.actor(actor.id)
        if before is None:
            lines.append(
                f"+ seats {actor.id} ({actor.role}) “{actor.name}”\n  key {actor.fingerprint}"
            )
            continue
        if before.key != actor.key and actor.id not in revoked_ids:
            lines.append(f"↻ new key for {actor.id}: {before.fingerprint} → {actor.fingerprint}")
        if before.role != actor.role:
            lines.append(f"~ {actor.id}: role {before.role} → {actor.role}")
        if before.name != actor.name:
            lines.append(f"~ {actor.id}: name “{before.name}” → “{actor.name}”")
    for actor_id, key in newly_revoked:
        after = new.actor(actor_id)
        tail = f"\n  new {after.fingerprint}" if after else "\n  and it leaves the table"
        lines.append(f"✗ revokes the key of {actor_id}\n  old {fingerprint_of_line(key)}{tail}")
    for actor in old.actors:
        if new.actor(actor.id) is None and actor.id not in revoked_ids:
            lines.append(f"− removes {actor.id} ({actor.role}); its past versions stand")
    return lines


def added_keys(old: Roster, new: Roster) -> list[str]:
    """Actors whose key the new roster adds: each must receipt the roster version with it."""
    keys = old.key_lines()
    return [a.id for a in new.actors if a.key not in keys]


def effect_note(old: Roster, new: Roster) -> str:
    """What makes a roster version take effect (DESIGN.md, Trust)."""
    mediators = ", ".join(old.ids("mediator")) or "none"
    added = added_keys(old, new)
    receipts = (
        f", and {', '.join(added)} receipt{'s' if len(added) == 1 else ''} it with the new key"
        if added
        else ""
    )
    return (
        f"It takes effect once {old.quorum} of the mediators ({mediators}) endorse it{receipts}; "
        "until then the old roster rules."
    )


@dataclass(frozen=True)
class PendingRoster:
    """A roster version that has not taken effect anywhere yet, and what it waits for."""

    version: Version
    changes: tuple[str, ...]
    endorsed: tuple[str, ...]
    needed: int
    receipts_missing: tuple[str, ...]


def pending_rosters(history: History) -> list[PendingRoster]:
    """Roster versions, neither in effect anywhere nor retracted, in the order they came."""
    effective = set(history.effective_anywhere())
    out = []
    for sha in history.roster_changes():
        if sha in effective or sha not in history or history.is_retracted(sha):
            continue
        old, new = history.roster_before(sha), history.roster_carried_by(sha)
        marks = [w for w in history.referring(sha) if not history.is_retracted(w.sha)]
        endorsed = sorted(
            {w.actor for w in marks if w.action == Action.ENDORSE} & set(old.ids("mediator"))
        )
        receipted = {w.actor for w in marks if w.action == Action.RECEIPT}
        missing = sorted(history.added_actors(sha) - receipted)
        out.append(
            PendingRoster(
                history.version(sha),
                tuple(roster_changes(old, new)),
                tuple(endorsed),
                old.quorum,
                tuple(missing),
            )
        )
    return out
