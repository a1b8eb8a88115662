"""The words the core speaks in: one flat family of errors, each with a stable rule id, and
enums whose values are exactly the strings they replaced (in JSON, in comparisons, as keys)."""

from __future__ import annotations

import ast
import inspect
import json
from enum import StrEnum
from pathlib import Path

import pytest

from penholder.core import errors
from penholder.core.errors import CommitFormatError, PenholderError, TreeFormatError
from penholder.core.model import Action, Role, SignatureStatus
from penholder.core.sync.results import BranchResult, BranchStatus
from penholder.core.trust.branches import Verdict
from penholder.core.trust.rules import Rule

CORE = Path(__file__).resolve().parent.parent / "src" / "penholder" / "core"


def test_every_error_class_of_the_core_is_in_errors_py() -> None:
    """A person-facing error is a PenholderError from `errors.py` (internal control-flow
    signals, which never reach a person, are not named `...Error`)."""
    elsewhere = [
        f"{path.relative_to(CORE)}: {node.name}"
        for path in sorted(CORE.rglob("*.py"))
        if path.name != "errors.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and node.name.endswith("Error")
    ]
    assert elsewhere == []


def test_every_error_is_a_penholder_error_with_a_rule_id() -> None:
    family = [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, Exception) and cls.__module__ == errors.__name__
    ]
    assert len(family) >= 10
    for cls in family:
        assert issubclass(cls, PenholderError)
        assert cls.rule and cls.rule == cls.rule.strip().lower(), cls
    # Errors the parsers raise carry the kernel's rule ids.
    assert TreeFormatError.rule == Rule.TREE_FORM
    assert CommitFormatError.rule == Rule.TRAILERS
    refused = CommitFormatError("x", rule=Rule.MESSAGE_FORM)
    assert refused.rule == "message-form" and isinstance(refused, ValueError)


@pytest.mark.parametrize("enum", [Action, Role, SignatureStatus, BranchStatus, Verdict, Rule])
def test_enum_values_are_the_strings_they_replaced(enum: type[StrEnum]) -> None:
    for member in enum:
        plain = member.value
        assert member == plain and hash(member) == hash(plain)
        assert json.dumps({member: member}) == json.dumps({plain: plain})
        assert f"{member}" == str(member) == plain
        assert {plain: 1}[member] == 1


def test_a_branch_result_is_json_in_plain_strings() -> None:
    result = BranchResult("pakistan", None, "a" * 40, BranchStatus.REFUSED_VERIFY)
    out = json.loads(json.dumps(result.to_json()))
    assert out["status"] == "refused-verify" and out["rule"] == "sync-verify"
    assert result.refused
    assert not BranchResult("qatar", None, None, BranchStatus.PUSHED).refused
