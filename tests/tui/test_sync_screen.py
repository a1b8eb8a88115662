"""Sync from the app against a real second repository on disk: what verifies comes in and the
table shows it; a branch that does not verify is refused and shown with its rule."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, OptionList, Static
from tui_demo import SIZE, Demo
from tui_pilot import ready, settle

from penholder.core.model import Action, Version
from penholder.core.store.negotiation import Negotiation, Request
from penholder.core.sync.state import add_remote
from penholder.demo.keys import demo_private_key
from penholder.tui.screens.sync import RemotesScreen, SyncScreen
from penholder.tui.screens.table import TableScreen
from penholder.tui.widgets.timeline import Timeline

WHEN = 1_761_998_400  # 2025-11-01 12:00 UTC, the pinned clock


def remote_with_news(demo: Demo, url: str | None = None) -> tuple[Path, Version, Version]:
    """A bare clone of the demo beside it, added as `origin`, where afghanistan receipts the
    annex and qatar answers it; the remote's pakistan branch is then moved onto qatar's
    version (a fast-forward, but not signed by pakistan: refused)."""
    remote = demo.repo.parent / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(demo.repo), str(remote)], check=True)
    add_remote(demo.repo, "origin", f"file://{remote}")
    if url is not None:  # a path relative to the negotiation, for a snapshot that never moves
        subprocess.run(
            ["git", "-C", str(demo.repo), "config", "remote.origin.url", url], check=True
        )
    negotiation = Negotiation(remote)
    head = negotiation.history.heads("annex-monitoring")[0]
    kabul = negotiation.act(
        Request(
            "afghanistan",
            Action.RECEIPT,
            "Annex amendments received in Kabul",
            refers=(head,),
            document="annex-monitoring",
        ),
        demo_private_key("afghanistan"),
        when=WHEN,
    )
    doha = negotiation.act(
        Request(
            "qatar",
            Action.RECEIPT,
            "Pakistani amendments to the annex received",
            refers=(head,),
            document="annex-monitoring",
        ),
        demo_private_key("qatar"),
        when=WHEN + 60,
    )
    negotiation.close()
    subprocess.run(
        ["git", "-C", str(remote), "update-ref", "refs/heads/pakistan", doha.sha], check=True
    )
    return remote, kabul, doha


def rows(table: DataTable[Any]) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_sync_brings_in_what_verifies_and_refuses_the_rest(demo: Demo) -> None:
    _, kabul, doha = remote_with_news(demo)
    app = demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.snapshot is not None and kabul.sha not in app.snapshot.history
        await pilot.press("S")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SyncScreen) and screen.report is not None
        found = {row[0]: row for row in rows(screen.query_one("#sync-branches", DataTable))}
        assert found["afghanistan"][1] == "fast-forward"
        assert found["qatar"][1] == "fast-forward"
        assert found["turkiye"][1] == "unchanged"
        refused = found["pakistan"]
        assert refused[1] == "refused-verify" and refused[3] == "branch-tip"
        assert doha.short in refused[2]
        detail = str(screen.query_one("#sync-detail", Static).render())
        assert "pakistan refused-verify" in detail, "the refused branch is shown first"
        assert f"branch-tip  {doha.short}  qatar: branch pakistan points at a version" in detail
        summary = screen.query_one("#sync-summary", Static)
        assert summary.has_class("failed") and "1 branch refused" in str(summary.render())
        # The table reloaded behind the sync screen: both new versions are in the timeline.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TableScreen)
        timeline = app.screen.query_one(Timeline)
        assert app.snapshot is not None
        assert {kabul.sha, doha.sha} <= set(app.snapshot.shas)
        assert timeline.select(kabul.sha)
        # The roster panel: each branch against origin, and when each actor was last heard.
        roster = app.screen.query_one("#roster", DataTable)
        assert str(roster.ordered_columns[4].label) == "origin"
        panel = {row[1]: row for row in rows(roster)}
        assert panel["afghanistan"][4] == "✓ even" and panel["afghanistan"][5] == "just now"
        assert panel["turkiye"][5] == "22 h ago"  # its comment of 2025-10-31 14:00, as signed


async def test_sync_without_a_remote_says_how_to_add_one(shared_demo: Demo) -> None:
    app = shared_demo.app()
    said: list[str] = []
    notify = app.notify

    def record(message: str, **kwargs: Any) -> None:
        said.append(message)
        notify(message, **kwargs)

    app.notify = record  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        roster = app.screen.query_one("#roster", DataTable)
        assert str(roster.get_row_at(0)[4]) == "—"
        assert "no remote" in str(app.screen.query_one("#summary").render())
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, TableScreen)
        assert any("penholder remote add NAME URL" in m for m in said), said


async def test_several_remotes_are_offered_in_a_picker(demo: Demo) -> None:
    remote, kabul, _ = remote_with_news(demo)
    add_remote(demo.repo, "backup", str(remote))
    app = demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, RemotesScreen)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        await pilot.press("enter")  # backup, the first by name
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen) and app.screen.remote == "backup"
        assert app.remote == "backup" and app.snapshot is not None
        assert kabul.sha in app.snapshot.history
