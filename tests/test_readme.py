"""The README stays true: its test command is CI's, and it lists every rule id."""

from __future__ import annotations

from pathlib import Path

from penholder.core.trust.rules import RULE_TEXT

ROOT = Path(__file__).resolve().parent.parent


def test_readme_lists_every_rule_as_the_kernel_states_it() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [rule for rule, text in RULE_TEXT.items() if f"| `{rule}` | {text} |" not in readme]
    assert missing == []


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = "python -m pytest -n 2"
    assert command in readme
    assert ci.rstrip().splitlines()[-1] == command
    # ... after installing the same extras, so the PDF tests run for a newcomer as in CI.
    install = "-e '.[dev,pdf]'"
    assert f"pip install -q {install} && {command}" in readme
    assert f"pip install -q {install}" in ci
