"""The session's desk: one negotiation, the keys unlocked for this session, and the questions
the screens ask. Everything goes through `penholder.core`; no Textual here.

The store keeps one `git cat-file` process open, so every call into it holds `lock`: the app
calls the desk from worker threads, never two at a time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from penholder.core.errors import KeyError_
from penholder.core.history import History
from penholder.core.keys import KeyStore
from penholder.core.model import ROLE_ACTIONS, TEXT_ACTIONS, Action, Version
from penholder.core.queries import TableState, inbox, table_state
from penholder.core.roster import Roster
from penholder.core.store import Negotiation, Request
from penholder.core.verify import signature_statuses
from penholder.tui.redline import Granularity, Redline, compare

COMPARISONS_KEPT = 16


@dataclass
class Snapshot:
    """What the screens paint, computed off the UI thread after each change."""

    history: History
    count: int
    roster: Roster
    state: TableState
    agreed: frozenset[str]
    inbox: list[Version]
    held: frozenset[str]
    tips: dict[str, str] = field(default_factory=dict)

    def version(self, sha: str) -> Version:
        return self.history.versions[sha]

    @property
    def shas(self) -> list[str]:
        return self.history.order[: self.count]


class Desk:
    def __init__(self, repo: Path, home: Path) -> None:
        self.repo = repo
        self.home = home
        self.keystore = KeyStore(home)
        self.lock = threading.RLock()
        self._negotiation: Negotiation | None = None
        self._keys: dict[str, Ed25519PrivateKey] = {}
        self._redlines: OrderedDict[tuple[str | None, str, str | None, str], Redline] = (
            OrderedDict()
        )

    # reading -------------------------------------------------------------------------------

    @property
    def negotiation(self) -> Negotiation:
        with self.lock:
            if self._negotiation is None:
                self._negotiation = Negotiation(self.repo)
            return self._negotiation

    def close(self) -> None:
        with self.lock:
            if self._negotiation is not None:
                self._negotiation.close()
                self._negotiation = None

    def snapshot(self, actor: str | None, *, refresh: bool = False) -> Snapshot:
        with self.lock:
            negotiation = self.negotiation
            if refresh:
                negotiation.refresh()
            history = negotiation.history
            roster = negotiation.roster
            state = table_state(history, roster)
            agreed = frozenset(d.agreed for d in state.documents if d.agreed)
            waiting = inbox(history, actor) if actor else []
            return Snapshot(
                history=history,
                count=len(history.order),
                roster=roster,
                state=state,
                agreed=agreed,
                inbox=waiting,
                held=frozenset(self.held(roster)),
                tips=negotiation.tips,
            )

    def changed(self) -> bool:
        """Whether another process added versions since the last look."""
        with self.lock:
            negotiation = self.negotiation
            before = negotiation.tips
            negotiation.refresh()
            return negotiation.tips != before

    def statuses(self, shas: list[str], roster: Roster) -> dict[str, str]:
        return signature_statuses(self.repo, shas, roster)

    def text(self, sha: str | None, document: str | None = None) -> str:
        """The text of a document at a version ("" for none): its own, or the newest among its
        ancestors."""
        if sha is None:
            return ""
        with self.lock:
            negotiation = self.negotiation
            found = negotiation.document_of(negotiation.version(sha), document)
            return found[1] if found else ""

    def redline(
        self, old: str | None, new: str, document: str | None, granularity: Granularity
    ) -> Redline:
        """The diff of a document from version `old` (None: empty) to `new`, kept for reuse."""
        key = (old, new, document, granularity)
        with self.lock:
            found = self._redlines.get(key)
            if found is not None:
                self._redlines.move_to_end(key)
                return found
            old_text, new_text = self.text(old, document), self.text(new, document)
        redline = Redline(compare(old_text, new_text, granularity))
        with self.lock:
            self._redlines[key] = redline
            while len(self._redlines) > COMPARISONS_KEPT:
                self._redlines.popitem(last=False)
        return redline

    def held(self, roster: Roster) -> list[str]:
        """Actors of the roster whose private key this machine holds, in roster order."""
        here = {k.actor_id for k in self.keystore.list()}
        return [a for a in roster.ids() if a in here]

    # keys ----------------------------------------------------------------------------------

    def is_unlocked(self, actor: str) -> bool:
        return actor in self._keys

    def needs_passphrase(self, actor: str) -> bool:
        """True when the key is encrypted and not yet unlocked this session."""
        if actor in self._keys:
            return False
        return self.keystore.is_encrypted(actor)

    def unlock(self, actor: str, passphrase: bytes | None) -> None:
        """Decrypt the actor's key for this session only (raises KeyError_)."""
        if actor not in self._keys:
            self._keys[actor] = self.keystore.unlock(actor, passphrase)

    def forget_keys(self) -> None:
        self._keys.clear()

    # acting --------------------------------------------------------------------------------

    def act(self, request: Request) -> Version:
        key = self._keys.get(request.actor)
        if key is None:
            raise KeyError_(f"the key of {request.actor} is locked", rule="key-passphrase")
        with self.lock:
            return self.negotiation.act(request, key)


