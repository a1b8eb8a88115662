from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import Table, make_table


@pytest.fixture
def table(tmp_path: Path) -> Table:
    return make_table(tmp_path / "neg")
