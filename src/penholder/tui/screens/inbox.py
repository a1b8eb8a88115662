"""What awaits the acting actor: versions addressed to it that it has not answered or
receipted, oldest first. Enter opens one."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from penholder.tui.clock import ago, awaiting, short_time
from penholder.tui.desk import Snapshot
from penholder.tui.safe import markup, plain
from penholder.tui.screens.base import PenholderScreen, styles


class InboxScreen(PenholderScreen):
    CSS_PATH = styles("inbox")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="inbox.back"),
        Binding("r", "act('receipt')", "Receipt", id="inbox.receipt"),
        Binding("e", "act('amend')", "Amend", id="inbox.amend"),
        Binding("c", "act('comment')", "Comment", id="inbox.comment"),
        Binding("t", "timeline", "In timeline", id="inbox.timeline"),
    ]

    def compose(self) -> ComposeResult:
        yield Header(icon="✒")
        yield Static("", id="inbox-title")
        yield OptionList(id="inbox")
        yield Footer()

    def on_mount(self) -> None:
        snapshot = self.penholder.snapshot
        if snapshot is not None:
            self.show_snapshot(snapshot, None)
        self.query_one("#inbox").focus()

    @property
    def selected_sha(self) -> str | None:
        options = self.query_one("#inbox", OptionList)
        if options.highlighted is None or not options.option_count:
            return None
        return options.get_option_at_index(options.highlighted).id

    def show_snapshot(self, snapshot: Snapshot, select: str | None) -> None:
        actor = self.penholder.actor
        options = self.query_one("#inbox", OptionList)
        keep = self.selected_sha
        options.clear_options()
        waiting = snapshot.inbox
        title = self.query_one("#inbox-title", Static)
        if actor is None:
            title.update("No key of this negotiation is held here: nothing awaits you.")
            return
        count = len(waiting)
        title.update(
            markup(
                "[b]Inbox of $actor[/b]: $count",
                actor=actor,
                count=f"{awaiting(count)} you" if count else "nothing awaits you",
            )
        )
        for v in waiting:
            to = ", ".join(v.to)
            doc = f" {v.document}" if v.document else ""
            prompt = Content.assemble(
                markup(
                    "[b]$head[/b]",
                    head=f"r{v.round}  {short_time(v.time)}  {v.actor} {v.action}{doc} → {to}",
                ),
                plain(f"   {ago(v.time)} · {v.short}\n"),
                markup("  [i]$subject[/i]", subject=v.subject[:200]),
            )
            options.add_option(Option(prompt, id=v.sha))
        if keep is not None and keep in {v.sha for v in waiting}:
            options.highlighted = [v.sha for v in waiting].index(keep)
        elif waiting:
            options.highlighted = 0

    @on(OptionList.OptionSelected, "#inbox")
    def selected(self, message: OptionList.OptionSelected) -> None:
        if message.option.id is not None:
            self.penholder.open_version(message.option.id)

    def action_timeline(self) -> None:
        if (sha := self.selected_sha) is not None:
            self.penholder.show_version(sha)
