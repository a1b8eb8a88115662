"""Printable exports from the app: the certificate of the agreed accord (md, html, pdf), a DRAFT
certificate of a text not agreed, and the redline on the diff screen."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, RadioButton, Static
from tui_demo import SIZE, Demo
from tui_pilot import current, ready, settle

from penholder.core.model import Action
from penholder.core.store.negotiation import Negotiation
from penholder.tui.app import PenholderApp
from penholder.tui.screens.diff import DiffScreen
from penholder.tui.screens.export import ExportScreen

needs_pdf = pytest.mark.skipif(
    importlib.util.find_spec("weasyprint") is None, reason="WeasyPrint is not installed"
)


def agreed_accord(demo: Demo) -> tuple[str, list[tuple[str, str]]]:
    """The agreed accord and each (actor, sha) that signed or endorsed it."""
    history = Negotiation(demo.repo).history
    sha = next(
        s
        for s in history.shas_in_order()
        if sum(w.action == Action.SIGN for w in history.referring(s)) == 2
    )
    signatures = [
        (w.actor, w.sha)
        for w in history.referring(sha)
        if w.action in (Action.SIGN, Action.ENDORSE)
    ]
    return sha, signatures


async def export(pilot: Pilot[None], path: Path, fmt: str | None = None) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, ExportScreen)
    screen.query_one("#path", Input).value = str(path)
    if fmt is not None:  # choosing a format gives the file its suffix
        screen.query_one(f"#format-{fmt}", RadioButton).value = True
        await pilot.pause()
        assert screen.query_one("#path", Input).value == str(path.with_suffix(f".{fmt}"))
    await pilot.press("ctrl+s")
    await settle(pilot)


async def open_certificate(pilot: Pilot[None], sha: str) -> ExportScreen:
    app = pilot.app
    assert isinstance(app, PenholderApp)
    app.export_certificate(sha)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ExportScreen)
    return screen


async def test_certificate_of_the_agreed_accord_names_every_signature(
    shared_demo: Demo, tmp_path: Path
) -> None:
    sha, signatures = agreed_accord(shared_demo)
    assert len(signatures) == 4
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = await open_certificate(pilot, sha)
        assert not screen.job.draft and not screen.query("#draft-warning")
        assert screen.query_one("#path", Input).value == f"certificate-{sha[:10]}.md"
        await export(pilot, tmp_path / "accord.md")
        assert not isinstance(app.screen, ExportScreen)
        text = (tmp_path / "accord.md").read_text()
        assert sha in text and "Status: AGREED" in text
        for actor, signature in signatures:
            assert signature in text and f"({actor}, " in text
        await open_certificate(pilot, sha)
        await export(pilot, tmp_path / "accord.md", "html")
        page = (tmp_path / "accord.html").read_text()
        assert page.lstrip().lower().startswith("<!doctype html")
        assert all(signature in page for _, signature in signatures)


@needs_pdf
async def test_certificate_as_pdf(shared_demo: Demo, tmp_path: Path) -> None:
    sha, _ = agreed_accord(shared_demo)
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await open_certificate(pilot, sha)
        await export(pilot, tmp_path / "accord.pdf", "pdf")
        assert (tmp_path / "accord.pdf").read_bytes().startswith(b"%PDF")


async def test_a_text_not_agreed_is_certified_as_a_draft(shared_demo: Demo, tmp_path: Path) -> None:
    history = Negotiation(shared_demo.repo).history
    amendment = next(
        s
        for s in history.shas_in_order()
        if history.version(s).action == Action.AMEND and history.version(s).actor == "pakistan"
    )
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = await open_certificate(pilot, amendment)
        assert screen.job.draft
        assert "DRAFT" in str(screen.query_one("#draft-warning", Static).render())
        (tmp_path / "draft.md").write_text("an older file")
        await export(pilot, tmp_path / "draft.md")
        assert isinstance(app.screen, ExportScreen), "an existing file is replaced only on ^s again"
        assert "exists" in str(app.screen.query_one("#error", Static).render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(current(app), ExportScreen)
        text = (tmp_path / "draft.md").read_text()
        assert "DRAFT" in text and amendment in text


async def test_redline_on_the_diff_screen(shared_demo: Demo, tmp_path: Path) -> None:
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("up", "d")
        await settle(pilot)
        diff = app.screen
        assert isinstance(diff, DiffScreen) and diff.old is not None
        assert "Export redline" in {c.title for c in app.get_system_commands(current(app))}
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ExportScreen) and screen.job.kind == "redline"
        assert screen.job.formats == ("html", "pdf")
        await export(pilot, tmp_path / "redline.html")
        page = (tmp_path / "redline.html").read_text()
        assert "Redline of annex-monitoring" in page and "<ins>" in page
        assert diff.old in page and diff.new in page
