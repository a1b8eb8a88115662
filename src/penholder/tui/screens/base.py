"""What the app's screens share: the app typed as Penholder's, acting on a version, and the
stylesheets beside them."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import TYPE_CHECKING, cast

from textual.screen import Screen

from penholder.core.model import Action

if TYPE_CHECKING:
    from penholder.tui.app import PenholderApp

HERE = Path(__file__).parent


def styles(*names: str) -> list[str | PurePath]:
    """A screen's CSS_PATH: the `<name>.tcss` files in this folder. Textual reads them into the
    app's stylesheet the first time the screen is shown; from then on their rules rank with the
    app's own (above any widget's DEFAULT_CSS) and reach every screen, so each file styles only
    ids its screens own ("dialog" is the frame every dialog shares)."""
    return [HERE / f"{name}.tcss" for name in names]


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
