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
def table(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Table]:
    """A negotiation in a temp folder; `git fsck --strict` must be clean after the test."""
    made = make_table(tmp_path / "neg")
    yield made
    if request.node.get_closest_marker("corrupts_store") is None:
        fsck = subprocess.run(
            ["git", "-C", str(made.path), "fsck", "--strict", "--no-dangling"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert fsck.returncode == 0 and not fsck.stderr.strip(), fsck.stdout + fsck.stderr
