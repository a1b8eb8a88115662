"""Telling layout changes from real ones.

Re-wrapping a paragraph changes only whitespace: a space becomes a line break or back.
Such a change is kept in the ops (the diff stays exact) but views show it in the new layout
and stats do not count it. A whitespace change that splits or joins paragraphs (adds or
removes a blank line) is a real change.
"""

from __future__ import annotations

from collections.abc import Sequence

from penholder.core.diff.types import Op


def is_layout_change(before: str, old: str, new: str, after: str) -> bool:
    """Whether replacing whitespace `old` by `new`, between unchanged texts `before` and
    `after`, only re-wraps: both are whitespace, and a blank line is there in both or in
    neither."""
    if (old and not old.isspace()) or (new and not new.isspace()):
        return False
    lead = before[len(before.rstrip()) :]
    trail = after[: len(after) - len(after.lstrip())]
    return ((lead + old + trail).count("\n") >= 2) == ((lead + new + trail).count("\n") >= 2)


def layout_only(ops: Sequence[Op]) -> set[int]:
    """Indices of the ops belonging to a change that only re-wraps."""
    found: set[int] = set()
    index = 0
    while index < len(ops):
        if ops[index].kind == "equal":
            index += 1
            continue
        end = index
        while end < len(ops) and ops[end].kind != "equal":
            end += 1
        old = "".join(ops[k].text for k in range(index, end) if ops[k].kind == "delete")
        new = "".join(ops[k].text for k in range(index, end) if ops[k].kind == "insert")
        before = ops[index - 1].text if index > 0 else ""
        after = ops[end].text if end < len(ops) else ""
        if is_layout_change(before, old, new, after):
            found.update(range(index, end))
        index = end
    return found
