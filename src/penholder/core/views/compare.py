"""What to compare: a version against the one it answers, two versions, two rounds, or what an
actor last saw. Returns the two texts and their versions; `diff` does the comparing."""

from __future__ import annotations

from dataclasses import dataclass

from penholder.core.errors import InputError, RefusedError
from penholder.core.model import TEXT_ACTIONS, Action, Version
from penholder.core.store.negotiation import Negotiation


@dataclass(frozen=True)
class Sides:
    document: str
    old: Version | None
    new: Version | None
    old_text: str
    new_text: str
    label_old: str
    label_new: str


def _text(negotiation: Negotiation, v: Version | None, document: str) -> str:
    if v is None:
        return ""
    found = negotiation.document_of(v, document)
    return found[1] if found else ""


def _sides(
    negotiation: Negotiation,
    document: str,
    old: Version | None,
    new: Version | None,
    label_old: str | None = None,
    label_new: str | None = None,
) -> Sides:
    return Sides(
        document,
        old,
        new,
        _text(negotiation, old, document),
        _text(negotiation, new, document),
        _label(old) if label_old is None else label_old,
        _label(new) if label_new is None else label_new,
    )


def _document(v: Version, document: str | None) -> str:
    name = document or v.document
    if not name:
        raise InputError(f"version {v.short} ({v.action}) names no document; give --doc")
    return name


def _label(v: Version | None) -> str:
    return "(nothing)" if v is None else f"{v.short} r{v.round} {v.actor} {v.action}"


def amendment(negotiation: Negotiation, v: Version, document: str | None = None) -> Sides:
    """A version against the version it answers (its first parent)."""
    name = _document(v, document)
    old = negotiation.version(v.parents[0]) if v.parents and v.action != Action.PROPOSE else None
    return _sides(negotiation, name, old, v)


def between(negotiation: Negotiation, a: Version, b: Version, document: str | None = None) -> Sides:
    name = _document(a, document or b.document)
    return _sides(negotiation, name, a, b)


def _heads_within(negotiation: Negotiation, document: str, last_round: int) -> list[Version]:
    history = negotiation.history
    members = [
        history.version(s)
        for s in history.lineage_of(document)
        if history.version(s).round <= last_round and not history.is_retracted(s)
    ]
    inside = {v.sha for v in members}
    answered = {
        r
        for v in members
        if v.action in TEXT_ACTIONS
        for r in v.refers
        if r in inside and v.sha != r
    }
    return [v for v in members if v.sha not in answered]


def _one_head(
    negotiation: Negotiation, document: str, last_round: int, when: str
) -> Version | None:
    heads = _heads_within(negotiation, document, last_round)
    if len(heads) > 1:
        listed = "; ".join(_label(h) for h in heads)
        raise RefusedError(
            f"{document} had {len(heads)} heads {when}: {listed}. Name one: penholder diff A B",
            rule="several-heads",
        )
    return heads[0] if heads else None


def rounds(negotiation: Negotiation, number: int, document: str) -> Sides:
    """The document as round `number` opened against how it stood when the next one opened."""
    known = sorted({r.number for r in negotiation.history.rounds()})
    if number not in known:
        raise InputError(f"there is no round {number}; rounds: {', '.join(map(str, known))}")
    old = _one_head(negotiation, document, number - 1, f"when round {number} opened")
    later = number + 1 in known
    new = _one_head(
        negotiation,
        document,
        number if later else 1 << 30,
        f"when round {number + 1} opened" if later else "now",
    )
    if old is None and new is None:
        raise InputError(f"{document} has no text in round {number}")
    return _sides(
        negotiation,
        document,
        old,
        new,
        f"round {number} opened: {_label(old)}",
        f"round {number + 1} opened: {_label(new)}" if later else f"now: {_label(new)}",
    )


def last_seen(negotiation: Negotiation, actor: str, document: str) -> Version | None:
    """The newest text of `document` that `actor` sent or receipted."""
    history = negotiation.history
    best: Version | None = None
    for sha in history.lineage_of(document):
        v = history.version(sha)
        seen = v.actor == actor or any(
            w.actor == actor and w.action == Action.RECEIPT for w in history.referring(sha)
        )
        if seen and (best is None or history.generation(sha) > history.generation(best.sha)):
            best = v
    return best


def since_seen(negotiation: Negotiation, actor: str, document: str, new: Version | None) -> Sides:
    old = last_seen(negotiation, actor, document)
    if old is None:
        raise InputError(f"{actor} has neither sent nor receipted any version of {document}")
    if new is None:
        new = _one_head(negotiation, document, 1 << 30, "now")
    return _sides(negotiation, document, old, new, f"last seen by {actor}: {_label(old)}")
