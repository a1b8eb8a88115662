"""Small messages the app's workers post back to the UI thread."""

from __future__ import annotations

from textual.message import Message

from penholder.tui.desk import Snapshot, SyncStatus


class SnapshotReady(Message):
    """A fresh view of the negotiation; `select` is a version to put the cursor on."""

    def __init__(self, snapshot: Snapshot, select: str | None = None) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.select = select


class StatusesReady(Message):
    """Signature checks (good, bad, unknown-key) for some versions."""

    def __init__(self, statuses: dict[str, str]) -> None:
        super().__init__()
        self.statuses = statuses


class LoadFailed(Message):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__()
        self.rule = rule
        self.message = message


class SyncStatusReady(Message):
    """Ahead/behind counts against a remote and when each actor was last heard."""

    def __init__(self, status: SyncStatus) -> None:
        super().__init__()
        self.status = status
