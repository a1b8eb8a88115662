"""The turn rules: whose move a version may be, judged within a view (a version's ancestors, or
everything the store holds). No I/O.

Who may answer a text and when, that nothing is answered or attested twice, and what a
retract may take back: an attestation of a text agreed (or a roster change in effect) in the
view stands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from penholder.core.model import Action, Version
from penholder.core.trust.agreement import agreement
from penholder.core.trust.history import Fallback, History, Visible
from penholder.core.trust.roster import Roster
from penholder.core.trust.rules import Rule


def describe(v: Version) -> str:
    return f"{v.action} {v.sha[:10]} by {v.actor}"


def check_turn(
    v: Version,
    action: Action,
    history: History,
    roster: Roster,
    referred: list[Version],
    visible: Visible,
    fail: Callable[[str, str], None],
) -> None:
    if action in (Action.AMEND, Action.FORWARD, Action.CONSOLIDATE):
        for r in referred:
            if history.is_retracted(r.sha, visible):
                fail(Rule.TURN, f"{describe(r)} was retracted")
            answerers = _standing_answerers(history, r.sha, v.sha, visible)
            own_revision = r.actor == v.actor and not answerers
            if v.actor not in r.to and not own_revision:
                fail(Rule.TURN, f"{describe(r)} was not addressed to {v.actor}")
            if any(actor == v.actor for actor, _ in answerers):
                fail(Rule.TURN, f"{v.actor} has already answered {describe(r)}")
            if action == Action.CONSOLIDATE and any(is_text for _, is_text in answerers):
                fail(Rule.CONSOLIDATE_HEADS, f"{describe(r)} is not a head: it was answered")
            newer = _newer_addressed(history, r, v, scope_is_store=visible is EVERYTHING)
            if newer is not None:
                fail(
                    Rule.TURN,
                    f"{describe(newer)}, addressed to {v.actor}, is newer than {describe(r)}",
                )
    elif action == Action.PROPOSE:
        for sha in history.lineage_of(v.document or ""):
            if sha != v.sha and visible(sha):
                fail(Rule.DOCUMENT_EXISTS, f"document {v.document!r} exists already")
                break
    elif action in (Action.SIGN, Action.ENDORSE, Action.RECEIPT):
        target = referred[0]
        if (
            action != Action.RECEIPT
            and target.is_text
            and history.is_retracted(target.sha, visible)
        ):
            fail(Rule.TURN, f"{describe(target)} was retracted: there is nothing to {action}")
        if action == Action.RECEIPT and target.action == Action.RECEIPT:
            fail(Rule.DUPLICATE, f"{describe(target)} is a receipt: no receipt of a receipt")
        if _has_referring(history, target.sha, action, v, visible):
            done = "receipted" if action == Action.RECEIPT else f"{action}d"
            fail(Rule.DUPLICATE, f"{v.actor} has already {done} {describe(target)}")
    elif action == Action.RETRACT:
        target = referred[0]
        if history.is_retracted(target.sha, visible):
            fail(Rule.RETRACT, f"{describe(target)} is already retracted")
        if target.is_text:
            others = sorted(
                {a for a, _ in _standing_answerers(history, target.sha, v.sha, visible)} - {v.actor}
            )
            if others:
                fail(Rule.RETRACT, f"{describe(target)} was already answered by {others[0]}")
        elif target.action in (Action.SIGN, Action.ENDORSE):
            referred_to = history.get(target.refers[0]) if target.refers else None
            if referred_to is None:
                pass
            elif referred_to.action == Action.ROSTER:
                in_effect = (
                    referred_to.sha in history.effective_anywhere()
                    if visible is EVERYTHING
                    else history.in_effect_within(referred_to.sha, v.parents)
                )
                if in_effect:
                    fail(
                        Rule.RETRACT,
                        f"{describe(referred_to)} has taken effect: its endorsements stand",
                    )
            else:
                found = agreement(history, referred_to.sha, within=visible)
                if found.agreed:
                    fail(Rule.RETRACT, f"{describe(referred_to)} is agreed: its signatures stand")
                elif found.undecided:
                    fail(
                        Rule.RETRACT,
                        f"whether {describe(referred_to)} is agreed could not be decided among "
                        "so many attestations: its signatures stand",
                    )
        else:
            fail(Rule.RETRACT, f"a {target.action} cannot be retracted")


def _everything(_sha: str) -> bool:
    return True


# The view of a writer acting on everything its store holds (`check_against_store`).
EVERYTHING: Visible = _everything


def _scope(visible: Visible) -> Visible | None:
    """The history's own notion of a view: None for everything the store holds."""
    return None if visible is EVERYTHING else visible


def _standing_answerers(
    history: History, sha: str, exclude: str, visible: Visible
) -> set[tuple[str, bool]]:
    """(actor, is a text) of each standing answer to `sha` in the view, other than `exclude`."""
    scope = _scope(visible)
    if exclude not in history:
        try:
            return history.standing_answerers(sha, scope)
        except Fallback:
            pass
    return {(w.actor, w.is_text) for w in history.answers(sha, scope) if w.sha != exclude}


def _has_referring(
    history: History, sha: str, action: Action, v: Version, visible: Visible
) -> bool:
    """Whether v's actor already has a version of `action` referring to `sha` in the view."""
    scope = _scope(visible)
    if v.sha not in history:
        return history.any_referring(sha, action.value, v.actor, scope)
    return any(
        w.actor == v.actor and w.action == action and w.sha != v.sha
        for w in history.referring(sha, scope)
    )


def _newer_addressed(
    history: History, r: Version, v: Version, *, scope_is_store: bool
) -> Version | None:
    """A standing text of r's document, addressed to v's actor, that descends from r: among
    v's ancestors, or anywhere in the store."""
    try:
        view = None if scope_is_store else history.visible_from(v.parents)
        found = history.newer_addressed(r, v.actor, view, v.sha)
        return None if found is None else history.version(found)
    except Fallback:
        pass
    if scope_is_store:
        candidates: Iterator[str] = history.descendants(r.sha)
    else:
        floor = history.generation(r.sha) if r.sha in history else 0
        candidates = history.ancestors(v.parents, floor=floor)
    for sha in candidates:
        w = history.version(sha)
        if (
            sha != v.sha
            and w.is_text
            and w.document == r.document
            and v.actor in w.to
            and not history.is_retracted(sha)
            and (scope_is_store or history.is_ancestor(r.sha, sha))
        ):
            return w
    return None
