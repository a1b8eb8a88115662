"""Any two versions compared: inline or side by side, by word, character or line, unchanged
paragraphs folded, next/previous change. The diff is computed in a worker; keys stay answered
while it runs."""

from __future__ import annotations

import time
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, Static

from penholder.core.actions import Base, base_version, text_version
from penholder.tui.redline import Granularity, Redline, stats_line
from penholder.tui.safe import plain
from penholder.tui.screens.base import PenholderScreen, styles
from penholder.tui.widgets.redline_view import RedlineView

GRANULARITIES: tuple[Granularity, ...] = ("word", "char", "line")
BASES = {
    "answered": "against the version it answers",
    "round": "against the previous round",
    "seen": "since you last saw it",
    "marks": "between the two marked versions",
}


class DiffScreen(PenholderScreen):
    CSS_PATH = styles("diff")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="diff.back"),
        Binding("v", "toggle_view", "Inline/side", id="diff.view"),
        Binding("g", "granularity", "Word/char/line", id="diff.granularity"),
        Binding("z", "toggle_fold", "Fold", id="diff.fold"),
        Binding("1", "base('answered')", "vs answered", show=False, id="diff.answered"),
        Binding("2", "base('round')", "vs previous round", id="diff.round"),
        Binding("3", "base('seen')", "since I saw", id="diff.seen"),
        Binding("x", "export", "Export", id="diff.export"),
    ]

    def __init__(self, old: str | None, new: str, *, base: str = "answered") -> None:
        super().__init__()
        self.old = old
        self.new = new
        self.base = base
        self.granularity: Granularity = "word"
        self.redline: Redline | None = None
        self.seconds = 0.0
        self.change_text = ""
        self.text_sha = new
        self.document: str | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="✒")
        yield Static("", id="diff-title")
        yield Static("", id="diff-status")
        yield RedlineView(id="redline")
        yield Footer()

    @property
    def view(self) -> RedlineView:
        return self.query_one("#redline", RedlineView)

    @property
    def selected_sha(self) -> str | None:
        return self.new

    def on_mount(self) -> None:
        self.view.focus()
        self.compare()

    # computing ---------------------------------------------------------------------------

    def compare(self) -> None:
        snapshot = self.penholder.snapshot
        if snapshot is None:
            return
        history = snapshot.history
        new_version = snapshot.version(self.new)
        text_sha = text_version(history, new_version) or self.new
        subject = snapshot.version(text_sha)
        actor = self.penholder.actor or ""
        if self.base in tuple(Base) and (actor or self.base != Base.LAST_SEEN):
            self.old = base_version(history, subject, Base(self.base), actor)
        elif self.base == Base.LAST_SEEN:
            self.old = None  # reading only: nobody's view
        document = subject.document
        self.text_sha, self.document = text_sha, document
        self.query_one("#diff-title", Static).update(plain(self.title_text(document)))
        self.view.loading = True
        self.query_one("#diff-status", Static).update(f"computing the {self.granularity} diff…")
        self.compute(self.old, text_sha, document, self.granularity)

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def compute(
        self, old: str | None, new: str, document: str | None, granularity: Granularity
    ) -> None:
        start = time.perf_counter()
        redline = self.penholder.desk.redline(old, new, document, granularity)
        seconds = time.perf_counter() - start
        self.app.call_from_thread(self.computed, redline, granularity, seconds)

    def computed(self, redline: Redline, granularity: Granularity, seconds: float) -> None:
        if granularity != self.granularity:
            return
        self.redline = redline
        self.seconds = seconds
        self.view.loading = False
        self.view.show(redline)
        if self.view.change_count:
            self.view.go_to_change(0)
        self.update_status()

    # painting ----------------------------------------------------------------------------

    def title_text(self, document: str | None) -> str:
        snapshot = self.penholder.snapshot
        assert snapshot is not None

        def name(sha: str | None) -> str:
            if sha is None:
                return "(nothing yet)"
            v = snapshot.version(sha)
            return f"{v.short} ({v.actor} {v.action}, r{v.round})"

        versions = f"{name(self.old)} → {name(self.new)}"
        return f"{document or 'text'}: {versions}   {BASES.get(self.base, '')}"

    def update_status(self) -> None:
        view = self.view
        parts = [self.granularity, view.mode, "folded" if view.fold else "whole"]
        if self.redline is not None:
            total = view.change_count
            if total:
                parts.append(f"change {max(view.current, 0) + 1}/{total}")
            parts.append(stats_line(self.redline.diff))
        self.query_one("#diff-status", Static).update(plain(" · ".join(parts)))

    @on(RedlineView.ChangeMoved)
    def change_moved(self) -> None:
        self.update_status()

    # keys --------------------------------------------------------------------------------

    def action_toggle_view(self) -> None:
        self.view.mode = "side" if self.view.mode == "inline" else "inline"
        self.update_status()

    def action_toggle_fold(self) -> None:
        self.view.fold = not self.view.fold
        self.update_status()

    def action_granularity(self) -> None:
        index = GRANULARITIES.index(self.granularity)
        self.granularity = GRANULARITIES[(index + 1) % len(GRANULARITIES)]
        self.compare()

    def action_base(self, base: str) -> None:
        self.base = base
        self.compare()

    def action_export(self) -> None:
        """The redline on screen, printable: html or pdf."""
        from penholder.tui.screens.export import ExportScreen, redline_job

        snapshot = self.penholder.snapshot
        if snapshot is None or self.document is None:
            self.notify("this version carries no text to export", severity="warning")
            return
        job = redline_job(snapshot, self.old, self.text_sha, self.document, self.granularity)
        self.app.push_screen(ExportScreen(job), self.penholder.exported)
