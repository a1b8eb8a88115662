"""The table: loading, the timeline, the preview, act as, remapped keys, help."""

from __future__ import annotations

from tui_demo import SIZE, Demo
from tui_pilot import ready, settle

from penholder.core.store.negotiation import Negotiation
from penholder.core.views.queries import inbox
from penholder.tui.screens.actas import ActAsScreen
from penholder.tui.screens.help import HelpScreen, binding_groups
from penholder.tui.screens.inbox import InboxScreen
from penholder.tui.screens.table import TableScreen
from penholder.tui.widgets.redline_view import RedlineView
from penholder.tui.widgets.timeline import Timeline


async def test_table_loads_the_negotiation(shared_demo: Demo) -> None:
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert isinstance(app.screen, TableScreen)
        timeline = app.screen.query_one(Timeline)
        total = len(Negotiation(shared_demo.repo).history)
        assert app.snapshot is not None and app.snapshot.count == total
        assert timeline.cursor == total - 1, "the cursor starts on the newest version"
        assert set(app.statuses.values()) == {"good"} and len(app.statuses) == total
        assert app.actor == "qatar"
        assert "as qatar" in app.sub_title


async def test_selecting_an_amendment_shows_its_redline(shared_demo: Demo) -> None:
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("up")  # 25fdaf86ec: pakistan amends the annex
        await settle(pilot)
        view = app.screen.query_one("#preview-diff", RedlineView)
        assert view.redline is not None and view.redline.diff.changed
        assert view.change_count >= 1
        await pilot.press("up")  # a receipt: no change to any text
        await settle(pilot)
        redline: object = view.redline  # moved by the key press, which mypy cannot see
        assert redline is None and "no change" in view.message_text


async def test_marks_and_diff_between_them(shared_demo: Demo) -> None:
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("up", "m", "up", "up", "up", "m", "d")
        await settle(pilot)
        from penholder.tui.screens.diff import DiffScreen

        screen = app.screen
        assert isinstance(screen, DiffScreen) and screen.base == "marks"
        assert screen.old is not None and screen.redline is not None


async def test_act_as_switches_actor(shared_demo: Demo) -> None:
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("a")
        assert isinstance(app.screen, ActAsScreen)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert app.actor == "pakistan"
        assert app.snapshot is not None
        assert all("pakistan" in v.to for v in app.snapshot.inbox)


async def test_a_remapped_key_replaces_the_default(shared_demo: Demo) -> None:
    app = shared_demo.app(keys={"app.inbox": "ctrl+o"})
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("i")
        assert isinstance(app.screen, TableScreen), "i is no longer the inbox key"
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, InboxScreen)


async def test_help_lists_every_binding_with_a_unique_id(shared_demo: Demo) -> None:
    ids = [getattr(b, "id", None) for _, group in binding_groups() for b in group]
    ids = [i for i in ids if i is not None]
    assert all(ids) and len(ids) == len(set(ids))
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        from textual.widgets import DataTable

        table = app.screen.query_one(DataTable)
        shown = {str(table.get_row_at(i)[3]) for i in range(table.row_count)}
        assert set(ids) <= shown


async def test_inbox_lists_what_awaits_and_opens_it(shared_demo: Demo) -> None:
    app = shared_demo.app(actor="afghanistan")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("i")
        await settle(pilot)
        from textual.widgets import OptionList

        options = app.screen.query_one("#inbox", OptionList)
        expected = inbox(Negotiation(shared_demo.repo).history, "afghanistan")
        assert options.option_count == len(expected) > 0
        await pilot.press("enter")
        await settle(pilot)
        from penholder.tui.screens.draft import DraftScreen

        assert isinstance(app.screen, DraftScreen)