# questions the screens ask ----------------------------------------------------------------


def may_act(roster: Roster, actor: str | None, action: Action) -> bool:
    found = roster.actor(actor) if actor else None
    return found is not None and action in ROLE_ACTIONS.get(found.role, frozenset())


def recipients(roster: Roster, actor: str) -> list[tuple[str, bool, str]]:
    """Every other actor, whether `actor` may address it, and why not."""
    me = roster.actor(actor)
    out = []
    for other in roster.actors:
        if other.id == actor:
            continue
        if me is None:
            out.append((other.id, False, f"{actor} is not on the roster"))
        elif me.role == "mediator" or other.role in roster.rules.party_may_address:
            out.append((other.id, True, ""))
        else:
            roles = " or ".join(roster.rules.party_may_address) or "nobody"
            out.append((other.id, False, f"a {me.role} addresses {roles}s only"))
    return out


def answered_base(history: History, v: Version) -> str | None:
    """The version whose text a version answers: the diff against it is its amendment."""
    if v.action in TEXT_ACTIONS:
        return v.refers[0] if v.refers else None
    return v.refers[0] if v.refers and v.refers[0] in history else None


def previous_round_base(history: History, v: Version) -> str | None:
    """The newest text of v's document among its ancestors from an earlier round."""
    if not v.document:
        return None
    best: str | None = None
    for sha in history.lineage.get(v.document, ()):
        other = history.versions[sha]
        newer = best is None or history.gen[sha] > history.gen[best]
        if newer and other.round < v.round and history.is_ancestor(sha, v.sha):
            best = sha
    return best


def last_seen_base(history: History, v: Version, actor: str) -> str | None:
    """The newest text of v's document, before v, that `actor` wrote or answered (receipt,
    comment, sign…): what the actor last saw."""
    if not v.document:
        return None
    best: str | None = None
    for sha in history.lineage.get(v.document, ()):
        if sha == v.sha or not history.is_ancestor(sha, v.sha):
            continue
        seen = history.versions[sha].actor == actor or any(
            w.actor == actor for w in history.referring(sha)
        )
        if seen and (best is None or history.gen[sha] > history.gen[best]):
            best = sha
    return best


def text_version(history: History, v: Version) -> str | None:
    """The version holding the text that a version is about (itself, or what it refers to)."""
    if v.action in TEXT_ACTIONS:
        return v.sha
    for sha in v.refers:
        other = history.get(sha)
        if other is not None and other.action in TEXT_ACTIONS:
            return sha
    return None


def describe(v: Version, roster: Roster) -> str:
    """One line naming a version exactly: sha, round, author, action."""
    actor = roster.actor(v.actor)
    role = f" ({actor.role})" if actor else ""
    doc = f" of {v.document}" if v.document else ""
    to = f" → {', '.join(v.to)}" if v.to else ""
    return f"{v.short} · round {v.round} · {v.actor}{role} · {v.action}{doc}{to}"


def amend_target(history: History, actor: str, v: Version | None) -> tuple[str | None, str]:
    """The version an amendment by `actor` would answer, starting from the selected one:
    (sha or None, why). Advisory only: the store's rules decide when the version is signed."""
    if v is None:
        return None, "select a version of a document first"
    text_sha = text_version(history, v)
    if text_sha is None or not history.versions[text_sha].document:
        return None, "this version carries no document to amend"
    chosen = history.versions[text_sha]
    answered = any(w.actor == actor for w in history.answers(text_sha))
    own_open = chosen.actor == actor and not history.answers(text_sha)
    if (actor in chosen.to and not answered) or own_open:
        return text_sha, ""
    from penholder.core.errors import RefusedError
    from penholder.core.queries import default_amend_target

    document = chosen.document
    assert document is not None
    try:
        return default_amend_target(history, actor, document), (
            f"{chosen.short} is not awaiting {actor}; amending the version of {document} that is"
        )
    except RefusedError as exc:
        return None, exc.message
