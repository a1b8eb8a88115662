"""The Penholder app: `run_app(repo, home, actor)` opens it on a negotiation.

The first frame never waits on git: the table is composed empty, then a worker opens the
negotiation and posts a snapshot; signatures are checked by a second worker and their badges
fill in as they come. Every action goes through `penholder.core` via the `Desk`.

The app is built in layers, each its own module: `app_base.AppBase` (the state and who acts),
`loading.LoadingApp` (the workers that load the negotiation), and here the keys, the actions
they name and the screens they open.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from penholder.core.actions import document_at
from penholder.core.errors import PenholderError
from penholder.core.model import Action, Version
from penholder.tui.loading import LoadingApp


class PenholderApp(LoadingApp):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "Penholder"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Keys", id="app.help"),
        Binding("i", "inbox", "Inbox", id="app.inbox"),
        Binding("V", "verify", "Verify", id="app.verify"),
        Binding("a", "act_as", "Act as", id="app.act-as"),
        Binding("S", "sync", "Sync", show=False, id="app.sync"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="app.reload"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    # start -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        from penholder.tui.screens.table import TableScreen

        if self.config.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.theme_changed_signal.subscribe(self, self._theme_chosen)
        for problem in self.config.problems:
            self.notify(problem, title="config", severity="warning", timeout=8)
        self.push_screen(TableScreen())
        self.reload(first=True)
        if self.poll_seconds > 0:
            self.set_interval(self.poll_seconds, self._poll)

    # navigation --------------------------------------------------------------------------

    def action_help(self) -> None:
        from penholder.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_inbox(self) -> None:
        from penholder.tui.screens.inbox import InboxScreen

        if not isinstance(self.screen, InboxScreen):
            self.push_screen(InboxScreen())

    def action_verify(self) -> None:
        from penholder.tui.screens.verify import VerifyScreen

        if not isinstance(self.screen, VerifyScreen):
            self.push_screen(VerifyScreen())

    def action_act_as(self) -> None:
        from penholder.tui.screens.actas import ActAsScreen

        if self.snapshot is None:
            return

        def chosen(actor: str | None) -> None:
            if actor is not None:
                self.actor = actor

        self.push_screen(ActAsScreen(), chosen)

    def action_reload(self) -> None:
        self.reload()

    def action_sync(self) -> None:
        """Sync with the remote: a picker when there are several, how to add one when none."""
        self._find_remotes()

    @work(thread=True, exclusive=True, group="remotes", exit_on_error=False)
    def _find_remotes(self) -> None:
        try:
            found = self.desk.remotes()
        except PenholderError as exc:
            self.call_from_thread(self.notify, exc.message, title=exc.rule, severity="error")
            return
        self.call_from_thread(self._choose_remote, found)

    def _choose_remote(self, found: dict[str, str]) -> None:
        from penholder.tui.screens.sync import RemotesScreen, SyncScreen

        if not found:
            self.notify(
                "This negotiation has no remote to sync with. Add one with\n"
                "penholder remote add NAME URL\n(file://, ssh://, https:// or a path).",
                title="no remote",
                severity="warning",
                timeout=12,
            )
            return

        def chosen(remote: str | None) -> None:
            if remote is not None:
                self.remote = remote
                self.push_screen(SyncScreen(remote, found[remote]))

        if len(found) == 1:
            chosen(next(iter(found)))
        else:
            self.push_screen(RemotesScreen(found, self.remote), chosen)

    def action_roster(self) -> None:
        from penholder.tui.screens.roster import RosterScreen

        if self.snapshot is not None and not isinstance(self.screen, RosterScreen):
            self.push_screen(RosterScreen())

    def document_at(self, sha: str | None) -> tuple[str | None, str | None]:
        """(the version holding the text, the document) that a version is about."""
        snapshot = self.snapshot
        if snapshot is None or sha is None or sha not in snapshot.history:
            return None, None
        return document_at(snapshot.history, snapshot.version(sha))

    def _with_document(self, sha: str | None) -> tuple[str, str] | None:
        _, document = self.document_at(sha)
        if sha is None or document is None:
            self.notify("select a version of a document first", severity="warning")
            return None
        return sha, document

    def open_blame(self, sha: str | None) -> None:
        from penholder.tui.screens.blame import BlameScreen

        if (found := self._with_document(sha)) is not None:
            self.push_screen(BlameScreen(*found))

    def open_clauses(self, sha: str | None) -> None:
        from penholder.tui.screens.clauses import ClausesScreen

        if (found := self._with_document(sha)) is not None:
            self.push_screen(ClausesScreen(*found))

    def open_columns(self, sha: str | None) -> None:
        from penholder.tui.screens.columns import ColumnsScreen

        if (found := self._with_document(sha)) is not None:
            self.push_screen(ColumnsScreen(*found))

    def export_certificate(self, sha: str | None) -> None:
        """The certificate of the selected text version: md, html or pdf."""
        from penholder.tui.screens.export import ExportScreen, certificate_job

        holder, _ = self.document_at(sha)
        if self.snapshot is None or holder is None:
            self.notify("select a version of a document to certify", severity="warning")
            return
        job = certificate_job(self.snapshot, holder, agreed=self.desk.is_agreed(holder))
        self.push_screen(ExportScreen(job), self.exported)

    def exported(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"wrote {path}", title="exported", timeout=8)

    def show_version(self, sha: str) -> None:
        """Back to the table with the cursor on `sha`."""
        from penholder.tui.screens.table import TableScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, TableScreen):
            self.pop_screen()
        if isinstance(self.screen, TableScreen):
            self.screen.select(sha)

    def open_version(self, sha: str) -> None:
        from penholder.tui.screens.draft import DraftScreen

        if self.snapshot is not None and sha in self.snapshot.history:
            self.push_screen(DraftScreen(sha))

    def open_diff(self, old: str | None, new: str, base: str = "answered") -> None:
        from penholder.tui.screens.diff import DiffScreen

        self.push_screen(DiffScreen(old, new, base=base))

    def begin(self, action: Action, sha: str | None) -> None:
        """Start an action on a version (or none): the flows live in `tui.flows`."""
        from penholder.tui.flows import begin

        begin(self, action, sha)

    def acted(self, version: Version) -> None:
        """A version was signed and stored: show it in the timeline."""
        self.notify(f"{version.short} {version.action} by {version.actor} signed and stored")
        self.show_version_after_reload(version.sha)

    def show_version_after_reload(self, sha: str) -> None:
        from penholder.tui.screens.table import TableScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, TableScreen):
            self.pop_screen()
        self.reload(select=sha)

    # command palette ---------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        from penholder.tui.commands import commands_for

        yield from commands_for(self, screen)

    def on_unmount(self) -> None:
        self.desk.close()


def run_app(repo: Path, home: Path, actor: str | None) -> None:
    """Open the app on the negotiation at `repo`, with the keys in `home`."""
    PenholderApp(repo, home, actor).run()
