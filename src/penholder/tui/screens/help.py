"""Every key of the app, by screen, with the binding id to remap it in config.toml."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Static

from penholder.tui.screens.base import PenholderScreen, styles

if TYPE_CHECKING:
    from penholder.tui.app import PenholderApp


def binding_groups() -> list[tuple[str, list[BindingType]]]:
    from penholder.tui.app import PenholderApp
    from penholder.tui.screens.act import ActionScreen
    from penholder.tui.screens.actas import ActAsScreen
    from penholder.tui.screens.blame import BlameScreen
    from penholder.tui.screens.clauses import ClausesScreen
    from penholder.tui.screens.columns import ColumnsScreen
    from penholder.tui.screens.diff import DiffScreen
    from penholder.tui.screens.draft import DraftScreen
    from penholder.tui.screens.drafts import DraftsScreen
    from penholder.tui.screens.export import ExportScreen
    from penholder.tui.screens.inbox import InboxScreen
    from penholder.tui.screens.roster import RosterChangeScreen, RosterScreen
    from penholder.tui.screens.sync import RemotesScreen, SyncScreen
    from penholder.tui.screens.table import TableScreen
    from penholder.tui.screens.unlock import UnlockScreen
    from penholder.tui.screens.verify import VerifyScreen
    from penholder.tui.widgets.blame_view import BlameView
    from penholder.tui.widgets.columns_view import ColumnsView
    from penholder.tui.widgets.redline_view import RedlineView
    from penholder.tui.widgets.timeline import Timeline

    return [
        ("everywhere", list(PenholderApp.BINDINGS)),
        ("table", list(TableScreen.BINDINGS)),
        ("timeline", list(Timeline.BINDINGS)),
        ("inbox", list(InboxScreen.BINDINGS)),
        ("draft", list(DraftScreen.BINDINGS)),
        ("diff", list(DiffScreen.BINDINGS)),
        ("redline", list(RedlineView.BINDINGS)),
        ("blame", list(BlameScreen.BINDINGS) + list(BlameView.BINDINGS)),
        ("clauses", list(ClausesScreen.BINDINGS)),
        ("four columns", list(ColumnsScreen.BINDINGS) + list(ColumnsView.BINDINGS)),
        ("export", list(ExportScreen.BINDINGS)),
        ("roster", list(RosterScreen.BINDINGS)),
        ("roster change", list(RosterChangeScreen.BINDINGS)),
        ("sync", list(SyncScreen.BINDINGS)),
        ("sync: remotes", list(RemotesScreen.BINDINGS)),
        ("verify", list(VerifyScreen.BINDINGS)),
        ("confirm action", list(ActionScreen.BINDINGS)),
        ("unlock", list(UnlockScreen.BINDINGS)),
        ("act as", list(ActAsScreen.BINDINGS)),
        ("unsent drafts", list(DraftsScreen.BINDINGS)),
    ]


def display_key(keys: str) -> str:
    names = {
        "question_mark": "?",
        "escape": "esc",
        "pageup": "pgup",
        "pagedown": "pgdn",
        "enter": "⏎",
    }
    return ", ".join(names.get(k.strip(), k.strip()) for k in keys.split(","))


class HelpScreen(PenholderScreen):
    CSS_PATH = styles("help")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark", "back", "Back", id="help.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header(icon="✒")
        yield Static(
            Content.from_markup(
                "[b]Keys[/b] · remap any of them in [i]$path[/i] under [b]\\[keys][/b], "
                'e.g. "table.sign" = "ctrl+g" · ctrl+p finds every action by name',
                path="~/.config/penholder/config.toml",
            ),
            id="help-title",
        )
        yield DataTable(id="keys", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        app = cast("PenholderApp", self.app)
        table = self.query_one("#keys", DataTable)
        table.add_columns("where", "key", "does", "binding id")
        for group, bindings in binding_groups():
            for item in bindings:
                if not isinstance(item, Binding):
                    continue
                key = app.config.keys.get(item.id or "", item.key)
                table.add_row(
                    group, display_key(key), item.description or item.action, item.id or ""
                )
        table.add_row("everywhere", "ctrl+p", "command palette: every action, the theme picker", "")
        table.focus()
