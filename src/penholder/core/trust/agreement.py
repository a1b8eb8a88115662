"""When a text is agreed, and by whom.

A text version is agreed when every party of the roster in force AT THAT TEXT has a `sign` of
it and the quorum of that roster's mediators has an `endorse` of it, counted once per actor,
none of them retracted where they were counted. Concretely: there is a set of attestations —
one sign per party and a quorum of endorsements — such that no retract of any of them is an
ancestor of any of them. That set is a view some reader could have held, and agreement is
final: once such a set exists in a history it exists in every later one (adding versions never
removes ancestors), so no later retract, roster change or parent choice can undo it.

Only attestations on their actor's line count (see `history`): a forked or forged one does
not. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations, product

from penholder.core.model import Action
from penholder.core.trust.history import History, Visible
from penholder.core.trust.roster import Roster

# A hostile history could offer many candidates per actor; the search stays bounded.
_MAX_CHOICES = 4096


@dataclass(frozen=True)
class Agreement:
    text: str
    roster: Roster
    signs: dict[str, str]
    endorsements: dict[str, str]
    missing_signs: tuple[str, ...]
    missing_endorsements: int
    agreed: bool


def roster_at_text(history: History, text: str) -> Roster:
    """The roster in force at a text version: the one its own ancestors put in force."""
    return history.roster_in_force([text])


def _candidates(
    history: History, text: str, action: Action, actors: Iterable[str], within: Visible | None
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for actor in dict.fromkeys(actors):
        for sha in history.referring_as(text, action.value, actor):
            w = history.versions[sha]
            if (
                sha in history.line_number
                and w.refers == (text,)
                and (within is None or within(sha))
            ):
                out.setdefault(actor, []).append(sha)
    return out


def _conflict(history: History, a: str, b: str) -> bool:
    """A retract of `a` is an ancestor of `b`, or one of `b` of `a`: they never stood together."""
    return any(history.is_ancestor(r, b) for r in history.retracts_of(a)) or any(
        history.is_ancestor(r, a) for r in history.retracts_of(b)
    )


def _consistent(history: History, chosen: Iterable[str]) -> bool:
    return all(not _conflict(history, a, b) for a, b in combinations(list(chosen), 2))


def agreement(history: History, text: str, *, within: Visible | None = None) -> Agreement:
    """Whether `text` is agreed in the whole history, or only counting the attestations
    `within` says are visible (e.g. the ancestors of a retract being judged)."""
    roster = roster_at_text(history, text)
    parties = roster.ids("party")
    mediators = roster.ids("mediator")
    quorum = max(roster.quorum, 1)
    signs = _candidates(history, text, Action.SIGN, parties, within)
    endorses = _candidates(history, text, Action.ENDORSE, mediators, within)
    missing_signs = tuple(p for p in parties if p not in signs)
    best_signs: dict[str, str] = {p: shas[-1] for p, shas in signs.items()}
    best_endorsements: dict[str, str] = {m: shas[-1] for m, shas in endorses.items()}
    agreed = False
    if parties and not missing_signs and len(endorses) >= quorum:
        agreed, chosen_signs, chosen_endorsements = _search(
            history, parties, signs, endorses, quorum
        )
        if agreed:
            best_signs, best_endorsements = chosen_signs, chosen_endorsements
    if not agreed:
        # What is missing, as a reader of this view sees it: attestations taken back count
        # for nothing.
        standing_signs = _standing(history, signs, within)
        standing_endorses = _standing(history, endorses, within)
        missing_signs = tuple(p for p in parties if p not in standing_signs)
        missing_endorsements = max(quorum - len(standing_endorses), 0)
    return Agreement(
        text=text,
        roster=roster,
        signs=best_signs,
        endorsements=best_endorsements,
        missing_signs=missing_signs,
        missing_endorsements=0 if agreed else missing_endorsements,
        agreed=agreed,
    )


def _standing(
    history: History, candidates: dict[str, list[str]], within: Visible | None
) -> set[str]:
    return {
        actor
        for actor, shas in candidates.items()
        if any(not history.is_retracted(sha, within) for sha in shas)
    }


def _search(
    history: History,
    parties: list[str],
    signs: dict[str, list[str]],
    endorses: dict[str, list[str]],
    quorum: int,
) -> tuple[bool, dict[str, str], dict[str, str]]:
    tried = 0
    for sign_choice in product(*(signs[p] for p in parties)):
        tried += 1
        if tried > _MAX_CHOICES:
            break
        if not _consistent(history, sign_choice):
            continue
        usable = {
            m: [e for e in shas if all(not _conflict(history, e, s) for s in sign_choice)]
            for m, shas in endorses.items()
        }
        usable = {m: shas for m, shas in usable.items() if shas}
        for group in combinations(sorted(usable), quorum):
            for endorse_choice in product(*(usable[m] for m in group)):
                tried += 1
                if tried > _MAX_CHOICES:
                    return False, {}, {}
                if _consistent(history, endorse_choice):
                    return (
                        True,
                        dict(zip(parties, sign_choice, strict=True)),
                        dict(zip(group, endorse_choice, strict=True)),
                    )
    return False, {}, {}


def is_agreed(history: History, text: str, *, within: Visible | None = None) -> bool:
    return agreement(history, text, within=within).agreed
