"""Helpers for driving the app with Pilot, without sleeping."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot
from textual.screen import Screen

from penholder.tui.app import PenholderApp
from penholder.tui.screens.unlock import UnlockScreen


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker has finished and the messages they posted are handled. A
    worker waiting on the unlock dialog is not waited for: it waits for the test."""
    app = pilot.app
    for _ in range(50):
        await pilot.pause()
        waiting_on_dialog = isinstance(app.screen, UnlockScreen)
        busy = [
            w
            for w in app.workers
            if not w.is_finished and not (waiting_on_dialog and w.group == "submit")
        ]
        if not busy:
            break
        await asyncio.wait([asyncio.ensure_future(w.wait()) for w in busy])
    await pilot.pause()
    # Scrolls the handlers started (the first load scrolls the timeline to its newest row)
    # land before the test goes on, whatever the machine's load.
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def ready(pilot: Pilot[None]) -> PenholderApp:
    """Wait for the negotiation to be loaded and the signatures checked."""
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, PenholderApp)
    assert app.snapshot is not None
    return app


async def type_text(pilot: Pilot[None], text: str) -> None:
    keys = {" ": "space", "\n": "enter", ".": "full_stop", "#": "number_sign", ",": "comma"}
    await pilot.press(*[keys.get(c, c) for c in text])


def current(app: PenholderApp) -> Screen[object]:
    """The screen on top, as a plain `Screen` (a fresh look, whatever was asserted before)."""
    return app.screen
