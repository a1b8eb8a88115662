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

from penholder.core.model import Action, Role
from penholder.core.trust.history import History, Visible
from penholder.core.trust.roster import Roster

# A hostile history could offer many candidates and mediators; the search stays bounded, and
# when it runs out it says "undecided", which counts as agreed for every retract (fail closed)
# and as not agreed for every claim.
_MAX_STEPS = 20_000


@dataclass(frozen=True)
class Agreement:
    text: str
    roster: Roster
    signs: dict[str, str]
    endorsements: dict[str, str]
    missing_signs: tuple[str, ...]
    missing_endorsements: int
    agreed: bool
    # The search could not decide within its budget: never claimed, never retracted from.
    undecided: bool = False


def roster_at_text(history: History, text: str) -> Roster:
    """The roster in force at a text version: the one its own ancestors put in force."""
    return history.roster_in_force([text])


def _candidates(
    history: History, text: str, action: Action, actors: Iterable[str], within: Visible | None
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for actor in dict.fromkeys(actors):
        for sha in history.referring_as(text, action.value, actor):
            w = history._versions[sha]
            if (
                sha in history._line_number
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


def agreement(
    history: History, text: str, *, within: Visible | None = None, counting: str | None = None
) -> Agreement:
    """Whether `text` is agreed in the whole history, or only counting the attestations
    `within` says are visible (e.g. the ancestors of a retract being judged); with `counting`,
    whether it is agreed by a set that counts that one attestation."""
    roster = roster_at_text(history, text)
    parties = roster.ids(Role.PARTY)
    mediators = roster.ids(Role.MEDIATOR)
    quorum = max(roster.quorum, 1)
    signs = _candidates(history, text, Action.SIGN, parties, within)
    endorses = _candidates(history, text, Action.ENDORSE, mediators, within)
    required = None
    if counting is not None:
        signs, endorses, required = _counting(signs, endorses, counting)
    missing_signs = tuple(p for p in parties if p not in signs)
    best_signs: dict[str, str] = {p: shas[-1] for p, shas in signs.items()}
    best_endorsements: dict[str, str] = {m: shas[-1] for m, shas in endorses.items()}
    agreed, undecided = False, False
    if parties and not missing_signs and len(endorses) >= quorum:
        found, chosen_signs, chosen_endorsements = _search(
            history, parties, signs, endorses, quorum, required
        )
        agreed, undecided = found is True, found is None
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
        undecided=undecided,
    )


def _standing(
    history: History, candidates: dict[str, list[str]], within: Visible | None
) -> set[str]:
    return {
        actor
        for actor, shas in candidates.items()
        if any(not history.is_retracted(sha, within) for sha in shas)
    }


def _counting(
    signs: dict[str, list[str]], endorses: dict[str, list[str]], counting: str
) -> tuple[dict[str, list[str]], dict[str, list[str]], str | None]:
    """The candidates when one attestation must be counted: its actor has only it (and a
    mediator must be among those chosen). An attestation that cannot count leaves nothing."""
    for actor, shas in signs.items():
        if counting in shas:
            return {**signs, actor: [counting]}, endorses, None
    for actor, shas in endorses.items():
        if counting in shas:
            return signs, {**endorses, actor: [counting]}, actor
    return {}, {}, None


def _search(
    history: History,
    parties: list[str],
    signs: dict[str, list[str]],
    endorses: dict[str, list[str]],
    quorum: int,
    required: str | None = None,
) -> tuple[bool | None, dict[str, str], dict[str, str]]:
    """A set of one sign per party and endorsements from `quorum` mediators (`required`
    among them), pairwise consistent: (True, signs, endorsements); (False, …) when none exists;
    (None, …) when the search ran out of its budget before deciding (a hostile history can
    make it long)."""
    conflicts = _Conflicts(history)
    budget = _Budget(_MAX_STEPS)
    for sign_choice in product(*(signs[p] for p in parties)):
        if not budget.spend():
            return None, {}, {}
        if not all(not conflicts(a, b) for a, b in combinations(sign_choice, 2)):
            continue
        usable = {
            m: [e for e in shas if all(not conflicts(e, s) for s in sign_choice)]
            for m, shas in endorses.items()
        }
        usable = {m: shas for m, shas in usable.items() if shas}
        if required is not None and required not in usable:
            continue
        # Mediators whose endorsements were never retracted, and those in fewest conflicts,
        # first: an honest history is decided on the first path.
        order = sorted(
            usable,
            key=lambda m: (
                m != required,
                not any(not history.retracts_of(e) for e in usable[m]),
                sum(conflicts(e, f) for e in usable[m] for n in usable for f in usable[n]),
                m,
            ),
        )
        chosen: dict[str, str] = {}
        found = _pick(order, 0, usable, quorum, chosen, conflicts, budget, required)
        if found:
            return True, dict(zip(parties, sign_choice, strict=True)), dict(chosen)
        if found is None:
            return None, {}, {}
    return False, {}, {}


def _pick(
    order: list[str],
    at: int,
    usable: dict[str, list[str]],
    quorum: int,
    chosen: dict[str, str],
    conflicts: _Conflicts,
    budget: _Budget,
    required: str | None = None,
) -> bool | None:
    """Depth first over the mediators in `order` from `at`: each one endorses with one of its
    usable candidates (consistent with those chosen so far) or stays out (`required` may not)."""
    if len(chosen) >= quorum:
        return True
    if len(chosen) + len(order) - at < quorum:
        return False
    if not budget.spend():
        return None
    mediator = order[at]
    for candidate in usable[mediator]:
        if all(not conflicts(candidate, other) for other in chosen.values()):
            chosen[mediator] = candidate
            found = _pick(order, at + 1, usable, quorum, chosen, conflicts, budget, required)
            if found is not False:
                return found
            del chosen[mediator]
    if mediator == required:
        return False
    return _pick(order, at + 1, usable, quorum, chosen, conflicts, budget, required)


class _Conflicts:
    """`_conflict`, remembered: the search asks about the same pairs many times."""

    def __init__(self, history: History) -> None:
        self._history = history
        self._known: dict[tuple[str, str], bool] = {}

    def __call__(self, a: str, b: str) -> bool:
        key = (a, b) if a <= b else (b, a)
        if key not in self._known:
            self._known[key] = _conflict(self._history, a, b)
        return self._known[key]


class _Budget:
    def __init__(self, steps: int) -> None:
        self.left = steps

    def spend(self) -> bool:
        self.left -= 1
        return self.left >= 0


def is_agreed(history: History, text: str, *, within: Visible | None = None) -> bool:
    """Agreed, shown by a set of attestations: what status and the certificate may claim."""
    return agreement(history, text, within=within).agreed


def may_be_agreed(
    history: History, text: str, *, within: Visible | None = None, counting: str | None = None
) -> bool:
    """Agreed, or not shown to be unagreed: what refuses a retract of an attestation."""
    found = agreement(history, text, within=within, counting=counting)
    return found.agreed or found.undecided
