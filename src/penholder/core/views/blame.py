"""Who wrote what: for every word of a version, the actor who first proposed it and the round.

Attribution is carried along the document's lineage. Each text version is compared word by
word with the versions it refers to: unchanged text keeps its origin, a moved block keeps the
origin of where it came from, and new text is the version's own. A consolidation takes each
passage from whichever joined amendment holds it, the first referred version first.
Attributions are runs over the text (start, end, origin), so a long document costs no more
than its number of edits.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from penholder.core.diff.texts import diff_texts
from penholder.core.errors import Hint, InputError
from penholder.core.model import Version
from penholder.core.store.negotiation import Negotiation

Run = tuple[int, int, str]  # [start, end) of the text, and the sha of the version it came from


@dataclass(frozen=True)
class Span:
    text: str
    actor: str
    round: int
    version: str

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "actor": self.actor,
            "round": self.round,
            "version": self.version,
        }


def _slice(runs: list[Run], starts: list[int], start: int, end: int, shift: int) -> list[Run]:
    """The runs covering [start, end), moved by `shift`."""
    out: list[Run] = []
    k = max(bisect.bisect_right(starts, start) - 1, 0)
    while k < len(runs) and runs[k][0] < end:
        a, b, origin = runs[k]
        lo, hi = max(a, start), min(b, end)
        if lo < hi:
            out.append((lo + shift, hi + shift, origin))
        k += 1
    return out


def carry(old_runs: list[Run], old: str, new: str, own: str) -> list[Run]:
    """Attribution of `new`, given that of `old`: kept and moved text keep their origin."""
    diff = diff_texts(old, new, "word")
    starts = [r[0] for r in old_runs]
    moved_from: dict[int, int] = {}  # insert op index -> old position of its deleted twin
    old_pos_of_op: dict[int, int] = {}
    position = 0
    for index, op in enumerate(diff.ops):
        if op.kind != "insert":
            old_pos_of_op[index] = position
            position += len(op.text)
    for move in diff.moves:
        moved_from[move.insert_op] = old_pos_of_op[move.delete_op]
    out: list[Run] = []
    old_pos = new_pos = 0
    for index, op in enumerate(diff.ops):
        size = len(op.text)
        if op.kind == "equal":
            out += _slice(old_runs, starts, old_pos, old_pos + size, new_pos - old_pos)
            old_pos += size
            new_pos += size
        elif op.kind == "delete":
            old_pos += size
        else:
            source = moved_from.get(index)
            if source is not None:
                out += _slice(old_runs, starts, source, source + size, new_pos - source)
            else:
                out.append((new_pos, new_pos + size, own))
            new_pos += size
    return _merge(out)


def _merge(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for run in runs:
        if out and out[-1][2] == run[2] and out[-1][1] == run[0]:
            out[-1] = (out[-1][0], run[1], run[2])
        else:
            out.append(run)
    return out


def _overlay(first: list[Run], other: list[Run], own: str) -> list[Run]:
    """Where `first` says the version wrote the text itself, take `other`'s origin instead."""
    starts = [r[0] for r in other]
    out: list[Run] = []
    for a, b, origin in first:
        if origin != own:
            out.append((a, b, origin))
            continue
        covered = a
        for lo, hi, found in _slice(other, starts, a, b, 0):
            if lo > covered:
                out.append((covered, lo, own))
            out.append((lo, hi, found))
            covered = hi
        if covered < b:
            out.append((covered, b, own))
    return _merge(out)


class Attribution:
    """Attributions of a document's versions, computed once each along the lineage."""

    def __init__(self, negotiation: Negotiation, document: str) -> None:
        self.negotiation = negotiation
        self.document = document
        self._runs: dict[str, list[Run]] = {}
        self._texts: dict[str, str] = {}

    def text(self, sha: str) -> str:
        if sha not in self._texts:
            found = self.negotiation.document_of(self.negotiation.version(sha), self.document)
            self._texts[sha] = found[1] if found else ""
        return self._texts[sha]

    def runs(self, version: Version) -> list[Run]:
        history = self.negotiation.history
        wanted = [
            sha
            for sha in history.lineage_of(self.document)
            if sha not in self._runs and history.is_ancestor(sha, version.sha)
        ]
        for sha in wanted:  # the lineage is in ancestry order: parents come first
            v = history.version(sha)
            text = self.text(sha)
            sources = [
                r for r in v.refers if r in history and history.version(r).document == self.document
            ]
            if not sources:
                self._runs[sha] = [(0, len(text), sha)] if text else []
                continue
            result = carry(self._runs[sources[0]], self.text(sources[0]), text, sha)
            for other in sources[1:]:
                result = _overlay(
                    result, carry(self._runs[other], self.text(other), text, sha), sha
                )
            self._runs[sha] = result
            # Keep memory flat: only texts still needed as a source are kept.
        return self._runs[version.sha]

    def spans(self, version: Version) -> list[Span]:
        history = self.negotiation.history
        text = self.text(version.sha)
        return [
            Span(
                text[a:b],
                history.version(origin).actor,
                history.version(origin).round,
                origin,
            )
            for a, b, origin in self.runs(version)
        ]


def blame(negotiation: Negotiation, version: Version, document: str | None = None) -> list[Span]:
    """Spans `{text, actor, round, version}` that concatenate to the version's text."""
    name = document or version.document
    if not name:
        raise InputError(f"{version.short} names no document", hint=Hint.CHOOSE_DOCUMENT)
    target = version
    if not version.is_text or version.document != name:
        found = negotiation.history.latest_of(name, at=version.sha)
        if found is None:
            raise InputError(f"no text of {name} at or before {version.short}")
        target = negotiation.version(found)
    return Attribution(negotiation, name).spans(target)
