"""Small modules with one purpose: no Python module under src/penholder over 400 lines, no
Textual stylesheet over 250 (a stylesheet that grows past that styles more than one screen)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "penholder"
LIMITS = {".py": 400, ".tcss": 250}


def oversized(root: Path, limits: dict[str, int]) -> list[str]:
    """`path: N lines (limit L)` for each file under `root` longer than its suffix's limit."""
    found = []
    for path in sorted(root.rglob("*")):
        limit = limits.get(path.suffix)
        if limit is None or not path.is_file():
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{path.relative_to(root.parent)}: {lines} lines (limit {limit})")
    return found


def test_no_module_or_stylesheet_is_over_its_size() -> None:
    offenders = oversized(PACKAGE, LIMITS)
    assert not offenders, "split these:\n" + "\n".join(offenders)


def test_an_oversized_file_is_named_with_its_length(tmp_path: Path) -> None:
    package = tmp_path / "penholder"
    (package / "tui").mkdir(parents=True)
    (package / "small.py").write_text("x = 1\n" * 400)
    (package / "big.py").write_text("x = 1\n" * 401)
    (package / "tui" / "app.tcss").write_text("Screen {}\n" * 251)
    (package / "notes.md").write_text("line\n" * 1000)
    assert oversized(package, LIMITS) == [
        "penholder/big.py: 401 lines (limit 400)",
        "penholder/tui/app.tcss: 251 lines (limit 250)",
    ]
