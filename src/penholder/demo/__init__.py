"""The reference negotiation: its scenario, its published demo keys, and the seeds and drafts it
replays, which ship inside this package (`seeds/<name>/`, `drafts/`) so an installed wheel can
build the demo; the repository's top-level `seeds` and `drafts` are links to them."""

from __future__ import annotations

from pathlib import Path

DEFAULT_SCENARIO = "istanbul-2025"


def data_root() -> Path:
    """The folder holding the shipped `seeds/` and `drafts/`: a script's text paths
    (`text = "drafts/accord.md"`) are relative to it."""
    from importlib.resources import files

    root = files(__name__)
    if not isinstance(root, Path):
        # Only an archive import (a zipped package) gets here; Penholder installs unpacked.
        from penholder.core.errors import InputError

        raise InputError(f"the demo scenario is inside {root}, not a folder: install Penholder")
    return root


def scenario_folder(name: str = DEFAULT_SCENARIO) -> Path:
    """The shipped scenario `name` (its `roster.toml` and `script.toml`)."""
    return data_root() / "seeds" / name
