"""Clauses, brackets and their status: the structure negotiators think in.

A clause is a numbered heading (`## 3. Action against Armed Groups`) or a numbered paragraph
(`3.2 The Afghan Side shall…`), with the unnumbered paragraphs that follow it; text before the
first clause, and unnumbered headings, are clauses too. A clause keeps its id across versions
when it is renumbered or moved: ids are carried along the lineage by matching content.
`[...]` marks disputed wording; `[option A / option B]` holds alternatives.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from dataclasses import dataclass

from penholder.core.errors import Hint, InputError
from penholder.core.model import Role, Version
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.agreement import is_agreed

HEADING = re.compile(r"^(#{1,6})\s+(?:(\d+(?:\.\d+)*)\.?\s+)?(.*?)\s*$")
PARAGRAPH = re.compile(r"^(\d+(?:\.\d+)+)\.?\s+")
# A bracket opens a disputed passage; Markdown links `[text](url)` and footnotes `[^1]` do not.
BRACKET = re.compile(r"\[(?!\^)")
LINK = re.compile(r"\[[^\[\]\n]*\]\(")
SAME_NUMBER_SIMILARITY = 0.5
MOVED_SIMILARITY = 0.6


@dataclass(frozen=True)
class RawClause:
    number: str
    title: str
    text: str  # the clause's whole text, as in the document
    body: str  # the text without its number, for matching

    @property
    def brackets(self) -> int:
        return count_brackets(self.text)


@dataclass(frozen=True)
class Clause:
    id: str
    number: str
    title: str
    text: str
    brackets: int
    status: str
    proposed_by: str
    origin: str  # the version that first carried the clause

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "status": self.status,
            "brackets": self.brackets,
            "proposed_by": self.proposed_by,
        }


def count_brackets(text: str) -> int:
    return len(BRACKET.findall(text)) - len(LINK.findall(text))


@functools.lru_cache(maxsize=65536)
def _block_kind(first_line: str) -> tuple[str, str] | None:
    """(number, title) when a block's first line opens a clause, else None."""
    heading = HEADING.match(first_line)
    if heading:
        return heading.group(2) or "", heading.group(3)
    paragraph = PARAGRAPH.match(first_line)
    if paragraph:
        # Words split on spaces, tabs and newlines only: a control character in a hostile text
        # stays in the title, where painters show it as a mark.
        words = [w for w in re.split(r"[ \t\n]+", first_line[paragraph.end() :]) if w]
        return paragraph.group(1), " ".join(words[:8]) + ("…" if len(words) > 8 else "")
    return None


@functools.lru_cache(maxsize=65536)
def _clause(number: str, title: str, parts: tuple[str, ...]) -> RawClause:
    whole = "\n\n".join(parts)
    body = re.sub(r"^\s*(#{1,6}\s+)?\d+(\.\d+)*\.?\s+", "", whole, count=1)
    return RawClause(number, title, whole, " ".join(body.split()))


def parse_clauses(text: str) -> list[RawClause]:
    """The clauses of a text, in order. Blocks and clauses met before (most of a new version
    of a long document) are not parsed again."""
    groups: list[tuple[str, str, list[str]]] = []
    for block in re.split(r"\n[ \t]*\n", text):
        stripped = block.lstrip()
        if not stripped:
            if groups:
                groups[-1][2].append(block)
            continue
        kind = _block_kind(stripped.split("\n", 1)[0])
        if kind is not None:
            groups.append((kind[0], kind[1], [block]))
        elif groups:
            groups[-1][2].append(block)
        else:
            groups.append(("", "Preamble", [block]))
    return [_clause(number, title, tuple(parts)) for number, title, parts in groups]


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def match_ids(
    parent: list[tuple[str, RawClause]], child: list[RawClause], new_id: str
) -> list[str]:
    """Ids for `child`'s clauses from `parent`'s (id, clause) pairs; unmatched ones get new ids
    built from `new_id`."""
    ids: list[str | None] = [None] * len(child)
    free = dict(enumerate(parent))
    by_body: dict[str, list[int]] = {}
    for k, (_, clause) in free.items():
        by_body.setdefault(clause.body, []).append(k)
    for i, clause in enumerate(child):  # 1. identical wording
        for k in by_body.get(clause.body, []):
            if k in free:
                ids[i] = free.pop(k)[0]
                break
    for i, clause in enumerate(child):  # 2. same number, similar wording
        if ids[i] is None and clause.number:
            for k, (pid, old) in list(free.items()):
                if (
                    old.number == clause.number
                    and _similarity(old.body, clause.body) >= SAME_NUMBER_SIMILARITY
                ):
                    ids[i] = pid
                    del free[k]
                    break
    for i, clause in enumerate(child):  # 3. moved and renumbered, still much the same
        if ids[i] is None and free:
            k, score = max(
                ((k, _similarity(old.body, clause.body)) for k, (_, old) in free.items()),
                key=lambda x: x[1],
            )
            if score >= MOVED_SIMILARITY:
                ids[i] = free.pop(k)[0]
    return [
        found if found is not None else "c" + hashlib.sha1(f"{new_id}:{i}".encode()).hexdigest()[:7]
        for i, found in enumerate(ids)
    ]


