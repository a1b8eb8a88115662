"""The Penholder app: `run_app(repo, home, actor)` opens it on a negotiation.

The first frame never waits on git: the table is composed empty, then a worker opens the
negotiation and posts a snapshot; signatures are checked by a second worker and their badges
fill in as they come. Every action goes through `penholder.core` via the `Desk`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import get_current_worker

from penholder.core.actions import document_at
from penholder.core.errors import PenholderError
from penholder.core.model import Action, Version
from penholder.tui.config import Config, load_config, save_theme
from penholder.tui.desk import Desk, Snapshot, SyncStatus
from penholder.tui.drafts import DraftStore
from penholder.tui.messages import LoadFailed, SnapshotReady, StatusesReady, SyncStatusReady
from penholder.tui.safe import one_line, shown


@runtime_checkable
class ShowsSnapshot(Protocol):
    def show_snapshot(self, snapshot: Snapshot, select: str | None) -> None: ...


class PenholderApp(App[None]):
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

    actor: reactive[str | None] = reactive(None)

    def __init__(
        self,
        repo: Path,
        home: Path,
        actor: str | None = None,
        *,
        config: Config | None = None,
        drafts: DraftStore | None = None,
        poll_seconds: float | None = None,
    ) -> None:
        super().__init__()
        self.desk = Desk(repo, home)
        self.wanted_actor = actor
        self.config = config if config is not None else load_config()
        self.drafts = drafts or DraftStore()
        self.snapshot: Snapshot | None = None
        self.statuses: dict[str, str] = {}
        env_poll = os.environ.get("PENHOLDER_POLL")
        self.poll_seconds = poll_seconds if poll_seconds is not None else float(env_poll or 5)
        self._offered_drafts: set[str] = set()
        self.sync_status: SyncStatus | None = None
        self.remote: str | None = None  # the remote ahead/behind counts are shown against
        self._saved_theme = self.config.theme
        if self.config.keys:
            self.set_keymap(self.config.keys)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification is literal: its message and title often quote a version, a
        roster or a refusal, so they are never parsed as markup and their control and bidi
        characters are shown as visible marks (`markup` is accepted and ignored)."""
        super().notify(
            shown(message), title=one_line(title), severity=severity, timeout=timeout, markup=False
        )

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

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def reload(self, select: str | None = None, *, first: bool = False) -> None:
        try:
            actor = self.actor
            if first:
                roster = self.desk.roster()
                actor = self._initial_actor(roster.ids(), self.desk.held(roster))
            snapshot = self.desk.snapshot(actor, refresh=not first)
        except PenholderError as exc:
            self.post_message(LoadFailed(exc.rule, exc.message))
            return
        if first:
            self.call_from_thread(self._set_actor, actor)
        self.post_message(SnapshotReady(snapshot, select))

    def _initial_actor(self, roster_ids: list[str], held: list[str]) -> str | None:
        wanted = self.wanted_actor
        if wanted is not None:
            return wanted if wanted in roster_ids else None
        return held[0] if held else None

    def _set_actor(self, actor: str | None) -> None:
        self.set_reactive(PenholderApp.actor, actor)
        self._update_titles()
        if self.wanted_actor is not None and actor is None:
            self.notify(
                f"{self.wanted_actor!r} is not on the roster: reading only", severity="error"
            )

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        first = self.snapshot is None
        self.snapshot = message.snapshot
        self._update_titles()
        for screen in self.screen_stack:
            if isinstance(screen, ShowsSnapshot):
                screen.show_snapshot(message.snapshot, message.select)
        missing = [sha for sha in message.snapshot.shas if sha not in self.statuses]
        if missing:
            self.check_signatures(missing)
        self.refresh_sync_status()
        if first:
            self.offer_drafts()

    def on_load_failed(self, message: LoadFailed) -> None:
        self.notify(
            message.message, title=f"cannot open: {message.rule}", severity="error", timeout=30
        )

    @work(thread=True, exclusive=True, group="signatures", exit_on_error=False)
    def check_signatures(self, shas: list[str]) -> None:
        assert self.snapshot is not None
        roster = self.snapshot.roster
        worker = get_current_worker()
        for start in range(0, len(shas), 2000):
            if worker.is_cancelled:
                return
            statuses = self.desk.statuses(shas[start : start + 2000], roster)
            self.post_message(StatusesReady(statuses))

    def on_statuses_ready(self, message: StatusesReady) -> None:
        self.statuses.update(message.statuses)
        for screen in self.screen_stack:
            update = getattr(screen, "show_statuses", None)
            if update is not None:
                update(self.statuses)

    @work(thread=True, exclusive=True, group="sync-status", exit_on_error=False)
    def refresh_sync_status(self) -> None:
        try:
            status = self.desk.sync_status(self.remote)
        except PenholderError:
            return
        self.post_message(SyncStatusReady(status))

    def on_sync_status_ready(self, message: SyncStatusReady) -> None:
        self.sync_status = message.status
        for screen in self.screen_stack:
            update = getattr(screen, "show_sync_status", None)
            if update is not None:
                update(message.status)

    def _theme_chosen(self, theme: Theme) -> None:
        """The theme picked in the palette is kept in the config file for the next start."""
        if theme.name == self._saved_theme:
            return
        try:
            save_theme(theme.name)
        except OSError as exc:
            self.notify(f"cannot save the theme: {exc.strerror}", severity="warning")
            return
        self._saved_theme = theme.name

    def _poll(self) -> None:
        if self.snapshot is not None:
            self._check_changed()

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _check_changed(self) -> None:
        try:
            changed = self.desk.changed()
        except PenholderError:
            return
        if changed:
            self.call_from_thread(self.reload)

    # acting as ---------------------------------------------------------------------------

    def watch_actor(self, old: str | None, new: str | None) -> None:
        self._update_titles()
        if self.snapshot is not None and old != new:
            self.reload()
            self.offer_drafts()

    def _update_titles(self) -> None:
        snapshot = self.snapshot
        if snapshot is not None:
            self.title = one_line(snapshot.roster.title)
        actor = snapshot.roster.actor(self.actor) if snapshot and self.actor else None
        if self.actor is None:
            self.sub_title = "reading only: no key of this negotiation here"
        elif actor is None:
            self.sub_title = one_line(f"as {self.actor}")
        else:
            lock = "unlocked" if self.desk.is_unlocked(actor.id) else "locked"
            self.sub_title = one_line(f"as {actor.id} · {actor.role} · key {lock}")

    def key_unlocked(self, actor: str) -> None:
        self._update_titles()

    async def ensure_unlocked(self, actor: str) -> bool:
        """Unlock the actor's key for this session, asking for its passphrase if needed.
        Call from an async worker (it waits on a modal screen)."""
        from penholder.tui.screens.unlock import UnlockScreen

        try:
            needs = self.desk.needs_passphrase(actor)
            if not needs:
                self.desk.unlock(actor, None)
                return True
        except PenholderError as exc:
            self.notify(exc.message, title=exc.rule, severity="error")
            return False
        ok = await self.push_screen_wait(UnlockScreen(actor))
        self._update_titles()
        return bool(ok)

    def offer_drafts(self) -> None:
        from penholder.tui.screens.drafts import DraftsScreen

        snapshot, actor = self.snapshot, self.actor
        if snapshot is None or actor is None:
            return
        key = f"{snapshot.roster.negotiation_id}/{actor}"
        if key in self._offered_drafts:
            return
        self._offered_drafts.add(key)
        pending = self.drafts.pending(snapshot.roster.negotiation_id, actor)
        if pending:
            self.push_screen(DraftsScreen(pending))

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
