"""The diff engine: from two texts to an exact, clean list of (op, text) edits.

Pipeline: `diff_anchor` narrows the comparison to changed regions; inside each region the
common prefix and suffix are trimmed again, the rest is tokenized once, tokens are encoded as
characters, diffed by the backend with no time limit, cleaned up semantically at token level
and turned back into text, whitespace included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from penholder.core.diff import anchor as diff_anchor
from penholder.core.diff.backend import DELETE, EQUAL, INSERT, Backend, Deadline, RawDiff, choose
from penholder.core.diff.cleanup import cleanup_chars, cleanup_tokens
from penholder.core.diff.tokens import TokenEncoder, TokenMode, Tokens, tokenize

Granularity = Literal["word", "char", "line"]
DiffFunction = Callable[[str, str, float], RawDiff]

# Below this size (both sides together) a changed region is tokenized whole: trimming its
# common ends first costs more than it saves.
_TRIM_ABOVE = 200


class OpList:
    """Collects edits in order and writes each change (the edits between two unchanged
    stretches) as one deletion then one insertion. With `factor_whitespace`, whitespace that
    ends both the deletion and the insertion is moved to the unchanged text after them."""

    def __init__(self, factor_whitespace: bool) -> None:
        self.factor_whitespace = factor_whitespace
        self.result: RawDiff = []
        self.equal: list[str] = []
        self.deleted: list[str] = []
        self.inserted: list[str] = []

    def add(self, kind: int, text: str) -> None:
        if not text:
            return
        if kind == EQUAL:
            if self.deleted or self.inserted:
                self._close_change()
            self.equal.append(text)
            return
        if self.equal:
            self.result.append((EQUAL, "".join(self.equal)))
            self.equal = []
        (self.deleted if kind == DELETE else self.inserted).append(text)

    def _close_change(self) -> None:
        old, new = "".join(self.deleted), "".join(self.inserted)
        self.deleted, self.inserted = [], []
        same = 0
        if self.factor_whitespace and old and new:
            limit = min(len(old), len(new))
            while same < limit and old[-1 - same] == new[-1 - same] and old[-1 - same].isspace():
                same += 1
        if old:
            self.result.append((DELETE, old[: len(old) - same]))
        if new:
            self.result.append((INSERT, new[: len(new) - same]))
        if same:
            self.equal.append(new[len(new) - same :])

    def finish(self) -> RawDiff:
        if self.deleted or self.inserted:
            self._close_change()
        if self.equal:
            self.result.append((EQUAL, "".join(self.equal)))
            self.equal = []
        return [(kind, text) for kind, text in self.result if text]


def compute(
    old: str, new: str, granularity: Granularity, backend: Backend, budget: float | None
) -> tuple[RawDiff, bool]:
    """Exact edits turning `old` into `new`, and whether a time budget ran out (in which case
    some regions may be marked up more coarsely than a minimal diff would). Character
    granularity refines the word diff: each replaced passage is compared again letter by
    letter, so words still align as words."""
    diff = choose(backend)
    deadline = Deadline(budget)
    mode: TokenMode = "line" if granularity == "line" else "word"
    out = OpList(factor_whitespace=mode == "word")
    encoder = TokenEncoder()
    for changed, o0, o1, n0, n1 in diff_anchor.changed_regions(old, new, mode):
        if changed:
            _diff_tokens(old[o0:o1], new[n0:n1], mode, diff, deadline, encoder, out)
        else:
            out.add(EQUAL, old[o0:o1])
    raw = out.finish()
    if granularity == "char":
        raw = _refine_chars(raw, diff, deadline)
    return raw, deadline.expired


def _refine_chars(raw: RawDiff, diff: DiffFunction, deadline: Deadline) -> RawDiff:
    out = OpList(factor_whitespace=False)
    index = 0
    while index < len(raw):
        kind, text = raw[index]
        if kind == DELETE and index + 1 < len(raw) and raw[index + 1][0] == INSERT:
            inserted = raw[index + 1][1]
            chars = _run(diff, text, inserted, deadline)
            if chars is None:
                chars = [(DELETE, text), (INSERT, inserted)]
            else:
                cleanup_chars(chars)
            for part in chars:
                out.add(*part)
            index += 2
        else:
            out.add(kind, text)
            index += 1
    return out.finish()


def _run(diff: DiffFunction, old: str, new: str, deadline: Deadline) -> RawDiff | None:
    """The backend's diff within what is left of the budget; None if nothing is left."""
    limit = deadline.remaining()
    if deadline.expired:
        return None
    result = diff(old, new, limit)
    deadline.check()
    return result


