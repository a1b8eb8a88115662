"""The table: state, round, roster, who holds the pen, and the timeline of every version with
the selected version's amendment beside it as a redline."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Static

from penholder.core.actions import Base, base_version
from penholder.core.model import TEXT_ACTIONS
from penholder.tui.clock import ago, awaiting, short_time
from penholder.tui.desk import Snapshot, SyncStatus, describe
from penholder.tui.redline import Redline, stats_line
from penholder.tui.safe import cell, markup, plain
from penholder.tui.screens.base import PenholderScreen, styles
from penholder.tui.widgets.cells import styled
from penholder.tui.widgets.redline_view import RedlineView
from penholder.tui.widgets.timeline import Timeline

PREVIEW_DELAY = 0.08


class TableScreen(PenholderScreen):
    CSS_PATH = styles("table")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "diff", "Diff", id="table.diff"),
        Binding("e", "act('amend')", "Amend", id="table.amend"),
        Binding("s", "act('sign')", "Sign", id="table.sign"),
        Binding("w", "act('endorse')", "Endorse", id="table.endorse"),
        Binding("r", "act('receipt')", "Receipt", id="table.receipt"),
        Binding("c", "act('comment')", "Comment", id="table.comment"),
        Binding("f", "act('forward')", "Forward", show=False, id="table.forward"),
        Binding("x", "act('retract')", "Retract", show=False, id="table.retract"),
        Binding("W", "act('withdraw')", "Withdraw", show=False, id="table.withdraw"),
        Binding("R", "act('resume')", "Resume", show=False, id="table.resume"),
        Binding("N", "act('round')", "New round", show=False, id="table.round"),
        Binding("P", "act('propose')", "Propose", show=False, id="table.propose"),
        Binding("C", "act('consolidate')", "Consolidate", show=False, id="table.consolidate"),
        Binding("b", "blame", "Who wrote what", show=False, id="table.blame"),
        Binding("l", "clauses", "Clauses", show=False, id="table.clauses"),
        Binding("t", "columns", "Four columns", show=False, id="table.columns"),
        Binding("o", "app.roster", "Roster", show=False, id="table.roster"),
        Binding("tab", "focus_next", "Focus", show=False, id="table.focus-next"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._preview_timer: Timer | None = None
        self._marks: tuple[str, ...] = ()
        self._preview_head = Content("")

    def compose(self) -> ComposeResult:
        yield Header(icon="✒")
        with Horizontal(id="top"):
            yield Static(Content("Opening the negotiation…"), id="summary")
            yield DataTable(id="roster", cursor_type="none", zebra_stripes=False, show_cursor=False)
        with Horizontal(id="main"):
            yield Timeline(id="timeline")
            with Vertical(id="preview"):
                yield Static("", id="preview-title")
                yield RedlineView(id="preview-diff")
        yield Footer()

    def on_mount(self) -> None:
        self._add_roster_columns(None)
        self.query_one("#timeline").focus()
        snapshot = self.penholder.snapshot
        if snapshot is not None:
            self.show_snapshot(snapshot, None)

    def _add_roster_columns(self, remote: str | None) -> None:
        table = self.query_one("#roster", DataTable)
        table.clear(columns=True)
        # Fixed widths: the cells change as the sync status comes in, the columns do not.
        label = remote or "remote"
        for name, width in (
            ("role", 8),
            ("actor", 11),
            ("name", 16),
            ("key", 8),
            (label, max(7, min(len(label), 12))),
            ("heard", 8),
        ):
            table.add_column(name, width=width)

    @property
    def timeline(self) -> Timeline:
        return self.query_one("#timeline", Timeline)

    @property
    def selected_sha(self) -> str | None:
        return self.timeline.selected

    def select(self, sha: str) -> None:
        self.timeline.select(sha)
        self.timeline.focus()

    # painting the state --------------------------------------------------------------------

    def show_snapshot(self, snapshot: Snapshot, select: str | None) -> None:
        self.query_one("#summary", Static).update(self.summary(snapshot))
        self.show_roster(snapshot, self.penholder.sync_status)
        self.timeline.load(snapshot, select)
        self.timeline.set_statuses(self.penholder.statuses)

    def show_sync_status(self, status: SyncStatus) -> None:
        snapshot = self.penholder.snapshot
        if snapshot is not None:
            self.show_roster(snapshot, status)
            self.query_one("#summary", Static).update(self.summary(snapshot))

    def show_roster(self, snapshot: Snapshot, status: SyncStatus | None) -> None:
        """Each actor: role, name, whether its key is here, its branch against the remote
        (↑ versions here the remote lacks, ↓ versions the remote has that are not here) and
        when it was last heard: the time its newest version here says it was signed."""
        table = self.query_one("#roster", DataTable)
        remote = status.remote if status is not None else None
        if str(table.ordered_columns[4].label) != (remote or "remote"):
            self._add_roster_columns(remote)
        table.clear()
        held = snapshot.held
        for actor in snapshot.roster.actors:
            here = "✓ here" if actor.id in held else "—"
            if actor.id == self.penholder.actor:
                here = "✓ acting"
            name = actor.name if len(actor.name) <= 16 else actor.name[:15] + "…"
            table.add_row(
                cell(actor.role),
                cell(actor.id),
                cell(name),
                here,
                *self.sync_cells(actor.id, status),
            )

    @staticmethod
    def sync_cells(actor: str, status: SyncStatus | None) -> tuple[Text | str, str]:
        if status is None:
            return "…", "…"
        branch = status.branches.get(actor)
        if status.remote is None:
            ahead_behind: Text | str = "—"
        elif branch is None:
            ahead_behind = "—"
        else:
            counts = f"↑{branch.ahead} ↓{branch.behind}"
            if branch.behind:
                ahead_behind = styled("[$text-warning]$counts[/]", counts=counts)
            else:
                ahead_behind = "✓ even" if not branch.ahead else counts
        heard = status.heard.get(actor)
        when = ago(heard.newest_time) if heard is not None and heard.newest_time else "never"
        return ahead_behind, when

    def show_statuses(self, statuses: dict[str, str]) -> None:
        self.timeline.set_statuses(statuses)

    def summary(self, snapshot: Snapshot) -> Content:
        state = snapshot.state
        if state.state == "suspended":
            badge = Content.from_markup("[bold $error]⏸ suspended[/]")
            why = plain(f"  withdrawn: {', '.join(state.suspended_by)}")
        elif state.documents and all(d.agreed for d in state.documents):
            badge, why = Content.from_markup("[bold $success]✔ agreed[/]"), Content("")
        else:
            badge, why = Content.from_markup("[bold $primary]● open[/]"), Content("")
        place = " · ".join(p for p in (state.place, state.date) if p)
        lines: list[Content] = [
            markup("[b]$title[/b]", title=state.title),
            Content.assemble(
                badge, why, plain(f"   round {state.round}" + (f" · {place}" if place else ""))
            ),
        ]
        for doc in state.documents:
            if doc.agreed:
                status = Content.from_markup("[$success]agreed $sha ★[/]", sha=doc.agreed[:10])
            else:
                status = plain(f"head {', '.join(h[:10] for h in doc.heads) or '—'}")
            pen = ", ".join(doc.pen) or "—"
            lines.append(
                Content.assemble(plain(f"{doc.name[:16]:<16} "), status, plain(f" · pen {pen}"))
            )
        if not state.documents:
            lines.append(Content("no document yet: P proposes one"))
        actor = self.penholder.actor
        if actor:
            count = len(snapshot.inbox)
            waits = f"{awaiting(count)} {actor}"
            lines.append(markup("[$accent]$waits[/] (i: inbox)", waits=waits))
        versions = f"{snapshot.count:,} versions"
        sync = self.penholder.sync_status
        if sync is not None and sync.remote is not None:
            synced = ago(sync.last_sync) if sync.last_sync else "never"
            versions += f" · {sync.remote} synced {synced}"
        elif sync is not None:
            versions += " · no remote"
        lines.append(plain(versions))
        return Content("\n").join(lines)

    # the timeline and its preview ----------------------------------------------------------

    @on(Timeline.Highlighted)
    def highlighted(self, message: Timeline.Highlighted) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        if PREVIEW_DELAY <= 0:
            self.preview(message.sha)
            return
        self._preview_timer = self.set_timer(PREVIEW_DELAY, lambda: self.preview(message.sha))

    @on(Timeline.Opened)
    def opened(self, message: Timeline.Opened) -> None:
        self.penholder.open_version(message.sha)

    @on(Timeline.Marked)
    def marked(self, message: Timeline.Marked) -> None:
        self._marks = message.marks
        if len(message.marks) == 2:
            self.notify("two versions marked: d shows the diff between them")

    def preview(self, sha: str) -> None:
        snapshot = self.penholder.snapshot
        if snapshot is None or sha not in snapshot.history:
            return
        v = snapshot.version(sha)
        title = self.query_one("#preview-title", Static)
        note = f"\n{v.note}" if v.note else ""
        head = Content.assemble(
            plain(describe(v, snapshot.roster) + f" · {short_time(v.time)}\n"),
            markup("[i]“$subject”[/i]", subject=v.subject),
            plain(note[:400]),
        )
        self._preview_head = head
        title.update(head)
        view = self.query_one("#preview-diff", RedlineView)
        if v.action in TEXT_ACTIONS:
            view.loading = True
            self.compute_preview(base_version(snapshot.history, v, Base.ANSWERED), sha, v.document)
        else:
            target = snapshot.history.get(v.refers[0]) if v.refers else None
            what = f"{v.action} of {target.short} by {target.actor}" if target else v.action
            view.show(None, f"{what}: no change to any text")

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def compute_preview(self, old: str | None, new: str, document: str | None) -> None:
        redline = self.penholder.desk.redline(old, new, document, "word")
        self.app.call_from_thread(self._show_preview, new, old, redline)

    def _show_preview(self, new: str, old: str | None, redline: Redline) -> None:
        if self.timeline.selected != new:
            return
        view = self.query_one("#preview-diff", RedlineView)
        view.loading = False
        snapshot = self.penholder.snapshot
        against = "the empty page (a new document)" if old is None else old[:10]
        if snapshot is not None and old is not None and old in snapshot.history:
            base = snapshot.version(old)
            against = f"{old[:10]} ({base.actor} {base.action})"
        line = plain(f"\nagainst {against}: {stats_line(redline.diff)}")
        self.query_one("#preview-title", Static).update(Content.assemble(self._preview_head, line))
        view.show(redline, "")

    # actions -------------------------------------------------------------------------------

    def action_blame(self) -> None:
        self.penholder.open_blame(self.selected_sha)

    def action_clauses(self) -> None:
        self.penholder.open_clauses(self.selected_sha)

    def action_columns(self) -> None:
        self.penholder.open_columns(self.selected_sha)

    def action_diff(self) -> None:
        snapshot = self.penholder.snapshot
        sha = self.selected_sha
        if snapshot is None or sha is None:
            return
        marks = [m for m in self.timeline.marks if m in snapshot.history]
        if len(marks) == 2:
            old, new = sorted(marks, key=snapshot.history.generation)
            self.penholder.open_diff(old, new, base="marks")
            return
        self.penholder.open_diff(None, sha, base="answered")
