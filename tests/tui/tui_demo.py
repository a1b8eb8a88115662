"""The demo negotiation the app's tests run on, and the sizes and clock they share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from penholder.tui.app import PenholderApp
from penholder.tui.config import Config
from penholder.tui.drafts import DraftStore

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED = REPO_ROOT / "seeds" / "istanbul-2025"
PASSPHRASE = "demo-only-passphrase"
NOW = "2025-11-01T12:00:00Z"
SIZE = (120, 40)


@dataclass(frozen=True)
class Demo:
    repo: Path
    home: Path
    state: Path

    def app(self, actor: str | None = "qatar", keys: dict[str, str] | None = None) -> PenholderApp:
        return PenholderApp(
            self.repo,
            self.home,
            actor,
            config=Config(keys=keys or {}),
            drafts=DraftStore(self.state / "drafts"),
            poll_seconds=0,
        )
