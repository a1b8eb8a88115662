"""The four-column view of a document, in the manner of EU trilogues: the base text, each party's
position and the mediators' compromise, aligned by clause id, each marked up against the base
(see `penholder.tui.trilogue` for which versions fill the columns). Built in a worker."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer, Header, Static

from penholder.core.errors import PenholderError
from penholder.tui.safe import markup, one_line, plain
from penholder.tui.screens.base import PenholderScreen, styles
from penholder.tui.trilogue import SEPARATOR, Column, Trilogue
from penholder.tui.widgets.columns_view import ColumnsView


def header_cell(column: Column, width: int) -> tuple[str, str]:
    """Two lines for a column's head: whose text, and which version."""
    title = {"base": "base text", "mediator": "mediators' compromise"}.get(
        column.role, f"{column.title}'s position"
    )
    v = column.version
    below = f"{v.short} r{v.round} {v.actor} {v.action}" if v else "(no text yet)"
    title, below = one_line(title), one_line(below)
    return title[:width].ljust(width), below[:width].ljust(width)


class ColumnsScreen(PenholderScreen):
    CSS_PATH = styles("columns")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="columns.back"),
        Binding("c", "only_changed", "Only differences", id="columns.only-changed"),
        Binding("b", "blame", "Who wrote what", show=False, id="columns.blame"),
        Binding("l", "clauses", "Clauses", show=False, id="columns.clauses"),
    ]

    def __init__(self, sha: str, document: str) -> None:
        super().__init__()
        self.sha = sha
        self.document = document
        self.trilogue: Trilogue | None = None

    @property
    def selected_sha(self) -> str | None:
        return self.sha

    def compose(self) -> ComposeResult:
        yield Header(icon="✒")
        yield Static("", id="columns-title")
        yield Static("", id="columns-head")
        yield ColumnsView(id="columns")
        yield Footer()

    @property
    def view(self) -> ColumnsView:
        return self.query_one("#columns", ColumnsView)

    def on_mount(self) -> None:
        self.query_one("#columns-title", Static).update(
            markup("[b]$doc[/b] in four columns · building…", doc=self.document)
        )
        self.view.focus()
        self.view.show(None, "aligning the clauses of every position…")
        self.build()

    @work(thread=True, exclusive=True, group="columns", exit_on_error=False)
    def build(self) -> None:
        try:
            trilogue = self.penholder.desk.trilogue(self.sha, self.document)
        except PenholderError as exc:
            self.app.call_from_thread(self.failed, f"{exc.rule}: {exc.message}")
            return
        self.app.call_from_thread(self.built, trilogue)

    def failed(self, message: str) -> None:
        self.view.show(None, message)

    def built(self, trilogue: Trilogue) -> None:
        self.trilogue = trilogue
        self.update_title()
        self.view.show(trilogue)

    def update_title(self) -> None:
        trilogue = self.trilogue
        if trilogue is None:
            return
        only = " · only clauses that differ (c: all)" if self.view.only_changed else ""
        self.query_one("#columns-title", Static).update(
            markup(
                "[b]$doc[/b] in four columns as the timeline stood at $at · base: $why · "
                "$changed of $count clauses differ from the base$only",
                doc=trilogue.document,
                at=trilogue.at.short,
                why=trilogue.base_why,
                changed=str(trilogue.changed_rows),
                count=str(len(trilogue.rows)),
                only=only,
            )
        )

    @on(ColumnsView.LaidOut)
    def laid_out(self, message: ColumnsView.LaidOut) -> None:
        if self.trilogue is None:
            return
        cells = [header_cell(c, message.column) for c in self.trilogue.columns]
        top = SEPARATOR.join(c[0] for c in cells)
        below = SEPARATOR.join(c[1] for c in cells)
        self.query_one("#columns-head", Static).update(
            Content.assemble(markup("[b]$top[/b]\n", top=top), plain(below))
        )

    def action_only_changed(self) -> None:
        self.view.set_only_changed(not self.view.only_changed)
        self.update_title()

    def action_blame(self) -> None:
        self.penholder.open_blame(self.sha)

    def action_clauses(self) -> None:
        self.penholder.open_clauses(self.sha)
