"""The app's state and who acts in it: the negotiation's `Desk`, the snapshot the workers
post, the theme kept for the next start, the actor and the titles that name it, unlocking its
key, and offering its unsent drafts.
`loading.LoadingApp` fills the state; `app.PenholderApp` adds the keys and the screens."""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import App
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.theme import Theme

from penholder.core.errors import PenholderError
from penholder.tui.config import Config, load_config, save_theme
from penholder.tui.desk import Desk, Snapshot, SyncStatus
from penholder.tui.drafts import DraftStore
from penholder.tui.safe import one_line, shown


class AppBase(App[None]):
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

    # acting as ---------------------------------------------------------------------------

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
