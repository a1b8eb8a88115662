"""Sync with a remote, in a worker, with a progress bar through its stages (fetch, verify,
accept, push), then what happened to each branch. Refused branches stay refused and are shown
in red with their rule and the version the remote offered; what verified still came in."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Header, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from penholder.core.actions.session import (
    NEW,
    PUSHED,
    STATUS_RULES,
    UNCHANGED,
    BranchResult,
    SyncReport,
)
from penholder.core.errors import PenholderError
from penholder.tui.safe import cell, markup, plain
from penholder.tui.screens.base import PenholderScreen, styles
from penholder.tui.widgets.cells import styled

STAGES = ("fetch", "verify", "accept", "push")
STAGE_WORDS = {
    "fetch": "fetching every branch into quarantine",
    "verify": "verifying what arrived",
    "accept": "taking in what verified",
    "push": "pushing what the remote lacks",
}


MEANINGS = {
    "unchanged": "nothing new on either side",
    "fast-forward": "new versions taken in: they verified and only add to the branch",
    NEW: "a branch this negotiation did not have, taken in: it verified",
    PUSHED: "the remote lacked versions of this branch: pushed to it (never forcing)",
    "behind": "the remote lacks versions of this branch; they were not pushed",
    "refused-rollback": "the remote's branch went back from what it showed before: refused",
    "refused-rewrite": "the remote's branch and this one diverged (a rewrite, or one key writing "
    "on two machines): refused",
    "refused-verify": "what the remote offered does not verify: refused, none of it came in",
}


def short(sha: str | None) -> str:
    return sha[:10] if sha else "—"


def branch_detail(result: BranchResult) -> str:
    """What moved, in a few words (the CLI's `sync` line, for one branch)."""
    if result.status == UNCHANGED:
        return f"at {short(result.new)}"
    if result.status == PUSHED:
        return f"remote {short(result.old)} → {short(result.new)}"
    if result.status == NEW:
        return f"new at {short(result.new)}"
    if result.refused:
        return f"offered {short(result.remote)}; here stays {short(result.old)}"
    if result.status == "behind":
        return f"remote at {short(result.remote)}, here {short(result.new)}"
    return f"{short(result.old)} → {short(result.new)}"


class SyncScreen(PenholderScreen):
    CSS_PATH = styles("sync")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="sync.back"),
        Binding("ctrl+r", "run", "Sync again", id="sync.again"),
    ]

    def __init__(self, remote: str, url: str) -> None:
        super().__init__()
        self.remote = remote
        self.url = url
        self.report: SyncReport | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="✒")
        yield Static(
            markup(
                "[b]Sync with $remote[/b]  $url\n"
                "Fetch every branch, verify it in quarantine, take in only fast-forwards that "
                "verify, then push what the remote lacks (never forcing).",
                remote=self.remote,
                url=self.url,
            ),
            id="sync-title",
        )
        yield ProgressBar(id="progress", show_eta=False)
        yield Static("", id="sync-stage", classes="muted")
        yield Static("", id="sync-summary")
        yield DataTable(id="sync-branches", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="sync-detail-box"):
            yield Static("", id="sync-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#sync-branches", DataTable)
        table.add_columns("branch", "status", "what moved", "rule")
        table.display = False
        self.query_one("#sync-detail-box").display = False
        self.action_run()

    def action_run(self) -> None:
        if any(w.group == "sync" and not w.is_finished for w in self.workers):
            return
        self.query_one("#sync-branches", DataTable).display = False
        self.query_one("#sync-detail-box").display = False
        summary = self.query_one("#sync-summary", Static)
        summary.update("")
        summary.remove_class("ok", "failed")
        self.query_one("#progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#sync-stage", Static).update("connecting…")
        self.run_sync()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def run_sync(self) -> None:
        def progress(stage: str, done: int, total: int) -> None:
            self.app.call_from_thread(self.show_progress, stage, done, total)

        try:
            report = self.penholder.desk.sync(self.remote, progress)
        except PenholderError as exc:
            self.app.call_from_thread(self.failed, exc.rule, exc.message)
            return
        self.app.call_from_thread(self.show_report, report)

    def show_progress(self, stage: str, done: int, total: int) -> None:
        """One bar over the four stages: each stage fills a quarter of it."""
        index = STAGES.index(stage) if stage in STAGES else 0
        part = done / total if total else 1.0
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=100 * len(STAGES), progress=100 * index + int(100 * part))
        words = STAGE_WORDS.get(stage, stage)
        self.query_one("#sync-stage", Static).update(plain(f"{words}: {done}/{total}"))

    def failed(self, rule: str, message: str) -> None:
        summary = self.query_one("#sync-summary", Static)
        summary.update(markup("[b]✘ sync could not run[/b] ($rule): $m", rule=rule, m=message))
        summary.add_class("failed")
        self.query_one("#sync-stage", Static).update("nothing was changed")
        self.query_one("#progress", ProgressBar).update(total=1, progress=0)

    def show_report(self, report: SyncReport) -> None:
        self.report = report
        self.query_one("#progress", ProgressBar).update(total=1, progress=1)
        self.query_one("#sync-stage", Static).update("done")
        table = self.query_one("#sync-branches", DataTable)
        table.clear()
        came = [b for b in report.branches if b.status in ("fast-forward", NEW)]
        pushed = [b for b in report.branches if b.status == PUSHED]
        for result in report.branches:
            rule = result.failures[0].rule if result.failures else ""
            rule = rule or STATUS_RULES.get(result.status, "")
            cells: list[Text | str] = [
                cell(result.branch),
                cell(result.status),
                cell(branch_detail(result)),
                cell(rule),
            ]
            if result.refused:
                cells = [styled("[$text-error b]$x[/]", x=str(c)) for c in cells]
            elif result.status in ("fast-forward", NEW, PUSHED):
                cells[1] = styled("[$text-success]$x[/]", x=result.status)
            table.add_row(*cells, key=result.branch)
        table.display = True
        self.query_one("#sync-detail-box").display = True
        first = next((k for k, b in enumerate(report.branches) if b.refused), 0)
        table.move_cursor(row=first)
        self.show_detail(table.cursor_row)
        summary = self.query_one("#sync-summary", Static)
        words = (
            f"{len(came)} branch{'es' if len(came) != 1 else ''} brought in, {len(pushed)} pushed"
        )
        if report.ok:
            summary.update(Content.from_markup("[b]✔ $words[/b]; nothing refused.", words=words))
            summary.add_class("ok")
        else:
            refused = len(report.refused)
            summary.update(
                Content.from_markup(
                    "[b]✘ $n refused[/b] ($words): what verified came in; "
                    "a refused branch stays as it was here.",
                    n=f"{refused} branch{'es' if refused != 1 else ''}",
                    words=words,
                )
            )
            summary.add_class("failed")
        table.focus()
        self.penholder.reload()

    @on(DataTable.RowHighlighted, "#sync-branches")
    def highlighted(self, message: DataTable.RowHighlighted) -> None:
        self.show_detail(message.cursor_row)

    def show_detail(self, row: int) -> None:
        """The highlighted branch in full: what its status means, and every failure."""
        report = self.report
        if report is None or not 0 <= row < len(report.branches):
            return
        result = report.branches[row]
        lines = [
            markup(
                "[b]$branch[/b] $status: $meaning",
                branch=result.branch,
                status=result.status,
                meaning=MEANINGS.get(result.status, ""),
            )
        ]
        if result.message:
            lines.append(plain(result.message))
        for failure in result.failures:
            lines.append(
                markup(
                    "[$text-error]✘ $rule[/]  $sha  $actor: $message",
                    rule=failure.rule,
                    sha=short(failure.sha),
                    actor=failure.actor or "?",
                    message=failure.message,
                )
            )
        self.query_one("#sync-detail", Static).update(Content("\n").join(lines))


class RemotesScreen(ModalScreen[str | None]):
    """Which remote to sync with, when there are several."""

    CSS_PATH = styles("dialog", "sync")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="remotes.cancel")
    ]

    def __init__(self, remotes: dict[str, str], current: str | None) -> None:
        super().__init__()
        self.remotes = remotes
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static("Sync with which remote?", classes="dialog-title")
            options = OptionList(id="remotes")
            for name, url in sorted(self.remotes.items()):
                options.add_option(Option(plain(f"{name:<12} {url}"), id=name))
            yield options

    def on_mount(self) -> None:
        options = self.query_one("#remotes", OptionList)
        options.focus()
        names = sorted(self.remotes)
        options.highlighted = names.index(self.current) if self.current in names else 0

    @on(OptionList.OptionSelected, "#remotes")
    def chosen(self, message: OptionList.OptionSelected) -> None:
        self.dismiss(message.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
