"""The command palette (ctrl+p): every action by name, on the version the screen is about."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from penholder.core.actions import may_act
from penholder.core.model import Action

if TYPE_CHECKING:
    from penholder.tui.app import PenholderApp

ACTIONS: list[tuple[Action, str, str]] = [
    (Action.AMEND, "Amend", "Open the selected text for amendment"),
    (Action.FORWARD, "Forward", "Carry the selected version on to its next readers"),
    (Action.CONSOLIDATE, "Consolidate", "Join the heads of the selected document into one text"),
    (Action.PROPOSE, "Propose a document", "Table a new document"),
    (Action.SIGN, "Sign", "Accept the exact text of the selected version"),
    (Action.ENDORSE, "Endorse", "Witness the selected version"),
    (Action.RECEIPT, "Receipt", "Acknowledge receipt of the selected version"),
    (Action.COMMENT, "Comment", "Comment on the selected version"),
    (Action.RETRACT, "Retract", "Take back your selected version"),
    (Action.WITHDRAW, "Withdraw", "Leave the table: the negotiation is suspended"),
    (Action.RESUME, "Resume", "End a withdrawal"),
    (Action.ROUND, "New round", "Open the next round"),
]


def commands_for(app: PenholderApp, screen: Screen[object]) -> Iterator[SystemCommand]:
    snapshot = app.snapshot
    if snapshot is None:
        return
    sha = getattr(screen, "selected_sha", None)
    for action, title, help_text in ACTIONS:
        if may_act(snapshot.roster, app.actor, action):
            yield SystemCommand(title, help_text, lambda a=action: app.begin(a, sha))
    yield SystemCommand("Inbox", "What awaits you", app.action_inbox)
    yield SystemCommand(
        "Sync", "Fetch, verify and take in what the remote has; push what it lacks", app.action_sync
    )
    yield SystemCommand(
        "Roster", "Who sits at the table; seat, remove, rotate or revoke a key", app.action_roster
    )
    yield SystemCommand("Verify", "Check every signature and rule", app.action_verify)
    yield SystemCommand("Act as", "Switch to another actor whose key is here", app.action_act_as)
    yield SystemCommand("Keys", "Every key and its binding id", app.action_help)
    yield SystemCommand("Reload", "Look for versions added by others", app.action_reload)
    if sha is not None:
        yield SystemCommand(
            "Who wrote what (blame)",
            "The selected text coloured by the actor who first proposed each word",
            lambda: app.open_blame(sha),
        )
        yield SystemCommand(
            "Clauses",
            "Each clause of the selected text: status, open brackets, proposer, trend by round",
            lambda: app.open_clauses(sha),
        )
        yield SystemCommand(
            "Four columns",
            "Base text, each party's position and the mediators' compromise, by clause",
            lambda: app.open_columns(sha),
        )
        yield SystemCommand(
            "Export certificate",
            "The certificate of the selected text (md, html, pdf); DRAFT if not agreed",
            lambda: app.export_certificate(sha),
        )
        from penholder.tui.screens.diff import DiffScreen

        if isinstance(screen, DiffScreen):
            yield SystemCommand(
                "Export redline",
                "The redline on screen, printable (html, pdf)",
                screen.action_export,
            )
        yield SystemCommand(
            "Diff: answered",
            "The selected version against the one it answers",
            lambda: app.open_diff(None, sha, base="answered"),
        )
        yield SystemCommand(
            "Diff: previous round",
            "The selected text against the previous round",
            lambda: app.open_diff(None, sha, base="round"),
        )
        yield SystemCommand(
            "Diff: since I last saw",
            "What changed since you last wrote or answered",
            lambda: app.open_diff(None, sha, base="seen"),
        )

    yield from screen_commands(app, screen)


def screen_commands(app: PenholderApp, screen: Screen[object]) -> Iterator[SystemCommand]:
    """The keys of the sync, roster, blame, clause and four-column screens (and of their
    views), by name: what the footer shows there, reachable from the palette too."""
    from penholder.tui.screens.blame import BlameScreen
    from penholder.tui.screens.clauses import ClausesScreen
    from penholder.tui.screens.columns import ColumnsScreen
    from penholder.tui.screens.help import display_key
    from penholder.tui.screens.roster import RosterScreen
    from penholder.tui.screens.sync import SyncScreen

    if not isinstance(
        screen, BlameScreen | ClausesScreen | ColumnsScreen | RosterScreen | SyncScreen
    ):
        return
    targets: list[Widget] = [screen, *screen.query("BlameView, ColumnsView")]
    seen = {"Who wrote what", "Clauses", "Four columns"}  # offered for every version already
    for target in targets:
        for item in target.BINDINGS:
            if not isinstance(item, Binding) or not item.show or item.action == "back":
                continue
            if item.description in seen:
                continue
            seen.add(item.description)
            key = app.config.keys.get(item.id or "", item.key)
            yield SystemCommand(
                item.description,
                f"{display_key(key)} on this screen",
                partial(app.call_later, target.run_action, item.action),
            )
