"""The core stands without its UI: importing every core module loads no textual, rich or click."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import penholder.core


def test_core_imports_no_ui_library() -> None:
    modules = [
        m.name for m in pkgutil.walk_packages(penholder.core.__path__, prefix="penholder.core.")
    ]
    assert "penholder.core.store.negotiation" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'click'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"penholder.core pulled in: {result.stdout.strip()}"


def test_tui_models_import_no_textual() -> None:
    """The desk, the redline, blame and four-column layouts, drafts and config are plain Python
    too."""
    code = (
        "import sys\n"
        "import penholder.tui.desk, penholder.tui.redline, penholder.tui.drafts, penholder.tui.config\n"
        "import penholder.tui.trilogue, penholder.tui.attribution\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
