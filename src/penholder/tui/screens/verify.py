"""The full verification, in a worker, with a progress bar: every failure with its version and
rule, or a clear green summary when everything holds."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from penholder.core.errors import PenholderError
from penholder.core.trust.rules import RULES
from penholder.core.views.verify import Report, verify
from penholder.tui.safe import cell, markup, plain
from penholder.tui.screens.base import PenholderScreen, styles


class VerifyScreen(PenholderScreen):
    CSS_PATH = styles("verify")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="verify.back"),
        Binding("ctrl+r", "run", "Verify again", id="verify.again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="✒")
        yield Static(
            "Verifying every version on every branch: signatures, roster, roles, routes, turns…",
            id="verify-title",
        )
        yield ProgressBar(id="progress", show_eta=False)
        yield Static("", id="verify-summary")
        yield DataTable(id="failures", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#failures", DataTable)
        table.add_columns("version", "actor", "rule", "what failed")
        table.display = False
        self.action_run()

    def action_run(self) -> None:
        self.query_one("#failures", DataTable).display = False
        summary = self.query_one("#verify-summary", Static)
        summary.update("")
        summary.remove_class("ok", "failed")
        self.query_one("#progress", ProgressBar).update(total=None, progress=0)
        self.run_verify()

    @work(thread=True, exclusive=True, group="verify", exit_on_error=False)
    def run_verify(self) -> None:
        bar = self.query_one("#progress", ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        try:
            report = verify(self.penholder.desk.repo, progress)
        except PenholderError as exc:
            self.app.call_from_thread(self.failed_to_run, exc.rule, exc.message)
            return
        self.app.call_from_thread(self.show_report, report)

    def failed_to_run(self, rule: str, message: str) -> None:
        summary = self.query_one("#verify-summary", Static)
        summary.update(plain(f"verification could not run ({rule}): {message}"))
        summary.add_class("failed")

    def show_report(self, report: Report) -> None:
        self.report = report
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(1, report.versions), progress=max(1, report.versions))
        summary = self.query_one("#verify-summary", Static)
        table = self.query_one("#failures", DataTable)
        table.clear()
        if report.ok:
            summary.update(
                Content.from_markup(
                    "[b]✔ All $n versions verified.[/b] "
                    "Every signature is good and every rule holds.",
                    n=f"{report.versions:,}",
                )
            )
            summary.add_class("ok")
            return
        count = len(report.failures)
        summary.update(
            Content.from_markup(
                "[b]✘ $count[/b] in $n versions. Enter shows the version in the timeline.",
                count=f"{count} failure{'s' if count != 1 else ''}",
                n=f"{report.versions:,}",
            )
        )
        summary.add_class("failed")
        for number, failure in enumerate(report.failures):
            # The rule is a kernel rule id (a plain slug, compared as a string by callers);
            # the actor and the message may quote what a hostile version wrote.
            table.add_row(
                cell(failure.sha[:10]),
                cell(failure.actor or "?"),
                failure.rule if failure.rule.replace("-", "").isalnum() else cell(failure.rule),
                cell(failure.message),
                key=f"{number}:{failure.sha}",
            )
        table.display = True
        table.focus()

    @on(DataTable.RowSelected, "#failures")
    def open_failure(self, message: DataTable.RowSelected) -> None:
        sha = str(message.row_key.value).split(":", 1)[1]
        snapshot = self.penholder.snapshot
        if snapshot is not None and sha in snapshot.history:
            self.penholder.show_version(sha)
        else:
            self.notify(f"{sha[:10]} is not in the table's history", severity="warning")

    @on(DataTable.RowHighlighted, "#failures")
    def explain(self, message: DataTable.RowHighlighted) -> None:
        if self.report is None or message.cursor_row >= len(self.report.failures):
            return
        failure = self.report.failures[message.cursor_row]
        self.query_one("#verify-title", Static).update(
            markup("rule $rule: $text", rule=failure.rule, text=RULES.get(failure.rule, ""))
        )
