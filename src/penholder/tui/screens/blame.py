"""Who wrote what: a version's text coloured by the actor who first proposed each word, a legend,
and a status line naming the author, round and version of the word under the cursor. The
attribution is computed in a worker."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, Static

from penholder.core.errors import PenholderError
from penholder.core.views.blame import Span
from penholder.tui.attribution import BlameText
from penholder.tui.desk import describe
from penholder.tui.safe import markup, one_line
from penholder.tui.screens.base import PenholderScreen, styles
from penholder.tui.widgets.blame_view import BlameLegend, BlameView


class BlameScreen(PenholderScreen):
    CSS_PATH = styles("blame")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="blame.back"),
        Binding("l", "clauses", "Clauses", id="blame.clauses"),
        Binding("t", "columns", "Four columns", id="blame.columns"),
    ]

    def __init__(self, sha: str, document: str) -> None:
        super().__init__()
        self.sha = sha
        self.document = document
        self.blame: BlameText | None = None

    @property
    def selected_sha(self) -> str | None:
        return self.sha

    def compose(self) -> ComposeResult:
        yield Header(icon="✒")
        yield Static("", id="blame-title")
        yield BlameLegend(id="blame-legend")
        yield BlameView(id="blame")
        yield Static("", id="blame-status")
        yield Footer()

    @property
    def view(self) -> BlameView:
        return self.query_one("#blame", BlameView)

    def on_mount(self) -> None:
        snapshot = self.penholder.snapshot
        assert snapshot is not None
        v = snapshot.version(self.sha)
        self.query_one("#blame-title", Static).update(
            markup(
                "[b]Who wrote what[/b] in $doc at $line",
                doc=self.document,
                line=describe(v, snapshot.roster),
            )
        )
        self.view.focus()
        self.view.show(None, "finding who wrote each word…")
        self.compute()

    @work(thread=True, exclusive=True, group="blame", exit_on_error=False)
    def compute(self) -> None:
        try:
            spans = self.penholder.desk.blame(self.sha, self.document)
        except PenholderError as exc:
            self.app.call_from_thread(self.failed, f"{exc.rule}: {exc.message}")
            return
        self.app.call_from_thread(self.computed, spans)

    def failed(self, message: str) -> None:
        self.view.show(None, message)

    def computed(self, spans: list[Span]) -> None:
        snapshot = self.penholder.snapshot
        actors = snapshot.roster.ids() if snapshot is not None else []
        self.blame = BlameText(spans, actors)
        self.query_one(BlameLegend).show(self.blame)
        self.view.show(self.blame, "" if self.blame.text else "the text is empty")

    @on(BlameView.Moved)
    def moved(self, message: BlameView.Moved) -> None:
        status = self.query_one("#blame-status", Static)
        author = message.author
        snapshot = self.penholder.snapshot
        if author is None or snapshot is None or self.blame is None:
            status.update("")
            return
        start, end = self.blame.focus(message.offset)
        word = self.blame.text[start:end]
        word = word if len(word) <= 30 else word[:29] + "…"
        v = snapshot.history.get(author.version)
        found = snapshot.roster.actor(author.actor)
        role = f" ({found.role})" if found else ""
        what = f"{v.action} {v.short} “{v.subject}”" if v is not None else author.version[:10]
        status.update(
            markup(
                "“$word”  written by [b]$actor[/b]$role in [b]round $round[/b] · $what",
                word=one_line(word),
                actor=author.actor,
                role=role,
                round=str(author.round),
                what=what,
            )
        )

    def action_clauses(self) -> None:
        self.penholder.open_clauses(self.sha)

    def action_columns(self) -> None:
        self.penholder.open_columns(self.sha)
