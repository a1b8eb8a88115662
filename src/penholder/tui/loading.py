"""The workers that load the negotiation and keep it fresh: the snapshot (the first one
also picks the actor), the signature badges in batches, the sync counts, and the poll for
changes made elsewhere. Each worker posts a message; its handler here hands the result to
every screen that shows it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from textual import work
from textual.worker import get_current_worker

from penholder.core.errors import PenholderError
from penholder.tui.app_base import AppBase
from penholder.tui.desk import Snapshot
from penholder.tui.messages import LoadFailed, SnapshotReady, StatusesReady, SyncStatusReady


@runtime_checkable
class ShowsSnapshot(Protocol):
    def show_snapshot(self, snapshot: Snapshot, select: str | None) -> None: ...


class LoadingApp(AppBase):
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
        self.set_reactive(AppBase.actor, actor)
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

    def watch_actor(self, old: str | None, new: str | None) -> None:
        self._update_titles()
        if self.snapshot is not None and old != new:
            self.reload()
            self.offer_drafts()
