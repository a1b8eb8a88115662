"""The reference negotiation: it builds, verifies, and tells the story the issue asks for."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import penholder
from helpers import git
from penholder.core.model import Action
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.agreement import is_agreed
from penholder.core.views.queries import table_state
from penholder.core.views.verify import verify
from penholder.demo import data_root, scenario_folder
from penholder.demo.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def demo(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PENHOLDER_HOME=str(folder.parent / "home"))
    return subprocess.run(
        [sys.executable, "-m", "penholder", "demo", str(folder), "--no-tui", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "d"
    result = demo(folder)
    assert result.returncode == 0, result.stderr
    assert "demo-only-passphrase" in result.stdout
    return folder


def test_demo_verifies_and_every_commit_is_good_for_git(built: Path, tmp_path: Path) -> None:
    repo = built / "negotiation"
    report = verify(repo)
    assert report.ok, report.failures
    signers = tmp_path / "signers"
    for sha in git(repo, "rev-list", "--all").split():
        signers.write_text(git(repo, "show", f"{sha}:allowed_signers"))
        result = subprocess.run(
            [
                "git",
                "-C",
                str(repo),
                "-c",
                f"gpg.ssh.allowedSignersFile={signers}",
                "verify-commit",
                sha,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0 and "Good" in result.stderr, (sha, result.stderr)


def test_demo_uses_every_action_and_agrees_the_accord(built: Path) -> None:
    store = Negotiation(built / "negotiation")
    versions = list(store.history.versions_in_order())
    used = {v.action for v in versions}
    wanted = {a.value for a in Action} - {"roster", "retract"}
    assert wanted <= used
    roster = store.roster
    assert sorted(roster.ids("mediator")) == ["qatar", "turkiye"]
    assert sorted(roster.ids("party")) == ["afghanistan", "pakistan"]
    assert not any(
        "united states" in a.name.lower() or a.id in {"usa", "us"} for a in roster.actors
    )
    state = table_state(store.history, roster)
    agreed = next(d for d in state.documents if d.name == "accord").agreed
    assert agreed is not None and is_agreed(store.history, agreed)
    text = store.text_of(store.version(agreed))
    assert "[" not in text
    for word in ("TTP", "BLA", "Istanbul", "6 November"):
        assert word in text
    withdraw = next(v for v in versions if v.action == "withdraw")
    resume = next(v for v in versions if v.action == "resume")
    assert withdraw.actor == "pakistan" and "2025-10-29" in git(
        built / "negotiation", "show", "-s", "--format=%aI", withdraw.sha
    )
    assert resume.refers == (withdraw.sha,)
    consolidate = next(v for v in versions if v.action == "consolidate")
    assert {store.version(r).actor for r in consolidate.refers} == {"pakistan", "afghanistan"}
    rounds = [(v.round, v.place, v.date) for v in versions if v.action in ("open", "round")]
    assert rounds == [
        (1, "Doha", "2025-10-18"),
        (2, "Istanbul", "2025-10-25"),
        (3, "Istanbul", "2025-11-06"),
    ]
    amends = [v for v in versions if v.action == "amend"]
    assert (
        sum(v.actor == "pakistan" for v in amends) >= 3
        and sum(v.actor == "afghanistan" for v in amends) >= 3
    )


def test_demo_is_deterministic_and_keys_are_private(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert demo(again).returncode == 0
    assert git(again / "negotiation", "for-each-ref") == git(built / "negotiation", "for-each-ref")
    keys = built / "home" / "keys"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    for key in keys.iterdir():
        if not key.name.endswith(".pub"):
            assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_existing_folder_is_refused_unless_forced(built: Path, tmp_path: Path) -> None:
    refused = demo(built)
    assert refused.returncode == 1 and "--force" in refused.stderr
    other = tmp_path / "not-a-demo"
    other.mkdir()
    (other / "precious.txt").write_text("keep me")
    assert demo(other, "--force").returncode == 1
    assert (other / "precious.txt").read_text() == "keep me"
    random_keys = tmp_path / "random"
    assert demo(random_keys, "--random-keys").returncode == 0
    assert git(random_keys / "negotiation", "for-each-ref") != git(
        built / "negotiation", "for-each-ref"
    )
    assert verify(random_keys / "negotiation").ok


def test_the_scenario_ships_inside_the_package_and_the_top_level_shows_it() -> None:
    package = Path(penholder.__file__).resolve().parent
    assert scenario_folder().resolve().is_relative_to(package)
    scenario = load_scenario()
    texts = [s.text for s in scenario.steps if s.text]
    assert texts and all((data_root() / t).is_file() for t in texts)
    assert scenario.texts_root.resolve() == data_root().resolve()
    for name in ("seeds/istanbul-2025/roster.toml", "seeds/istanbul-2025/script.toml", *texts):
        assert (ROOT / name).read_bytes() == (data_root() / name).read_bytes(), name


def test_a_seed_of_ones_own_reads_its_texts_beside_its_seeds_folder(
    built: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "mine"
    shutil.copytree(scenario_folder(), mine / "seeds" / "istanbul-2025")
    seed = mine / "seeds" / "istanbul-2025"
    refused = demo(tmp_path / "d1", "--seed", str(seed))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "cannot read its text drafts/accord.md" in refused.stderr
    assert not (tmp_path / "d1").exists()
    shutil.copytree(data_root() / "drafts", mine / "drafts")
    assert demo(tmp_path / "d2", "--seed", str(seed)).returncode == 0
    assert git(tmp_path / "d2" / "negotiation", "for-each-ref") == git(
        built / "negotiation", "for-each-ref"
    )
