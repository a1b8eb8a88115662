from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import Table, make_table


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "corrupts_store: the test breaks objects on purpose")


@pytest.fixture
def table(tmp_path: Path) -> Table:
    """A negotiation in a temp folder (git fsck --strict is checked after the test)."""
    return make_table(tmp_path / "neg")


@pytest.fixture(autouse=True)
def fsck_every_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """`git fsck --strict` stays clean after every test, in every repository it left behind."""
    yield
    if request.node.get_closest_marker("corrupts_store"):
        return
    for head in tmp_path.rglob("HEAD"):
        repo = head.parent
        if not (repo / "objects").is_dir() or "quarantine" in repo.name:
            continue
        fsck = subprocess.run(
            ["git", "-C", str(repo), "fsck", "--strict", "--no-dangling"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert fsck.returncode == 0 and not fsck.stderr.strip(), (
            f"{repo}: {fsck.stdout}{fsck.stderr}"
        )
