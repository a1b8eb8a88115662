"""Who may take which action, and who may address whom (DESIGN.md, Actions).

The store's kernel judges every version it signs; these answer the same questions before a key
is unlocked, with the kernel's rule ids, so a front end can refuse early and offer only what the
rules allow (tests/test_actions.py holds them to the kernel's verdicts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from penholder.core.errors import RefusedError
from penholder.core.model import ROLE_ACTIONS, TEXT_ACTIONS, Action
from penholder.core.trust.roster import Roster

# Actions whose recipients the actor chooses (others have fixed recipients, or none).
CHOSEN_RECIPIENTS = frozenset(
    {
        Action.PROPOSE,
        Action.AMEND,
        Action.FORWARD,
        Action.CONSOLIDATE,
        Action.COMMENT,
        Action.ROSTER,
    }
)
# Actions addressed by default to the mediators (the actor itself excepted).
TO_MEDIATORS = frozenset(
    {
        Action.PROPOSE,
        Action.AMEND,
        Action.CONSOLIDATE,
        Action.COMMENT,
        Action.WITHDRAW,
        Action.ROSTER,
    }
)
# Actions addressed by default to everyone at the table (the actor itself excepted).
TO_EVERYONE = frozenset({Action.RESUME, Action.ROUND})


@dataclass(frozen=True)
class Addressee:
    """Another actor of the roster, and whether the actor may address it (`why` not)."""

    actor: str
    allowed: bool
    why: str = ""


def role_of(roster: Roster, actor: str | None) -> str | None:
    found = roster.actor(actor) if actor else None
    return found.role if found else None


def may_act(roster: Roster, actor: str | None, action: Action) -> bool:
    """Whether the actor's role allows the action (its turn is the store's to judge)."""
    role = role_of(roster, actor)
    return role is not None and action in ROLE_ACTIONS.get(role, frozenset())


def check_may_act(roster: Roster, actor: str, action: Action) -> None:
    """Refuse (`actor-unknown`, `role-action`) an action the actor's role does not allow."""
    role = role_of(roster, actor)
    if role is None:
        raise RefusedError(f"{actor} is not on the roster", rule="actor-unknown")
    if not may_act(roster, actor, action):
        raise RefusedError(f"a {role} may not {action.value}", rule="role-action")


def address_problem(roster: Roster, actor: str, recipient: str) -> tuple[str, str] | None:
    """(rule, why) when `actor` may not address `recipient`, else None: a party addresses the
    roles of `[rules] party_may_address` (the mediators), an observer nobody, a mediator anyone;
    nobody addresses itself or someone off the roster."""
    me, other = roster.actor(actor), roster.actor(recipient)
    if me is None:
        return "actor-unknown", f"{actor} is not on the roster"
    if other is None:
        return "recipient-unknown", f"recipient {recipient!r} is not on the roster"
    if recipient == actor:
        return "route", f"{actor} addresses itself"
    if me.role == "observer":
        return "route", "an observer addresses nobody"
    if me.role == "party" and other.role not in roster.rules.party_may_address:
        allowed = " or ".join(f"{r}s" for r in roster.rules.party_may_address) or "nobody"
        return "route", f"a party addresses {allowed} only, not the {other.role} {recipient}"
    return None


def addressees(roster: Roster, actor: str) -> list[Addressee]:
    """Every other actor of the roster, in roster order, and whether `actor` may address it."""
    out = []
    for other in roster.ids():
        if other == actor:
            continue
        problem = address_problem(roster, actor, other)
        out.append(Addressee(other, problem is None, problem[1] if problem else ""))
    return out


def check_recipients(
    roster: Roster, actor: str, action: Action, to: Sequence[str]
) -> tuple[str, ...]:
    """The recipients, checked against the addressing rules (`route`, `recipient-unknown`,
    `recipients-missing`); raises RefusedError on the first problem."""
    recipients = tuple(to)
    if len(set(recipients)) != len(recipients):
        raise RefusedError("a recipient is named twice", rule="route")
    for recipient in recipients:
        problem = address_problem(roster, actor, recipient)
        if problem is not None:
            raise RefusedError(problem[1], rule=problem[0])
    if action in TEXT_ACTIONS and not recipients:
        raise RefusedError(
            f"a {action.value} must be addressed to someone", rule="recipients-missing"
        )
    return recipients


def chooses_recipients(action: Action) -> bool:
    """Whether the actor chooses the recipients of this action (else they are fixed)."""
    return action in CHOSEN_RECIPIENTS


def default_recipients(roster: Roster, actor: str, action: Action) -> tuple[str, ...]:
    """Who an action is addressed to unless the actor says otherwise: the mediators for a
    text, a comment, a withdrawal and a roster change; everyone for a resume and a round;
    nobody for a forward (the mediator chooses), a receipt, a sign, an endorse or a retract.
    Only those the actor may address."""
    if action in TO_MEDIATORS:
        wanted = roster.ids("mediator")
    elif action in TO_EVERYONE:
        wanted = roster.ids()
    else:
        return ()
    return tuple(a for a in wanted if address_problem(roster, actor, a) is None)
