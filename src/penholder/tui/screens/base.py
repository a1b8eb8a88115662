"""What the app's screens share: the app typed as Penholder's, and acting on a version."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

from penholder.core.model import Action

if TYPE_CHECKING:
    from penholder.tui.app import PenholderApp


class PenholderScreen(Screen[None]):
    """A screen that knows which version it is about (`selected_sha`) and can act on it."""

    @property
    def penholder(self) -> PenholderApp:
        return cast("PenholderApp", self.app)

    @property
    def selected_sha(self) -> str | None:
        return None

    def action_act(self, action: str) -> None:
        self.penholder.begin(Action(action), self.selected_sha)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
