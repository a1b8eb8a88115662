"""Unsent work kept on disk: nothing typed is ever lost.

An amendment being written is saved, a moment after each change, to
`<state>/drafts/<negotiation id>/<actor>/<referred sha or "new-<doc>">.json`, written atomically.
It is removed when the version is signed and stored, or when the user discards it; otherwise
the next start offers it again.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from penholder.tui.config import state_home


@dataclass(frozen=True)
class DraftKey:
    negotiation: str
    actor: str
    refers: str  # the sha answered, or "" for a new document
    document: str

    @property
    def stem(self) -> str:
        return self.refers if self.refers else f"new-{self.document}"


@dataclass(frozen=True)
class SavedDraft:
    key: DraftKey
    text: str
    action: str
    subject: str = ""
    note: str = ""
    saved: int = 0


class DraftStore:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or state_home() / "drafts"

    def path(self, key: DraftKey) -> Path:
        return self.folder / key.negotiation / key.actor / f"{key.stem}.json"

    def save(self, draft: SavedDraft) -> Path:
        path = self.path(draft.key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = json.dumps(asdict(draft), ensure_ascii=False, indent=1).encode("utf-8")
        fd, tmp = tempfile.mkstemp(prefix=".draft-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def load(self, key: DraftKey) -> SavedDraft | None:
        return _read(self.path(key))

    def discard(self, key: DraftKey) -> None:
        self.path(key).unlink(missing_ok=True)

    def pending(self, negotiation: str, actor: str) -> list[SavedDraft]:
        folder = self.folder / negotiation / actor
        if not folder.is_dir():
            return []
        found = [d for p in sorted(folder.glob("*.json")) if (d := _read(p)) is not None]
        return sorted(found, key=lambda d: -d.saved)


def _read(path: Path) -> SavedDraft | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        key = DraftKey(**data.pop("key"))
        return SavedDraft(key=key, **data)
    except (OSError, ValueError, TypeError, KeyError):
        return None
