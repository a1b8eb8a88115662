"""Offered at start: amendments typed but never sent. Enter reopens one; x discards it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from penholder.core.model import Action
from penholder.tui.clock import ago
from penholder.tui.drafts import SavedDraft
from penholder.tui.safe import plain
from penholder.tui.screens.base import styles

if TYPE_CHECKING:
    from penholder.tui.app import PenholderApp


class DraftsScreen(ModalScreen[None]):
    CSS_PATH = styles("dialog", "drafts")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "later", "Later", id="drafts.later"),
        Binding("x", "discard", "Discard", id="drafts.discard"),
    ]

    def __init__(self, drafts: list[SavedDraft]) -> None:
        super().__init__()
        self.drafts = {d.key.stem: d for d in drafts}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static("Unsent work kept from before", classes="dialog-title")
            options = OptionList(id="drafts")
            for stem, draft in self.drafts.items():
                what = draft.action
                refers = f" of {draft.key.refers[:10]}" if draft.key.refers else ""
                subject = f" — “{draft.subject}”" if draft.subject else ""
                prompt = (
                    f"{what}{refers} · {draft.key.document} · {len(draft.text):,} characters · "
                    f"saved {ago(draft.saved)}{subject}"
                )
                options.add_option(Option(plain(prompt), id=stem))
            yield options
            yield Static(
                "enter reopens it · x discards it · esc keeps it for later", classes="muted"
            )

    def on_mount(self) -> None:
        options = self.query_one("#drafts", OptionList)
        options.focus()
        if options.option_count:
            options.highlighted = 0

    @on(OptionList.OptionSelected, "#drafts")
    def reopen(self, message: OptionList.OptionSelected) -> None:
        from penholder.tui.screens.draft import DraftScreen

        draft = self.drafts[str(message.option.id)]
        app = cast("PenholderApp", self.app)
        snapshot = app.snapshot
        self.dismiss(None)
        action = Action(draft.action)
        if not draft.key.refers:
            app.push_screen(DraftScreen(None, edit=True, action=Action.PROPOSE, saved=draft))
            return
        refers = tuple(draft.key.refers.split(","))
        if snapshot is None or any(r not in snapshot.history for r in refers):
            app.notify(
                "the version this draft answers is not in this negotiation", severity="error"
            )
            return
        app.push_screen(
            DraftScreen(refers[0], edit=True, action=action, refers=refers, saved=draft)
        )

    def action_discard(self) -> None:
        options = self.query_one("#drafts", OptionList)
        if options.highlighted is None:
            return
        stem = str(options.get_option_at_index(options.highlighted).id)
        draft = self.drafts.pop(stem)
        cast("PenholderApp", self.app).drafts.discard(draft.key)
        options.remove_option(stem)
        self.notify("draft discarded")
        if not self.drafts:
            self.dismiss(None)

    def action_later(self) -> None:
        self.dismiss(None)
