"""An action half-decided: what it acts on, who it goes to, its default subject. The front end
asks the person for the rest (the subject, a note, the text) and builds the `Request`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from penholder.core.actions.addressing import (
    check_may_act,
    check_recipients,
    chooses_recipients,
    default_recipients,
)
from penholder.core.actions.targets import (
    amend_target,
    consolidation_heads,
    next_round,
    resume_target,
    retract_target,
    text_target,
)
from penholder.core.errors import Hint, InputError, RefusedError
from penholder.core.model import Action, Version
from penholder.core.store.negotiation import Request
from penholder.core.trust.history import History
from penholder.core.trust.roster import Roster

# Actions whose subject the person must write (no default makes sense).
WRITTEN_SUBJECTS = frozenset(
    {Action.PROPOSE, Action.AMEND, Action.CONSOLIDATE, Action.COMMENT, Action.WITHDRAW}
)


@dataclass(frozen=True)
class Plan:
    """What an action by `actor` acts on and its defaults; `notice` says why the target is not
    the version selected, when it is not."""

    action: Action
    actor: str
    target: Version | None
    refers: tuple[str, ...] = ()
    document: str | None = None
    subject: str = ""
    recipients: tuple[str, ...] = ()
    choose_recipients: bool = False
    round_number: int | None = None
    notice: str = ""


def default_subject(
    action: Action,
    target: Version | None = None,
    *,
    round_number: int | None = None,
    place: str | None = None,
    date: str | None = None,
) -> str:
    """The subject an action gets unless the person writes one ("" when it must be written):
    `Sign qatar's forward of accord`, `Talks resume after pakistan's withdrawal`,
    `Round 2 opens at Istanbul on 2025-10-25`."""
    if action == Action.ROUND:
        if round_number is None or not place or not date:
            return ""
        return f"Round {round_number} opens at {place} on {date}"
    if action in WRITTEN_SUBJECTS or target is None:
        return ""
    if action == Action.RESUME:
        return f"Talks resume after {target.actor}'s withdrawal"
    what = f"of {target.document}" if target.document else target.short
    return f"{action.value.capitalize()} {target.actor}'s {target.action} {what}"


def plan(
    history: History,
    roster: Roster,
    actor: str,
    action: Action,
    selected: Version | None = None,
    *,
    document: str | None = None,
) -> Plan:
    """Decide an action by `actor` starting from the selected version (or, for a proposal or
    an amendment, the named document): refuses with the rule and a hint when the role does
    not allow it or nothing fits. A `roster` change is planned by `actions.rosters`."""
    check_may_act(roster, actor, action)
    recipients = default_recipients(roster, actor, action)
    chooses = chooses_recipients(action)
    target: Version | None = None
    refers: tuple[str, ...] = ()
    notice = ""
    if action == Action.PROPOSE:
        return Plan(action, actor, None, (), document, "", recipients, chooses)
    if action == Action.AMEND:
        found = amend_target(history, actor, selected=selected, document=document)
        refers, notice = (found.sha,), found.notice
    elif action == Action.CONSOLIDATE:
        refers = consolidation_heads(history, actor, selected)
    elif action in (Action.FORWARD, Action.SIGN, Action.ENDORSE):
        refers = (text_target(history, action, selected),)
    elif action == Action.RETRACT:
        refers = (retract_target(actor, selected),)
    elif action in (Action.RECEIPT, Action.COMMENT):
        if selected is None:
            raise RefusedError(
                f"a {action.value} refers to a version", rule="turn", hint=Hint.CHOOSE_VERSION
            )
        refers = (selected.sha,)
    elif action == Action.RESUME:
        refers = (resume_target(history, selected),)
    elif action == Action.ROUND:
        return Plan(action, actor, None, (), None, "", recipients, chooses, next_round(history))
    elif action == Action.WITHDRAW:
        return Plan(action, actor, None, (), None, "", recipients, chooses)
    else:
        raise RefusedError(f"{action.value} is not planned here", rule="role-action")
    target = history.version(refers[0])
    return Plan(
        action,
        actor,
        target,
        refers,
        document or target.document,
        default_subject(action, target),
        recipients,
        chooses,
        notice=notice,
    )


# the person's input ------------------------------------------------------------------------


def check_subject(subject: str) -> str:
    """A subject is one line the person writes; it is signed with the version."""
    subject = subject.strip()
    if not subject:
        raise InputError("write a subject: it is signed with the version", rule="message")
    return subject


def check_date(date: str) -> str:
    try:
        dt.date.fromisoformat(date)
    except ValueError as exc:
        raise InputError(f"date {date!r} is not YYYY-MM-DD", rule="input") from exc
    return date


def check_round(number: str, place: str | None, date: str | None) -> tuple[int, str, str]:
    """A round's number, place and date as typed: a whole number, both named, a real date."""
    number = number.strip()
    if not number.isdigit():
        raise InputError("the round number is a whole number", rule="round-number")
    if not place or not date:
        raise InputError("a round names its place and date", rule="round-number")
    return int(number), place, check_date(date)


def request(
    plan: Plan,
    roster: Roster,
    *,
    subject: str,
    note: str = "",
    to: tuple[str, ...] | None = None,
    text: str | None = None,
    round_number: int | None = None,
    place: str | None = None,
    date: str | None = None,
    new_roster: Roster | None = None,
) -> Request:
    """The `Request` for a plan and what the person gave, its input checked (subject, round
    fields, recipients against the addressing rules) before any key is unlocked. `to` None:
    the plan's default recipients."""
    recipients = check_recipients(
        roster, plan.actor, plan.action, plan.recipients if to is None else to
    )
    return Request(
        actor=plan.actor,
        action=plan.action,
        subject=check_subject(subject),
        refers=plan.refers,
        to=recipients,
        document=plan.document,
        text=text.encode("utf-8") if text is not None else None,
        note=note.strip(),
        round_number=round_number,
        place=place,
        date=date,
        roster=new_roster,
    )
