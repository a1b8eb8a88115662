"""Switching the acting actor among those whose keys this machine holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from penholder.tui.safe import plain
from penholder.tui.screens.base import styles

if TYPE_CHECKING:
    from penholder.tui.app import PenholderApp


class ActAsScreen(ModalScreen[str | None]):
    CSS_PATH = styles("dialog", "actas")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="actas.cancel")
    ]

    def compose(self) -> ComposeResult:
        app = cast("PenholderApp", self.app)
        snapshot = app.snapshot
        assert snapshot is not None
        with Vertical(id="dialog", classes="dialog narrow"):
            yield Static("Act as", classes="dialog-title")
            options = OptionList(id="actors")
            for actor in snapshot.roster.actors:
                if actor.id not in snapshot.held:
                    continue
                flags = []
                if actor.id == app.actor:
                    flags.append("acting")
                if app.desk.is_unlocked(actor.id):
                    flags.append("unlocked")
                extra = f"  ({', '.join(flags)})" if flags else ""
                options.add_option(
                    Option(
                        plain(
                            f"{actor.id:<12} {actor.role:<9} {actor.name}{extra}\n"
                            f"  {actor.fingerprint}"
                        ),
                        id=actor.id,
                    )
                )
            yield options
            if not snapshot.held:
                yield Static("No key of this negotiation is held on this machine.", classes="muted")

    def on_mount(self) -> None:
        options = self.query_one("#actors", OptionList)
        options.focus()
        actor = cast("PenholderApp", self.app).actor
        for index in range(options.option_count):
            if options.get_option_at_index(index).id == actor:
                options.highlighted = index

    @on(OptionList.OptionSelected, "#actors")
    def chosen(self, message: OptionList.OptionSelected) -> None:
        self.dismiss(message.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
