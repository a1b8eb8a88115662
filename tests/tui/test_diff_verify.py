"""The diff screen's toggles and navigation; verification, clean and tampered."""

from __future__ import annotations

import subprocess

from textual.widgets import DataTable, Static
from tui_demo import SIZE, Demo
from tui_pilot import ready, settle

from penholder.core.store.negotiation import Negotiation
from penholder.tui.config import load_config
from penholder.tui.drafts import DraftKey, DraftStore, SavedDraft
from penholder.tui.redline import Redline, breaks, compare
from penholder.tui.screens.diff import DiffScreen
from penholder.tui.screens.table import TableScreen
from penholder.tui.screens.verify import VerifyScreen
from penholder.tui.widgets.redline_view import RedlineView
from penholder.tui.widgets.timeline import Timeline


def an_amendment(demo: Demo) -> str:
    history = Negotiation(demo.repo).history
    return next(v.sha for v in history.versions_in_order() if v.action == "amend")


async def test_diff_toggles_and_navigation(shared_demo: Demo) -> None:
    sha = an_amendment(shared_demo)
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.open_diff(None, sha)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DiffScreen) and screen.redline is not None
        view = screen.query_one(RedlineView)
        total = view.change_count
        assert total >= 2 and view.current == 0
        await pilot.press("n")
        assert view.current == 1
        await pilot.press("p", "p")
        assert view.current == 0
        status = screen.query_one("#diff-status", Static)
        assert "change 1/" in str(status.render())
        await pilot.press("v")
        assert view.mode == "side" and view.current == 0
        await pilot.press("z")
        assert view.fold is False and view.layout_ is not None
        assert view.layout_.total > 20
        await pilot.press("g")
        assert view.loading or screen.granularity == "char"
        await settle(pilot)
        assert screen.granularity == "char" and screen.redline.diff.granularity == "char"
        await pilot.press("g")
        await settle(pilot)
        granularity: str = screen.redline.diff.granularity  # changed by the key press
        assert granularity == "line"
        await pilot.press("2")
        await settle(pilot)
        assert screen.base == "round" and "previous round" in str(
            screen.query_one("#diff-title", Static).render()
        )
        await pilot.press("escape")
        assert isinstance(app.screen, TableScreen)


async def test_verify_all_good(shared_demo: Demo) -> None:
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("V")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, VerifyScreen) and screen.report is not None
        assert screen.report.ok
        summary = screen.query_one("#verify-summary", Static)
        assert summary.has_class("ok") and "verified" in str(summary.render())


async def test_verify_a_tampered_negotiation_shows_the_failing_version(demo: Demo) -> None:
    tips = Negotiation(demo.repo).tips
    subprocess.run(
        ["git", "-C", str(demo.repo), "update-ref", "refs/heads/pakistan", tips["qatar"]],
        check=True,
    )
    app = demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("V")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, VerifyScreen) and screen.report is not None
        rules = {(f.rule, f.sha) for f in screen.report.failures}
        assert ("branch-tip", tips["qatar"]) in rules
        assert screen.query_one("#verify-summary", Static).has_class("failed")
        table = screen.query_one("#failures", DataTable)
        row = next(i for i in range(table.row_count) if table.get_row_at(i)[2] == "branch-tip")
        table.move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TableScreen)
        assert app.screen.query_one(Timeline).selected == tips["qatar"]


def test_redline_layout_wraps_and_paints_lazily() -> None:
    assert breaks("aaa bbb ccc", 7) == [8]
    assert breaks("aaa bbb ccc", 5) == [4, 8]
    old = "# Title\n\n" + "".join(f"Para {n} says the same thing again.\n\n" for n in range(50))
    new = old.replace("Para 25 says", "Para 25 now says")
    redline = Redline(compare(old, new, "word"))
    layout = redline.layout("inline", True, 30)
    assert layout.changes and layout.total < 20, "unchanged paragraphs are folded"
    pieces = [p for y in range(layout.total) for p in layout.line(y)]
    assert ("now ", "insert") in pieces or any(k == "insert" for _, k in pieces)
    whole = redline.layout("side", False, 80)
    assert whole.total >= 100
    assert all(len("".join(t for t, _ in whole.line(y))) <= 80 for y in range(whole.total))


def test_config_reads_keys_and_reports_problems(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "config.toml"
    path.write_text('theme = "nord"\n[keys]\n"table.sign" = "ctrl+g"\n"app.help" = 3\n')
    config = load_config(path)
    assert config.theme == "nord" and config.keys == {"table.sign": "ctrl+g"}
    assert len(config.problems) == 1
    path.write_text("[keys\n")
    assert load_config(path).problems
    assert load_config(path.with_name("missing.toml")).keys == {}


def test_drafts_are_kept_by_negotiation_actor_and_version(tmp_path: object) -> None:
    from pathlib import Path

    store = DraftStore(Path(str(tmp_path)))
    key = DraftKey("neg", "qatar", "a" * 40, "accord")
    store.save(SavedDraft(key, "text", "amend", saved=5))
    assert store.load(key) == SavedDraft(key, "text", "amend", saved=5)
    assert store.pending("neg", "qatar")[0].text == "text"
    assert store.pending("neg", "pakistan") == []
    store.discard(key)
    assert store.pending("neg", "qatar") == []
