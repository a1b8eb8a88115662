"""Who wrote what, the clause table and the four-column view, on the demo's texts."""

from __future__ import annotations

import random

import pytest
from textual.widgets import DataTable, Static
from tui_demo import SIZE, Demo
from tui_pilot import current, ready, settle

from penholder.core.model import Action
from penholder.core.store.negotiation import Negotiation
from penholder.core.views.blame import Span
from penholder.core.views.clauses import clause_table
from penholder.tui.attribution import BlameLayout, BlameText
from penholder.tui.screens.blame import BlameScreen
from penholder.tui.screens.clauses import ClausesScreen
from penholder.tui.screens.columns import ColumnsScreen
from penholder.tui.screens.draft import DraftScreen
from penholder.tui.widgets.blame_view import SLOTS, BlameLegend, BlameView
from penholder.tui.widgets.columns_view import ColumnsView


def versions(demo: Demo) -> tuple[str, str, str, str]:
    """The agreed accord, the first Pakistani amendment of it, and the two parties' last
    amendments before the consolidation."""
    history = Negotiation(demo.repo).history

    def of(actor: str, action: Action) -> list[str]:
        return [
            s
            for s in history.shas_in_order()
            if history.version(s).actor == actor
            and history.version(s).action == action
            and history.version(s).document == "accord"
        ]

    agreed = of("qatar", Action.CONSOLIDATE)[-1]
    return (
        agreed,
        of("pakistan", Action.AMEND)[0],
        of("pakistan", Action.AMEND)[-1],
        of("afghanistan", Action.AMEND)[-1],
    )


def status_text(screen: BlameScreen) -> str:
    return str(screen.query_one("#blame-status", Static).render())


async def test_blame_colours_each_author_and_names_the_one_under_the_cursor(
    shared_demo: Demo,
) -> None:
    agreed, *_ = versions(shared_demo)
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.open_blame(agreed)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BlameScreen) and screen.blame is not None
        blame = screen.blame
        assert blame.text.startswith("# Interim Understanding")
        view = screen.query_one(BlameView)
        legend = screen.query_one(BlameLegend)
        assert {actor for actor, _, _ in legend.entries} >= {"pakistan", "turkiye"}
        # The cursor starts on the first word: pakistan proposed the text in round 2.
        assert view.author is not None and view.author.actor == "pakistan"
        assert "written by pakistan (party) in round 2" in status_text(screen)
        # n: the next passage by someone else, named in the status line.
        await pilot.press("n")
        author = view.author
        assert author is not None and author.actor != "pakistan"
        assert f"written by {author.actor}" in status_text(screen)
        assert f"round {author.round}" in status_text(screen)
        # Each actor has its own colour slot, painted from the theme's variables.
        styles = view._style_map()
        assert styles[SLOTS[blame.slots["pakistan"]]] != styles[SLOTS[blame.slots[author.actor]]]
        line = view.layout_.line_of(view.cursor) - view.scroll_offset.y  # type: ignore[union-attr]
        strip = view.render_line(line)
        word = blame.text[slice(*blame.focus(view.cursor))]
        painted = next(s for s in strip if s.text == word)
        assert painted.style == styles[SLOTS[author.slot]] + styles["blame--cursor"]
        await pilot.press("right", "down", "left", "up", "end", "home")
        assert view.cursor == 0
        titles = {c.title for c in app.get_system_commands(current(app))}
        assert {"Next author", "Previous author", "Clauses", "Export certificate"} <= titles


async def test_clause_table_of_the_agreed_accord_and_of_an_early_amendment(
    shared_demo: Demo,
) -> None:
    agreed, first_amendment, _, _ = versions(shared_demo)
    negotiation = Negotiation(shared_demo.repo)
    expected = clause_table(negotiation, negotiation.version(first_amendment))
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.open_clauses(agreed)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClausesScreen)
        table = screen.query_one("#clauses", DataTable)
        statuses = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        assert table.row_count == len(screen.clauses) > 40 and statuses == {"signed"}
        assert "open brackets by round" in str(screen.query_one("#clauses-trend").render())
        await pilot.press("escape")
        app.open_clauses(first_amendment)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClausesScreen)
        table = screen.query_one("#clauses", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[2] for r in rows] == [c.status for c in expected]
        bracketed = [r for r in rows if r[2] == "bracketed"]
        assert bracketed and all(int(r[3]) > 0 for r in bracketed)
        assert {r[5] for r in rows} == {"pakistan"}
        await pilot.press("down")
        assert expected[1].text[:20] in str(screen.query_one("#clause-text", Static).render())


