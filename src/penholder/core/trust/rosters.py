"""Roster rules: which roster judges a version, what a roster change may do, who owns a key,
and the `allowed_signers` file every tree must carry, derived from the roster history. No I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from penholder.core.model import Action, Role, Version
from penholder.core.trust.history import History
from penholder.core.trust.roster import Roster, allowed_signers_after
from penholder.core.trust.rules import Rule, Violation


def roster_for(v: Version, history: History) -> Roster:
    """The roster a version is judged by (see `roster_judging`)."""
    return roster_judging(history, v.parents, v.action, v.actor, v.refers)


def roster_judging(
    history: History, parents: Sequence[str], action: str, actor: str, refers: Sequence[str]
) -> Roster:
    """The roster in force among the ancestors, except that a receipt of a roster version by a
    key that version adds (its proof of possession) is judged by the new roster."""
    if (
        action == Action.RECEIPT
        and refers
        and refers[0] in history._roster_versions
        and actor in history.added_actors(refers[0])
    ):
        return history._roster_versions[refers[0]]
    return history.roster_in_force(parents)


def check_roster_change(
    old: Roster, new: Roster, old_signers: str, new_signers: str
) -> list[Violation]:
    """What a `roster` version may change: actors, roles, keys and rules; never the identity of
    the negotiation, never a key's history. `old_signers` is the first parent's
    allowed_signers, `new_signers` the one the version's tree carries."""
    out: list[Violation] = []

    def fail(message: str, rule: Rule = Rule.ROSTER_CHANGE) -> None:
        out.append(Violation(rule, message))

    if new.negotiation_id != old.negotiation_id:
        fail(f"changes the negotiation id to {new.negotiation_id}")
    if new.title != old.title:
        fail("changes the negotiation's title")
    if new.convener != old.convener:
        fail("changes the convener")
    if not new.ids(Role.MEDIATOR):
        fail("leaves no mediator")
    if not set(old.revoked) <= set(new.revoked):
        fail("un-revokes a key")
    revoked = {key for _, key in new.revoked}
    for actor in new.actors:
        if actor.key in revoked:
            fail(f"gives {actor.id} a revoked key", Rule.KEY_OWNER)
    if new == old:
        fail("changes nothing")
    expected = allowed_signers_after(old_signers, new)
    if new_signers != expected:
        fail(
            "allowed_signers is not the one the roster history derives (every key ever valid, "
            "each under the one actor that held it)",
            Rule.SIGNERS_DERIVED,
        )
    return out


def check_key_owners(history: History, parents: tuple[str, ...], new: Roster) -> list[Violation]:
    """A key belongs to at most one actor for the life of the negotiation, and a key that left
    the roster in force (removed or revoked) is never seated again, under any id."""
    out: list[Violation] = []
    old = history.roster_in_force(parents)
    old_keys = old.key_lines()
    ever_in_force = _keys_ever_in_force(history, parents)
    for actor in new.actors:
        owner = history.owner_of_key(actor.key)
        if owner is not None and owner != actor.id:
            out.append(
                Violation(
                    Rule.KEY_OWNER,
                    f"gives {owner}'s key to {actor.id}: a key belongs to one actor for the life "
                    "of the negotiation",
                )
            )
        elif actor.key not in old_keys and actor.key in ever_in_force:
            out.append(
                Violation(
                    Rule.KEY_OWNER,
                    f"seats again a key {actor.id} held before: a removed key is never "
                    "seated again",
                )
            )
    return out


def _keys_ever_in_force(history: History, parents: tuple[str, ...]) -> set[str]:
    return set(history.keys_ever_in_force(parents))


def root_signers(roster: Roster) -> str:
    """The allowed_signers of the root: one line per actor of the first roster."""
    return roster.allowed_signers()
