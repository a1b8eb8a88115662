"""Semantic clean-up of raw diffs, so that a change reads as a person would mark it up.

For token diffs (word and line mode) diff-match-patch's own clean-up does not fit: it counts
in characters and judges boundaries by character class, while here each character stands
for a whole token. So the same three steps are done at token level:
  1. drop an equality that is shorter than the edits on both sides of it (strictly: one
     kept word between two one-word replacements stays, as a lawyer would leave it);
  2. pull out a token overlap between a deletion and the insertion after it;
  3. slide a lone insertion or deletion to the most natural boundaries, scored on the real
     whitespace around the tokens.
"""

from __future__ import annotations

from diff_match_patch import diff_match_patch

from penholder.core.diff.anchor import common_suffix
from penholder.core.diff.backend import DELETE, EQUAL, INSERT, RawDiff
from penholder.core.diff.tokens import TokenMode, Tokens, boundary_score

_DMP = diff_match_patch()


def cleanup_chars(diffs: RawDiff) -> None:
    """diff-match-patch's own semantic clean-up, for character diffs (in place)."""
    _DMP.diff_cleanupSemantic(diffs)


def cleanup_tokens(diffs: RawDiff, old: Tokens, new: Tokens, mode: TokenMode) -> RawDiff:
    """The token-level semantic clean-up of a diff of token codes."""
    kinds = [kind for kind, _ in diffs]
    if EQUAL in kinds[1:-1] and _drop_small_equalities(diffs):
        _extract_overlaps(diffs)  # a minimal diff has no overlaps; merging edits can make some
        kinds = [kind for kind, _ in diffs]
    lone_edit = any(
        kinds[k] != EQUAL and kinds[k - 1] == EQUAL == kinds[k + 1]
        for k in range(1, len(kinds) - 1)
    )
    return _shift_to_boundaries(diffs, old, new, mode) if lone_edit else diffs


def _drop_small_equalities(diffs: RawDiff) -> bool:
    """diff-match-patch's equality elimination with a strict comparison (in place); whether
    anything changed."""
    changed = False
    equalities: list[int] = []
    last: str | None = None
    pointer = 0
    inserted_before = deleted_before = inserted_after = deleted_after = 0
    while pointer < len(diffs):
        kind, text = diffs[pointer]
        if kind == EQUAL:
            equalities.append(pointer)
            inserted_before, deleted_before = inserted_after, deleted_after
            inserted_after = deleted_after = 0
            last = text
        else:
            if kind == INSERT:
                inserted_after += len(text)
            else:
                deleted_after += len(text)
            if (
                last
                and len(last) < max(inserted_before, deleted_before)
                and len(last) < max(inserted_after, deleted_after)
            ):
                at = equalities.pop()
                diffs[at : at + 1] = [(DELETE, last), (INSERT, last)]
                if equalities:
                    equalities.pop()
                pointer = equalities[-1] if equalities else -1
                inserted_before = deleted_before = inserted_after = deleted_after = 0
                last = None
                changed = True
        pointer += 1
    if changed:
        _DMP.diff_cleanupMerge(diffs)
    return changed


def _extract_overlaps(diffs: RawDiff) -> None:
    """<del>abcxxx</del><ins>xxxdef</ins> -> <del>abc</del>xxx<ins>def</ins>, when the overlap
    is at least half of either edit (as diff-match-patch does; in place)."""
    pointer = 1
    while pointer < len(diffs):
        if diffs[pointer - 1][0] == DELETE and diffs[pointer][0] == INSERT:
            deletion, insertion = diffs[pointer - 1][1], diffs[pointer][1]
            forward = _DMP.diff_commonOverlap(deletion, insertion)
            backward = _DMP.diff_commonOverlap(insertion, deletion)
            if forward >= backward and 2 * forward >= min(len(deletion), len(insertion)) > 0:
                diffs[pointer - 1 : pointer + 1] = [
                    (DELETE, deletion[: len(deletion) - forward]),
                    (EQUAL, insertion[:forward]),
                    (INSERT, insertion[forward:]),
                ]
                pointer += 1
            elif backward > forward and 2 * backward >= min(len(deletion), len(insertion)):
                diffs[pointer - 1 : pointer + 1] = [
                    (INSERT, insertion[: len(insertion) - backward]),
                    (EQUAL, deletion[:backward]),
                    (DELETE, deletion[backward:]),
                ]
                pointer += 1
            pointer += 1
        pointer += 1
    diffs[:] = [(kind, text) for kind, text in diffs if text]


def _shift_to_boundaries(raw: RawDiff, old: Tokens, new: Tokens, mode: TokenMode) -> RawDiff:
    """diff-match-patch's lossless clean-up: slide each lone insertion or deletion between two
    equalities to where it starts and ends at the most natural boundaries."""
    out: RawDiff = []
    at = {DELETE: 0, INSERT: 0}  # token positions reached on the old and the new side

    def push(kind: int, text: str) -> None:
        if not text:
            return
        if kind != INSERT:
            at[DELETE] += len(text)
        if kind != DELETE:
            at[INSERT] += len(text)
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + text)
        else:
            out.append((kind, text))

    pending = list(raw)
    for index, (kind, text) in enumerate(pending):
        following = pending[index + 1] if index + 1 < len(pending) else (EQUAL, "")
        if kind == EQUAL or not out or out[-1][0] != EQUAL or following[0] != EQUAL:
            push(kind, text)
            continue
        before = out.pop()[1]
        at[DELETE] -= len(before)
        at[INSERT] -= len(before)
        back = common_suffix(before, text)
        if back:  # first slide the edit as far left as it goes
            text = text[-back:] + text[:-back]
            before = before[:-back]
        after = text[:back] + following[1] if back else following[1]
        tokens = old if kind == DELETE else new
        start, size, joined = at[kind] + len(before), len(text), text + after
        best_shift, best_score, shift = 0, -1, 0
        while True:
            score = boundary_score(tokens, start + shift, mode)
            score += boundary_score(tokens, start + shift + size, mode)
            if score >= best_score:  # ties go right, as in diff-match-patch
                best_shift, best_score = shift, score
            if shift >= len(after) or joined[shift] != joined[shift + size]:
                break
            shift += 1
        push(EQUAL, before + joined[:best_shift])
        push(kind, joined[best_shift : best_shift + size])
        if index + 1 < len(pending):
            pending[index + 1] = (EQUAL, joined[best_shift + size :])
    return out