def _diff_tokens(
    old: str,
    new: str,
    mode: TokenMode,
    diff: DiffFunction,
    deadline: Deadline,
    encoder: TokenEncoder,
    out: OpList,
) -> None:
    """Word (or line) diff of one changed region. `encoder` is shared by all regions of a
    comparison, so that each token is encoded once."""
    if len(old) + len(new) > _TRIM_ABOVE:
        prefix, suffix = diff_anchor.trim_common(old, new, mode)
    else:
        prefix = suffix = 0
    out.add(EQUAL, old[:prefix])
    old_mid, new_mid = old[prefix : len(old) - suffix], new[prefix : len(new) - suffix]
    old_tokens, new_tokens = tokenize(old_mid, mode), tokenize(new_mid, mode)
    raw = None
    if old_tokens.keys and new_tokens.keys:
        codes = _encode(encoder, old_tokens, new_tokens)
        if codes is None:
            deadline.expired = True  # cannot encode: a coarse, still exact edit
        else:
            raw = _without_common_tokens(*codes)
            if raw is None:
                raw = _run(diff, codes[0], codes[1], deadline)
    if raw is None:
        if old_tokens.keys and new_tokens.keys:
            out.add(DELETE, old_mid)
            out.add(INSERT, new_mid)
        else:
            _emit_lead(old_tokens, new_tokens, out)
            out.add(DELETE, old_mid[old_tokens.lead :])
            out.add(INSERT, new_mid[new_tokens.lead :])
    else:
        raw = cleanup_tokens(raw, old_tokens, new_tokens, mode)
        _emit_lead(old_tokens, new_tokens, out)
        _decode(raw, old_tokens, new_tokens, out)
    out.add(EQUAL, old[len(old) - suffix :])


def _without_common_tokens(old: str, new: str) -> RawDiff | None:
    """The diff of two token-code strings whose middles (after their common ends) share no
    token: common start, deletion, insertion, common end. This is exactly what the Myers diff
    returns then, found without calling it; most changed regions are like this. None for
    the others."""
    limit = min(len(old), len(new))
    head = 0
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_mid, new_mid = old[head : len(old) - tail], new[head : len(new) - tail]
    if not set(old_mid).isdisjoint(new_mid):
        return None
    parts = [
        (EQUAL, old[:head]),
        (DELETE, old_mid),
        (INSERT, new_mid),
        (EQUAL, old[len(old) - tail :]),
    ]
    return [(kind, text) for kind, text in parts if text]


def _encode(encoder: TokenEncoder, old: Tokens, new: Tokens) -> tuple[str, str] | None:
    """Both token lists as strings of token codes; None if there are more distinct tokens
    than characters even with a fresh encoder."""
    for _ in range(2):
        try:
            return encoder.encode(old.keys), encoder.encode(new.keys)
        except OverflowError:
            encoder.clear()
    return None


def _emit_lead(old: Tokens, new: Tokens, out: OpList) -> None:
    old_lead, new_lead = old.text[: old.lead], new.text[: new.lead]
    if old_lead == new_lead:
        out.add(EQUAL, old_lead)
    else:
        out.add(DELETE, old_lead)
        out.add(INSERT, new_lead)


def _decode(raw: RawDiff, old: Tokens, new: Tokens, out: OpList) -> None:
    """Turn a diff of token codes back into text; equal tokens whose following whitespace
    differs become the token unchanged plus a whitespace edit."""
    i = j = 0
    for kind, codes in raw:
        count = len(codes)
        if kind == DELETE:
            out.add(DELETE, "".join(old.full[i : i + count]))
            i += count
        elif kind == INSERT:
            out.add(INSERT, "".join(new.full[j : j + count]))
            j += count
        else:
            old_text = "".join(old.full[i : i + count])
            if old_text == "".join(new.full[j : j + count]):
                out.add(EQUAL, old_text)
            else:
                for k in range(count):
                    old_full, new_full = old.full[i + k], new.full[j + k]
                    if old_full == new_full:
                        out.add(EQUAL, old_full)
                    else:
                        key = old.keys[i + k]
                        out.add(EQUAL, key)
                        out.add(DELETE, old_full[len(key) :])
                        out.add(INSERT, new_full[len(key) :])
            i += count
            j += count
