"""Which version an action acts on, given what the person selected or named.

Advisory: the store's kernel decides when the version is signed (DESIGN.md, Actions). Each
function either answers or raises RefusedError with the rule a person can act on and a `Hint`
saying what to give (a version, a document).
"""

from __future__ import annotations

from dataclasses import dataclass

from penholder.core.errors import Hint, RefusedError
from penholder.core.model import TEXT_ACTIONS, Action, Version
from penholder.core.trust.history import History
from penholder.core.views.queries import inbox


@dataclass(frozen=True)
class Target:
    """The version an action acts on; `notice` says why it is not the one selected."""

    sha: str
    notice: str = ""


def text_version(history: History, v: Version) -> str | None:
    """The version holding the text a version is about: itself, or the text it refers to."""
    if v.action in TEXT_ACTIONS:
        return v.sha
    for sha in v.refers:
        other = history.get(sha)
        if other is not None and other.action in TEXT_ACTIONS:
            return sha
    return None


def document_at(history: History, v: Version) -> tuple[str | None, str | None]:
    """(the version holding the text, the document) that a version is about."""
    holder = text_version(history, v)
    document = v.document or (history.version(holder).document if holder else None)
    return holder, document


def text_target(history: History, action: Action, selected: Version | None) -> str:
    """The text a forward, sign or endorse acts on: the selected text, or the text the
    selected version refers to."""
    holder = text_version(history, selected) if selected is not None else None
    if holder is None:
        raise RefusedError(
            f"{action.value} acts on a version of a document", rule="turn", hint=Hint.CHOOSE_VERSION
        )
    return holder


def awaits(history: History, actor: str, sha: str) -> bool:
    """Whether a text version awaits the actor's amendment: addressed to it and not answered
    by it, or its own version that nobody has answered yet (a revision)."""
    v = history.version(sha)
    answers = history.answers(sha)
    if actor in v.to and not any(w.actor == actor for w in answers):
        return True
    return v.actor == actor and not answers


def default_amend_target(history: History, actor: str, document: str) -> str:
    """The one unanswered text of `document` addressed to `actor`; refuse (`turn`) if none or
    several."""
    candidates = [
        v.sha
        for v in inbox(history, actor)
        if v.document == document
        and v.action in TEXT_ACTIONS
        and not any(w.actor == actor for w in history.answers(v.sha))
    ]
    # A version superseded by a newer one addressed to the actor is not a candidate.
    current = [
        sha
        for sha in candidates
        if not any(other != sha and history.is_ancestor(sha, other) for other in candidates)
    ]
    if not current:
        raise RefusedError(
            f"nothing of {document!r} awaits {actor}'s amendment",
            rule="turn",
            hint=Hint.CHOOSE_VERSION,
        )
    if len(current) > 1:
        shown = ", ".join(sha[:10] for sha in current)
        raise RefusedError(
            f"several versions of {document!r} await {actor}: {shown}",
            rule="turn",
            hint=Hint.CHOOSE_VERSION,
        )
    return current[0]


def amend_target(
    history: History,
    actor: str,
    *,
    selected: Version | None = None,
    document: str | None = None,
) -> Target:
    """The version an amendment by `actor` answers. With `selected`: that text (or the text it
    refers to) when it awaits the actor, else the one version of its document that does (the
    notice says so). Without: the one version of `document` that awaits the actor."""
    if selected is None:
        if document is None:
            raise RefusedError(
                "an amendment answers a version of a document",
                rule="turn",
                hint=Hint.CHOOSE_DOCUMENT,
            )
        return Target(default_amend_target(history, actor, document))
    holder = text_version(history, selected)
    if holder is None or not history.version(holder).document:
        raise RefusedError(
            f"{selected.short} ({selected.action}) carries no document to amend",
            rule="turn",
            hint=Hint.CHOOSE_VERSION,
        )
    if awaits(history, actor, holder):
        return Target(holder)
    chosen = history.version(holder)
    name = chosen.document
    assert name is not None
    found = default_amend_target(history, actor, name)
    return Target(found, f"{chosen.short} is not awaiting {actor}; amending the version that is")


def consolidation_heads(history: History, actor: str, selected: Version | None) -> tuple[str, ...]:
    """The heads of the selected version's document addressed to `actor`, the selected one
    first; refuse (`consolidate-heads`) when fewer than two."""
    holder = text_version(history, selected) if selected is not None else None
    document = history.version(holder).document if holder else None
    if document is None:
        raise RefusedError(
            "consolidate joins the heads of a document",
            rule="consolidate-heads",
            hint=Hint.CHOOSE_DOCUMENT,
        )
    heads = [h for h in history.heads(document) if actor in history.version(h).to]
    if len(heads) < 2:
        raise RefusedError(
            f"consolidate needs two or more heads of {document} addressed to {actor}",
            rule="consolidate-heads",
        )
    if holder in heads:
        heads.remove(holder)
        heads.insert(0, holder)
    return tuple(heads)


def resume_target(history: History, selected: Version | None = None) -> str:
    """The withdrawal a resume ends: the selected one if it is in force, else the only one in
    force; refuse (`resume`) otherwise."""
    open_ = history.open_withdrawals()
    if selected is not None and selected.sha in open_:
        return selected.sha
    if len(open_) == 1:
        return open_[0]
    what = "no withdrawal is in force" if not open_ else f"{len(open_)} withdrawals are in force"
    raise RefusedError(
        what if not open_ else f"{what}; say which one to end",
        rule="resume",
        hint=None if not open_ else Hint.CHOOSE_VERSION,
    )


def retract_target(actor: str, selected: Version | None) -> str:
    """A retract takes back the actor's own version: the selected one."""
    if selected is None:
        raise RefusedError("retract takes back a version", rule="retract", hint=Hint.CHOOSE_VERSION)
    if selected.actor != actor:
        raise RefusedError(f"{actor} can retract only its own versions", rule="retract")
    return selected.sha


def next_round(history: History) -> int:
    """The number of the next round: the highest opened anywhere, plus one."""
    current = history.current_round()
    return current.number + 1 if current else 2