class ClauseTracker:
    """Clause ids of a document's versions, carried along the lineage once each."""

    def __init__(self, negotiation: Negotiation, document: str) -> None:
        self.negotiation = negotiation
        self.document = document
        self._ids: dict[str, list[tuple[str, RawClause]]] = {}
        self.origins: dict[str, str] = {}  # clause id -> version that first carried it

    def text(self, sha: str) -> str:
        found = self.negotiation.document_of(self.negotiation.version(sha), self.document)
        return found[1] if found else ""

    def clauses(self, version: Version) -> list[tuple[str, RawClause]]:
        history = self.negotiation.history
        for sha in history.lineage_of(self.document):
            if sha in self._ids or not history.is_ancestor(sha, version.sha):
                continue
            v = history.version(sha)
            raw = parse_clauses(self.text(sha))
            parents = [r for r in v.refers if r in self._ids]
            ids: list[str | None] = [None] * len(raw)
            for parent in parents:
                pending = [i for i, x in enumerate(ids) if x is None]
                known = {x[0] for x in self._ids[parent]}
                found = match_ids(self._ids[parent], [raw[i] for i in pending], sha)
                for i, clause_id in zip(pending, found, strict=True):
                    if clause_id in known:
                        ids[i] = clause_id
            final = [
                x if x is not None else "c" + hashlib.sha1(f"{sha}:{i}".encode()).hexdigest()[:7]
                for i, x in enumerate(ids)
            ]
            for clause_id in final:
                self.origins.setdefault(clause_id, sha)
            self._ids[sha] = list(zip(final, raw, strict=True))
        return self._ids[version.sha]


def _text_version(negotiation: Negotiation, version: Version, document: str) -> Version:
    if version.is_text and version.document == document:
        return version
    found = negotiation.history.latest_of(document, at=version.sha)
    if found is None:
        raise InputError(f"no text of {document} at or before {version.short}")
    return negotiation.version(found)


def clause_table(
    negotiation: Negotiation, version: Version, document: str | None = None
) -> list[Clause]:
    """The clauses of a version with id, number, title, status, open brackets, proposer."""
    name = document or version.document
    if not name:
        raise InputError(f"{version.short} names no document", hint=Hint.CHOOSE_DOCUMENT)
    target = _text_version(negotiation, version, name)
    history = negotiation.history
    tracker = ClauseTracker(negotiation, name)
    here = tracker.clauses(target)
    signed = is_agreed(history, target.sha)
    # Every party's latest text of the document at or before this version.
    roster = history.roster_in_force([target.sha])
    latest: dict[str, dict[str, RawClause]] = {}
    for party in roster.ids(Role.PARTY):
        own = history.latest_of(name, at=target.sha, by=party)
        if own is not None:
            latest[party] = dict(tracker.clauses(history.version(own)))
    out = []
    for clause_id, raw in here:
        if signed:
            status = "signed"
        elif raw.brackets:
            status = "bracketed"
        elif (
            len(latest) == len(roster.ids(Role.PARTY))
            and latest
            and all(
                (other := clauses.get(clause_id)) is not None
                and other.body == raw.body
                and not other.brackets
                for clauses in latest.values()
            )
        ):
            status = "agreed ad referendum"
        else:
            status = "open"
        origin = tracker.origins[clause_id]
        out.append(
            Clause(
                clause_id,
                raw.number,
                raw.title,
                raw.text,
                raw.brackets,
                status,
                history.version(origin).actor,
                origin,
            )
        )
    return out


@dataclass(frozen=True)
class BracketTrend:
    round: int
    version: str
    total: int
    per_clause: dict[str, int]


def bracket_trend(
    negotiation: Negotiation, version: Version, document: str | None = None
) -> list[BracketTrend]:
    """Open brackets per round: in the newest text of each round at or before `version`."""
    name = document or version.document or ""
    target = _text_version(negotiation, version, name)
    history = negotiation.history
    tracker = ClauseTracker(negotiation, name)
    newest: dict[int, str] = {}
    for sha in history.lineage_of(name):
        if history.is_ancestor(sha, target.sha):
            v = history.version(sha)
            if v.round not in newest or history.generation(sha) > history.generation(
                newest[v.round]
            ):
                newest[v.round] = sha
    trend = []
    for number in sorted(newest):
        clauses = tracker.clauses(history.version(newest[number]))
        per = {cid: raw.brackets for cid, raw in clauses if raw.brackets}
        trend.append(BracketTrend(number, newest[number], sum(per.values()), per))
    return trend