async def test_four_columns_show_both_positions_and_the_compromise(shared_demo: Demo) -> None:
    agreed, _, pakistan, afghanistan = versions(shared_demo)
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.open_columns(agreed)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ColumnsScreen) and screen.trilogue is not None
        columns = screen.trilogue.columns
        assert [c.title for c in columns] == ["base", "pakistan", "afghanistan", "mediators"]
        assert [c.version.sha for c in columns[1:] if c.version] == [pakistan, afghanistan, agreed]
        base = columns[0].version
        assert base is not None and columns[1].version is not None
        assert base.sha == columns[1].version.refers[0], "the version both amendments answer"
        head = str(screen.query_one("#columns-head", Static).render())
        assert "pakistan's position" in head and "afghanistan's position" in head
        assert "mediators' compromise" in head and pakistan[:10] in head
        view = screen.query_one(ColumnsView)
        assert view.layout_ is not None and screen.trilogue.changed_rows > 0
        first = "".join(t for t, _ in view.layout_.line(0))
        assert first.count("# Interim Understanding") == 4
        await pilot.press("c")
        assert view.layout_ is not None and all(r.changed for r in view.layout_.rows)
        keys = {k for y in range(view.layout_.total) for _, k in view.layout_.line(y)}
        assert "insert" in keys or "delete" in keys


async def test_all_three_are_reached_from_the_version_view(shared_demo: Demo) -> None:
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("up", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DraftScreen)
        for key, kind in (("b", BlameScreen), ("l", ClausesScreen), ("t", ColumnsScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(current(app), kind)
            await pilot.press("escape")
            assert isinstance(current(app), DraftScreen)


def test_blame_layout_of_a_megabyte_paints_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    """Laying out keeps only where lines start; the runs of a line are computed when it is
    painted. (How long a megabyte takes on screen is bench/bench_tui.py's blame row.)"""
    rng = random.Random(7)
    words = [f"word{n}" for n in range(300)]
    paragraphs = [" ".join(rng.choices(words, k=rng.randint(20, 200))) for _ in range(1700)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 1_000_000
    spans, at = [], 0
    while at < len(text):
        size = rng.randint(10, 2000)
        actor = rng.choice(["qatar", "turkiye", "pakistan", "afghanistan"])
        spans.append(Span(text[at : at + size], actor, 2, f"{rng.getrandbits(160):040x}"))
        at += size
    blame = BlameText(spans, ["qatar", "turkiye", "pakistan", "afghanistan"])
    painted: list[tuple[int, int]] = []
    pieces_of = blame.pieces

    def counted(start: int, end: int) -> list[tuple[int, int, int]]:
        painted.append((start, end))
        return pieces_of(start, end)

    monkeypatch.setattr(blame, "pieces", counted)
    layout = BlameLayout(blame, 100)
    assert blame.text == text and layout.total > 10_000
    assert painted == []
    middle = layout.total // 2
    pieces = layout.line(middle)
    assert painted == [(layout.starts[middle], layout.ends[middle])]
    assert pieces and all(blame.text[a:b] for a, b, _ in pieces)
    assert (
        "".join(text[a:b] for a, b, _ in pieces)
        == text[layout.starts[middle] : layout.ends[middle]]
    )
    assert all(e - s <= 100 for s, e in zip(layout.starts, layout.ends, strict=True))
    offset = layout.starts[middle] + 3
    word = blame.word_at(offset)
    assert not text[word[0] : word[1]].isspace() and blame.next_word(offset) > word[0]
