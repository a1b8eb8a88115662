"""Unlocking a key: a masked passphrase, checked in a worker. The key stays unlocked for this
session only; the passphrase is never stored, and the demo hint is shown, never prefilled."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from penholder.core.errors import PenholderError
from penholder.tui.safe import plain
from penholder.tui.screens.base import styles

if TYPE_CHECKING:
    from penholder.tui.app import PenholderApp


class UnlockScreen(ModalScreen[bool]):
    CSS_PATH = styles("dialog", "unlock")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="unlock.cancel")
    ]

    def __init__(self, actor: str) -> None:
        super().__init__()
        self.actor = actor

    @property
    def penholder(self) -> PenholderApp:
        return cast("PenholderApp", self.app)

    def compose(self) -> ComposeResult:
        snapshot = self.penholder.snapshot
        found = snapshot.roster.actor(self.actor) if snapshot else None
        with Vertical(id="dialog", classes="dialog narrow"):
            yield Static(plain(f"Unlock the key of {self.actor}"), classes="dialog-title")
            if found is not None:
                yield Static(
                    plain(f"{found.name} · {found.role}\n{found.fingerprint}"), classes="muted"
                )
            yield Input(password=True, placeholder="passphrase", id="passphrase")
            hint = os.environ.get("PENHOLDER_DEMO_PASSPHRASE")
            if hint:
                yield Static(plain(f"demo passphrase: {hint}"), classes="hint")
            yield Static("The key stays unlocked until you quit.", classes="muted")
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Unlock  ⏎", variant="primary", id="unlock")
                yield Button("Cancel  esc", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#passphrase").focus()

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#unlock")
    def try_it(self) -> None:
        field = self.query_one("#passphrase", Input)
        self.query_one("#error", Static).update("unlocking…")
        self.unlock(field.value)

    @work(thread=True, exclusive=True, group="unlock")
    def unlock(self, passphrase: str) -> None:
        try:
            self.penholder.desk.unlock(self.actor, passphrase.encode("utf-8"))
        except PenholderError as exc:
            self.app.call_from_thread(self.refused, exc.rule, exc.message)
            return
        self.app.call_from_thread(self.dismiss, True)

    def refused(self, rule: str, message: str) -> None:
        field = self.query_one("#passphrase", Input)
        field.value = ""
        field.focus()
        error = self.query_one("#error", Static)
        error.update(plain(f"{rule}: {message}"))
        error.add_class("visible")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
