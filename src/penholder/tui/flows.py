"""Starting an action: `penholder.core.actions` decides what it acts on and its defaults; this
chooses which screen asks for the rest.

Every flow ends in `ActionScreen`, which shows exactly which version is acted on, unlocks the
key and signs in a worker; refusals come back from the store with their rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from penholder.core import actions
from penholder.core.errors import Hint, PenholderError
from penholder.core.model import Action
from penholder.tui.screens.act import ActionScreen

if TYPE_CHECKING:
    from penholder.tui.app import PenholderApp

# What a hint asks of a person in the app (the CLI says it as a flag).
HINTS = {
    Hint.CHOOSE_DOCUMENT: "select a version of a document",
    Hint.CHOOSE_VERSION: "select the version in the timeline",
    Hint.GIVE_REVISION: "mark the two versions to compare",
    Hint.GIVE_TEXT: "join the passages in the editor",
}


def refusal(exc: PenholderError) -> str:
    """A refusal as the app says it: the message, and what to do about it."""
    hint = HINTS.get(exc.hint) if exc.hint else None
    return f"{exc.message}: {hint}" if hint else exc.message


def begin(app: PenholderApp, action: Action, sha: str | None) -> None:
    snapshot, actor = app.snapshot, app.actor
    if snapshot is None:
        return
    if actor is None:
        app.notify("No key of this negotiation is held here: reading only.", severity="warning")
        return
    history = snapshot.history
    selected = history.get(sha) if sha else None
    try:
        plan = actions.plan(history, snapshot.roster, actor, action, selected)
    except PenholderError as exc:
        role = exc.rule in ("role-action", "actor-unknown")
        app.notify(refusal(exc), title=exc.rule, severity="error" if role else "warning")
        return
    if plan.notice:
        app.notify(plan.notice)
    if action in (Action.PROPOSE, Action.AMEND, Action.CONSOLIDATE):
        from penholder.tui.screens.draft import DraftScreen

        if action == Action.PROPOSE:
            app.push_screen(DraftScreen(None, edit=True, action=Action.PROPOSE))
        else:
            app.push_screen(
                DraftScreen(plan.refers[0], edit=True, action=action, refers=plan.refers)
            )
        return
    app.push_screen(ActionScreen(plan), lambda v: app.acted(v) if v is not None else None)


__all__ = ["begin", "refusal"]
