"""Starting an action: which version it acts on, and which screen asks for the rest.

Every flow ends in `ActionScreen`, which shows exactly which version is acted on, unlocks the
key and signs in a worker; refusals come back from the store with their rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from penholder.core.model import TEXT_ACTIONS, Action, Version
from penholder.tui.desk import amend_target, may_act, recipients, text_version
from penholder.tui.screens.act import ActionScreen, Plan

if TYPE_CHECKING:
    from penholder.tui.app import PenholderApp


def default_subject(action: Action, target: Version | None) -> str:
    if target is None:
        return ""
    what = f"{target.actor}'s {target.action}" + (
        f" of {target.document}" if target.document else ""
    )
    return f"{action.value.capitalize()} {what}"


def begin(app: PenholderApp, action: Action, sha: str | None) -> None:
    snapshot, actor = app.snapshot, app.actor
    if snapshot is None:
        return
    if actor is None:
        app.notify("No key of this negotiation is held here: reading only.", severity="warning")
        return
    roster, history = snapshot.roster, snapshot.history
    if not may_act(roster, actor, action):
        found = roster.actor(actor)
        role = found.role if found else "stranger"
        app.notify(f"a {role} may not {action.value}", title="role-action", severity="error")
        return
    selected = history.get(sha) if sha else None
    mediators = tuple(m for m in roster.ids("mediator") if m != actor)
    everyone = tuple(a for a in roster.ids() if a != actor)
    plan: Plan | None = None
    target: Version | None = None

    if action in (Action.AMEND, Action.PROPOSE, Action.CONSOLIDATE):
        from penholder.tui.screens.draft import DraftScreen

        if action == Action.PROPOSE:
            app.push_screen(DraftScreen(None, edit=True, action=Action.PROPOSE))
            return
        if action == Action.CONSOLIDATE:
            heads = _consolidation_heads(app, selected)
            if heads is None:
                return
            app.push_screen(
                DraftScreen(heads[0], edit=True, action=Action.CONSOLIDATE, refers=heads)
            )
            return
        target_sha, why = amend_target(history, actor, selected)
        if target_sha is None:
            app.notify(why, title="turn", severity="warning")
            return
        if why:
            app.notify(why)
        app.push_screen(DraftScreen(target_sha, edit=True, action=Action.AMEND))
        return

    if action == Action.FORWARD:
        text_sha = text_version(history, selected) if selected else None
        if text_sha is None:
            app.notify("select a version of a document to forward", severity="warning")
            return
        target = history.version(text_sha)
        plan = Plan(
            Action.FORWARD,
            actor,
            target,
            refers=(text_sha,),
            document=target.document,
            subject=f"Forward {target.actor}'s {target.action} of {target.document}",
            choose_recipients=True,
        )
    elif action in (Action.SIGN, Action.ENDORSE):
        text_sha = text_version(history, selected) if selected else None
        if text_sha is None:
            app.notify(f"select a version of a document to {action.value}", severity="warning")
            return
        target = history.version(text_sha)
        plan = Plan(
            action,
            actor,
            target,
            refers=(text_sha,),
            document=target.document,
            subject=default_subject(action, target),
        )
    elif action in (Action.RECEIPT, Action.COMMENT, Action.RETRACT):
        if selected is None:
            app.notify("select a version first", severity="warning")
            return
        if action == Action.RETRACT and selected.actor != actor:
            app.notify(
                f"{actor} can retract only its own versions", title="retract", severity="warning"
            )
            return
        plan = Plan(
            action,
            actor,
            selected,
            refers=(selected.sha,),
            document=selected.document,
            subject="" if action == Action.COMMENT else default_subject(action, selected),
            recipients=mediators if action == Action.COMMENT else (),
            choose_recipients=action == Action.COMMENT,
        )
    elif action == Action.WITHDRAW:
        plan = Plan(action, actor, None, recipients=tuple(roster.ids("mediator")))
    elif action == Action.RESUME:
        open_ = history.open_withdrawals()
        if selected is not None and selected.sha in open_:
            target_sha = selected.sha
        elif len(open_) == 1:
            target_sha = open_[0]
        else:
            why = "no withdrawal is in force" if not open_ else "select the withdrawal to end"
            app.notify(why, title="resume", severity="warning")
            return
        target = history.version(target_sha)
        plan = Plan(
            action,
            actor,
            target,
            refers=(target_sha,),
            recipients=everyone,
            subject=f"Talks resume after {target.actor}'s withdrawal",
        )
    elif action == Action.ROUND:
        current = history.current_round()
        plan = Plan(
            action,
            actor,
            None,
            recipients=everyone,
            round_number=(current.number + 1) if current else 2,
        )
    if plan is None:
        app.notify(f"{action.value} is not offered here", severity="warning")
        return
    app.push_screen(ActionScreen(plan), lambda v: app.acted(v) if v is not None else None)


def _consolidation_heads(app: PenholderApp, selected: Version | None) -> tuple[str, ...] | None:
    snapshot, actor = app.snapshot, app.actor
    assert snapshot is not None and actor is not None
    history = snapshot.history
    text_sha = text_version(history, selected) if selected else None
    document = history.version(text_sha).document if text_sha else None
    if document is None:
        app.notify("select a version of the document to consolidate", severity="warning")
        return None
    heads = [h for h in history.heads(document) if actor in history.version(h).to]
    if len(heads) < 2:
        app.notify(
            f"consolidate needs two or more heads of {document} addressed to {actor}",
            title="consolidate-heads",
            severity="warning",
        )
        return None
    if text_sha in heads:
        heads.remove(text_sha)
        heads.insert(0, text_sha)
    return tuple(heads)


def recipients_for(app: PenholderApp, actor: str) -> list[tuple[str, bool, str]]:
    assert app.snapshot is not None
    return recipients(app.snapshot.roster, actor)


__all__ = ["TEXT_ACTIONS", "begin", "default_subject", "recipients_for"]
