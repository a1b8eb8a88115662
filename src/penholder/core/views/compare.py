"""What to compare: a version against a base (the version it answers, the previous round, what
an actor last saw), two versions, or two rounds. Returns the two texts and their versions;
`diff` does the comparing.

The comparison base is decided here and only here (`base_version`), for the CLI and the app:

- `Base.ANSWERED`: the version it answers, its first `Refers` (none for a `propose`, or for an
  action that refers to nothing: the comparison is then against the empty page);
- `Base.PREVIOUS_ROUND`: the newest text of its document among its ancestors from an earlier
  round;
- `Base.LAST_SEEN`: the newest text of its document among its ancestors (itself excluded) that
  the actor wrote or referred to in any way (a receipt, a comment, a sign, an amendment…).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from penholder.core.errors import Hint, InputError, RefusedError
from penholder.core.model import TEXT_ACTIONS, Version
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.history import History


class Base(StrEnum):
    """What a version is compared against."""

    ANSWERED = "answered"
    PREVIOUS_ROUND = "round"
    LAST_SEEN = "seen"


@dataclass(frozen=True)
class Sides:
    document: str
    old: Version | None
    new: Version | None
    old_text: str
    new_text: str
    label_old: str
    label_new: str


# the base ----------------------------------------------------------------------------------


def answered_base(history: History, v: Version) -> str | None:
    """The version `v` answers: its first `Refers`, when the history holds it."""
    return v.refers[0] if v.refers and v.refers[0] in history else None


def previous_round_base(history: History, v: Version, document: str | None = None) -> str | None:
    """The newest text of the document among v's ancestors from an earlier round."""
    name = document or v.document
    if not name:
        return None
    best: str | None = None
    for sha in history.lineage_of(name):
        newer = best is None or history.generation(sha) > history.generation(best)
        if newer and history.version(sha).round < v.round and history.is_ancestor(sha, v.sha):
            best = sha
    return best


def last_seen_base(
    history: History, v: Version, actor: str, document: str | None = None
) -> str | None:
    """The newest text of the document among v's ancestors (v excluded) that `actor` wrote or
    referred to in any way: what the actor last saw before v."""
    name = document or v.document
    if not name:
        return None
    best: str | None = None
    for sha in history.lineage_of(name):
        if sha == v.sha or not history.is_ancestor(sha, v.sha):
            continue
        if best is not None and history.generation(sha) <= history.generation(best):
            continue
        seen = history.version(sha).actor == actor or any(
            w.actor == actor for w in history.referring(sha)
        )
        if seen:
            best = sha
    return best


def base_version(
    history: History, v: Version, base: Base, actor: str | None = None, document: str | None = None
) -> str | None:
    """The version `v` is compared against, by the rule `base` (None: the empty page)."""
    if base == Base.ANSWERED:
        return answered_base(history, v)
    if base == Base.PREVIOUS_ROUND:
        return previous_round_base(history, v, document)
    if not actor:
        raise InputError("say whose view: since whom last saw it", hint=Hint.GIVE_ACTOR)
    return last_seen_base(history, v, actor, document)


# sides -------------------------------------------------------------------------------------


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
        raise InputError(
            f"version {v.short} ({v.action}) names no document", hint=Hint.CHOOSE_DOCUMENT
        )
    return name


def _label(v: Version | None) -> str:
    return "(nothing)" if v is None else f"{v.short} r{v.round} {v.actor} {v.action}"


def _version(negotiation: Negotiation, sha: str | None) -> Version | None:
    return None if sha is None else negotiation.version(sha)


def amendment(negotiation: Negotiation, v: Version, document: str | None = None) -> Sides:
    """A version against the version it answers."""
    name = _document(v, document)
    old = _version(negotiation, answered_base(negotiation.history, v))
    return _sides(negotiation, name, old, v)


def between(negotiation: Negotiation, a: Version, b: Version, document: str | None = None) -> Sides:
    name = _document(a, document or b.document)
    return _sides(negotiation, name, a, b)


def against(
    negotiation: Negotiation, v: Version, base: Base, actor: str | None, document: str | None = None
) -> Sides:
    """A version against its base by the rule `base` (see the module's docstring)."""
    name = _document(v, document)
    old = _version(negotiation, base_version(negotiation.history, v, base, actor, name))
    return _sides(negotiation, name, old, v)


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
            f"{document} had {len(heads)} heads {when}: {listed}. Name one",
            rule="several-heads",
            hint=Hint.GIVE_REVISION,
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


def since_seen(negotiation: Negotiation, actor: str, document: str, new: Version | None) -> Sides:
    """`new` (default: the one head of the document now) since `actor` last saw the document
    (`Base.LAST_SEEN`)."""
    if new is None:
        new = _one_head(negotiation, document, 1 << 30, "now")
    seen = last_seen_base(negotiation.history, new, actor, document) if new is not None else None
    if new is None or seen is None:
        raise InputError(f"{actor} has seen no earlier version of {document}")
    old = negotiation.version(seen)
    return _sides(negotiation, document, old, new, f"last seen by {actor}: {_label(old)}")
