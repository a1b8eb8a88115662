"""The clauses of a version: number, title, status (open, bracketed, agreed ad referendum,
signed), open brackets, who proposed it, and the open brackets round by round; the highlighted
clause's text below. Computed in a worker."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Static

from penholder.core.errors import PenholderError
from penholder.core.views.clauses import BracketTrend, Clause
from penholder.tui.desk import describe
from penholder.tui.safe import cell, markup, plain
from penholder.tui.screens.base import PenholderScreen, styles
from penholder.tui.widgets.cells import styled

STATUS_STYLES = {
    "signed": "$text-success",
    "agreed ad referendum": "$text-primary",
    "bracketed": "$text-warning",
}
BAR = "▁▂▃▄▅▆▇█"


def status_cell(status: str) -> Text:
    style = STATUS_STYLES.get(status)
    return styled(f"[{style}]$status[/]", status=status) if style else cell(status)


def trend_line(trend: list[BracketTrend]) -> str:
    """Open brackets in the newest text of each round, with a bar for each."""
    if not trend:
        return "no text yet"
    top = max(max(t.total for t in trend), 1)
    parts = []
    for t in trend:
        bar = BAR[min(len(BAR) - 1, round((len(BAR) - 1) * t.total / top))] if t.total else " "
        parts.append(f"r{t.round} {bar} {t.total}")
    return "open brackets by round:  " + "   ".join(parts)


def clause_trend(clause: str, trend: list[BracketTrend]) -> str:
    return " → ".join(str(t.per_clause.get(clause, 0)) for t in trend)


class ClausesScreen(PenholderScreen):
    CSS_PATH = styles("clauses")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="clauses.back"),
        Binding("b", "blame", "Who wrote what", id="clauses.blame"),
        Binding("t", "columns", "Four columns", id="clauses.columns"),
    ]

    def __init__(self, sha: str, document: str) -> None:
        super().__init__()
        self.sha = sha
        self.document = document
        self.clauses: list[Clause] = []
        self.trend: list[BracketTrend] = []

    @property
    def selected_sha(self) -> str | None:
        return self.sha

    def compose(self) -> ComposeResult:
        yield Header(icon="✒")
        yield Static("", id="clauses-title")
        yield Static("", id="clauses-trend")
        yield DataTable(id="clauses", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="clause-text-box"):
            yield Static("", id="clause-text")
        yield Footer()

    def on_mount(self) -> None:
        snapshot = self.penholder.snapshot
        assert snapshot is not None
        self.query_one("#clauses-title", Static).update(
            markup(
                "[b]Clauses[/b] of $doc at $line",
                doc=self.document,
                line=describe(snapshot.version(self.sha), snapshot.roster),
            )
        )
        table = self.query_one("#clauses", DataTable)
        table.add_columns("no.", "title", "status", "[ ]", "by round", "proposed by")
        table.focus()
        self.query_one("#clauses-trend", Static).update("reading the clauses…")
        self.compute()

    @work(thread=True, exclusive=True, group="clauses", exit_on_error=False)
    def compute(self) -> None:
        try:
            clauses, trend = self.penholder.desk.clauses(self.sha, self.document)
        except PenholderError as exc:
            self.app.call_from_thread(self.failed, f"{exc.rule}: {exc.message}")
            return
        self.app.call_from_thread(self.computed, clauses, trend)

    def failed(self, message: str) -> None:
        self.query_one("#clauses-trend", Static).update(plain(message))

    def computed(self, clauses: list[Clause], trend: list[BracketTrend]) -> None:
        self.clauses, self.trend = clauses, trend
        table = self.query_one("#clauses", DataTable)
        counts: dict[str, int] = {}
        for clause in clauses:
            counts[clause.status] = counts.get(clause.status, 0) + 1
            title = clause.title if len(clause.title) <= 52 else clause.title[:51] + "…"
            table.add_row(
                cell(clause.number or "—"),
                cell(title),
                status_cell(clause.status),
                str(clause.brackets) if clause.brackets else "",
                clause_trend(clause.id, trend),
                cell(clause.proposed_by),
                key=clause.id,
            )
        summary = " · ".join(f"{n} {status}" for status, n in counts.items())
        self.query_one("#clauses-trend", Static).update(
            plain(f"{len(clauses)} clauses: {summary}\n{trend_line(trend)}")
        )
        if clauses:
            self.show_clause(0)

    @on(DataTable.RowHighlighted, "#clauses")
    def highlighted(self, message: DataTable.RowHighlighted) -> None:
        self.show_clause(message.cursor_row)

    def show_clause(self, row: int) -> None:
        if 0 <= row < len(self.clauses):
            clause = self.clauses[row]
            self.query_one("#clause-text", Static).update(
                Content.assemble(
                    markup(
                        "[$text-muted]clause $id · first carried by $origin[/]\n",
                        id=clause.id,
                        origin=clause.origin[:10],
                    ),
                    plain(clause.text),
                )
            )

    def action_blame(self) -> None:
        self.penholder.open_blame(self.sha)

    def action_columns(self) -> None:
        self.penholder.open_columns(self.sha)
