"""Fixtures for the app's tests: the deterministic demo negotiation, built once per session and
copied for each test that writes; a pinned clock; private config and state folders."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea
from tui_demo import NOW, REPO_ROOT, SEED, Demo

from penholder.demo.scenario import demo_keys, load_scenario, replay, write_demo_keys


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    scenario = load_scenario(SEED)
    keys, negotiation_id = demo_keys(scenario, random_keys=False)
    negotiation = replay(
        scenario, folder / "negotiation", keys, negotiation_id, repo_root=REPO_ROOT
    )
    negotiation.close()
    write_demo_keys(folder / "home", keys, {a.id: a.name for a in scenario.actors})
    return folder


@pytest.fixture(autouse=True)
def _environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PENHOLDER_NOW", NOW)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("PENHOLDER_POLL", "0")
    monkeypatch.delenv("PENHOLDER_DEMO_PASSPHRASE", raising=False)
    monkeypatch.setattr("penholder.tui.screens.table.PREVIEW_DELAY", 0)
    # A still cursor: a blink timer firing between two renders made snapshots flaky under load.
    monkeypatch.setattr(Input, "_toggle_cursor", _cursor_stays_visible)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", _cursor_stays_visible)
    yield


def _cursor_stays_visible(widget: Input | TextArea) -> None:
    widget._cursor_visible = True


@pytest.fixture
def demo(built_demo: Path, tmp_path: Path) -> Demo:
    """A private copy of the demo negotiation and its keys (tests may write to it)."""
    shutil.copytree(built_demo, tmp_path / "demo")
    return Demo(tmp_path / "demo" / "negotiation", tmp_path / "demo" / "home", tmp_path / "state")


@pytest.fixture
def shared_demo(built_demo: Path, tmp_path: Path) -> Demo:
    """The session's demo itself, for tests that only read."""
    return Demo(built_demo / "negotiation", built_demo / "home", tmp_path / "state")
