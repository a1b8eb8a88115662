"""Each command imports only what it uses: what a real `penholder` process imports, as
`python -X importtime` lists it. (How fast it starts is measured in bench/bench_startup.py.)"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

from helpers import Table, shuttle

UI = ("textual", "rich")


def imports(*args: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules a `penholder` process imports, and the finished process."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "penholder", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    names = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and not line.endswith("imported package")
    }
    return names, done


def within(names: set[str], *packages: str) -> list[str]:
    return sorted(n for n in names if any(n == p or n.startswith(p + ".") for p in packages))


def test_version_imports_click_alone() -> None:
    names, done = imports("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(importlib.metadata.version("penholder"))
    assert "click" in names
    assert within(names, *UI) == []
    assert within(names, "git") == []  # GitPython
    assert within(names, "cryptography", "penholder.core", "penholder.cli.context") == []


def test_status_imports_no_app_sync_or_diff(table: Table) -> None:
    shuttle(table)
    names, done = imports("-C", str(table.path), "status")
    assert done.returncode == 0, done.stderr
    assert "agreed" in done.stdout
    assert within(names, *UI) == []
    assert within(names, "penholder.tui", "penholder.core.sync", "penholder.core.diff") == []
    # The command-group modules of other commands stay unloaded.
    cli = ["cli", "cli.context", "cli.main", "cli.negotiation", "cli.terminal"]
    assert within(names, "penholder.cli") == [f"penholder.{m}" for m in cli]


def test_help_lists_every_command_without_the_app(tmp_path: Path) -> None:
    names, done = imports("-C", str(tmp_path), "--help")
    assert done.returncode == 0, done.stderr
    assert "status" in done.stdout and "sync" in done.stdout
    assert within(names, *UI, "penholder.tui") == []


def test_command_modules_form_no_cycle() -> None:
    """Each command module imports the shared context, never the top-level group, and no two
    command modules import each other in a circle."""
    import ast

    import penholder.cli

    folder = Path(penholder.cli.__file__).parent
    graph: dict[str, set[str]] = {}
    for file in folder.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("penholder.cli"):
                found.add((node.module or "").removeprefix("penholder.cli").lstrip(".") or "")
                if node.module == "penholder.cli":
                    found |= {alias.name for alias in node.names}
        graph[file.stem] = found - {""}
    assert all("main" not in deps for name, deps in graph.items() if name != "__init__")

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            dep == goal or (dep not in seen and reaches(dep, goal, seen | {dep}))
            for dep in graph.get(start, set())
        )

    assert [name for name in graph if reaches(name, name, {name})] == []
