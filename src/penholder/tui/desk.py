"""The session's desk: one negotiation (through `penholder.core.actions.session`), the keys
unlocked for this session, and the work the screens hand to worker threads. No Textual here;
what an action means is decided in `penholder.core.actions`.

The store keeps one `git cat-file` process open, so every call into it holds `lock`: the app
calls the desk from worker threads, never two at a time. The screens read a `Snapshot`, which no
worker changes: a change makes a new one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from penholder.core.actions import PendingRoster, Request, pending_rosters
from penholder.core.actions.session import Session, SyncReport, SyncStatus
from penholder.core.errors import InputError, KeyFileError, RefusedError
from penholder.core.model import Version
from penholder.core.trust.agreement import is_agreed
from penholder.core.trust.history import History
from penholder.core.trust.roster import Roster
from penholder.core.views.blame import Span, blame
from penholder.core.views.clauses import BracketTrend, Clause, bracket_trend, clause_table
from penholder.core.views.queries import TableState, inbox, table_state
from penholder.core.views.signatures import signature_statuses
from penholder.core.views.trilogue import Trilogue
from penholder.core.views.trilogue import build as build_trilogue
from penholder.tui.redline import Granularity, Redline, compare

__all__ = ["COMPARISONS_KEPT", "Desk", "ExportFormat", "Snapshot", "SyncStatus", "describe"]

ExportFormat = Literal["md", "html", "pdf"]

COMPARISONS_KEPT = 16


@dataclass(frozen=True)
class Snapshot:
    """What the screens paint, built off the UI thread after each change and never changed
    afterwards: its `history` is one the session handed out (no worker adds to it; the next
    change opens the store afresh), its other fields immutable."""

    history: History
    shas: tuple[str, ...]  # the timeline, oldest first
    roster: Roster
    state: TableState
    agreed: frozenset[str]
    inbox: tuple[Version, ...]
    held: frozenset[str]
    tips: Mapping[str, str]
    pending: tuple[PendingRoster, ...]  # roster versions not yet in effect
    round: int  # the highest round opened anywhere

    @property
    def count(self) -> int:
        return len(self.shas)

    def version(self, sha: str) -> Version:
        return self.history.version(sha)


class Desk:
    def __init__(self, repo: Path, home: Path) -> None:
        self.repo = repo
        self.session = Session(repo, home)
        self.lock = threading.RLock()
        self._keys: dict[str, Ed25519PrivateKey] = {}
        self._redlines: OrderedDict[tuple[str | None, str, str | None, str], Redline] = (
            OrderedDict()
        )

    # reading -------------------------------------------------------------------------------

    def close(self) -> None:
        with self.lock:
            self.session.close()

    def roster(self) -> Roster:
        """The roster in force at the newest versions."""
        with self.lock:
            return self.session.negotiation.roster

    def snapshot(self, actor: str | None, *, refresh: bool = False) -> Snapshot:
        with self.lock:
            if refresh:
                self.session.refresh()
            reading = self.session.frozen()
        history, roster = reading.history, reading.roster
        state = table_state(history, roster)
        current = history.current_round()
        return Snapshot(
            history=history,
            shas=tuple(history.shas_in_order()),
            roster=roster,
            state=state,
            agreed=frozenset(d.agreed for d in state.documents if d.agreed),
            inbox=tuple(inbox(history, actor)) if actor else (),
            held=frozenset(self.held(roster)),
            tips=MappingProxyType(dict(reading.tips)),
            pending=tuple(pending_rosters(history)),
            round=current.number if current else 1,
        )

    def changed(self) -> bool:
        """Whether another process added versions since the last look."""
        with self.lock:
            return self.session.changed()

    def statuses(self, shas: list[str], roster: Roster) -> dict[str, str]:
        # Each version is checked against the roster in force at it (keys rotate), outside the
        # lock: it reads its own objects and a History nobody changes.
        with self.lock:
            history = self.session.frozen().history
        return dict(signature_statuses(self.repo, shas, roster, history))

    def text(self, sha: str | None, document: str | None = None) -> str:
        """The text of a document at a version ("" for none): its own, or the newest among its
        ancestors."""
        with self.lock:
            return self.session.text(sha, document)

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
        return self.session.held(roster)

    def is_agreed(self, sha: str) -> bool:
        with self.lock:
            return is_agreed(self.session.negotiation.history, sha)

    # sync ----------------------------------------------------------------------------------

    def remotes(self) -> dict[str, str]:
        return self.session.remotes()

    def sync_status(self, remote: str | None = None) -> SyncStatus:
        """Ahead/behind against `remote` (default: origin, else the first remote) and when each
        actor was last heard."""
        with self.lock:
            return self.session.sync_status(remote)

    def sync(
        self, remote: str, progress: Callable[[str, int, int], None] | None = None
    ) -> SyncReport:
        """Fetch, verify in quarantine, fast-forward, push; then look again."""
        report = self.session.sync(remote, progress)
        with self.lock:
            self.session.refresh()
        return report

    # printable exports ---------------------------------------------------------------------

    def export_certificate(self, sha: str, fmt: ExportFormat, path: Path, *, draft: bool) -> Path:
        """Write the certificate of a text version (md, html or pdf); `draft` allows a text not
        agreed, marked DRAFT on every page."""
        from penholder.core.views.certificate import build_certificate
        from penholder.report import certificate as render

        with self.lock:
            negotiation = self.session.negotiation
            cert = build_certificate(negotiation, negotiation.version(sha), draft=draft)
        if fmt == "md":
            return _write(path, render.to_markdown(cert))
        return _write(path, render.to_html(cert), pdf=fmt == "pdf")

    def export_redline(
        self,
        old: str | None,
        new: str,
        document: str,
        granularity: Granularity,
        fmt: ExportFormat,
        path: Path,
    ) -> Path:
        """Write the printable redline of `document` from `old` to `new` (html or pdf)."""
        from penholder.core.diff.texts import diff_texts, inline_view
        from penholder.core.views import compare as sides_of
        from penholder.report.redline import to_html

        with self.lock:
            negotiation = self.session.negotiation
            new_v = negotiation.version(new)
            if old is None:
                label = f"{new_v.short} r{new_v.round} {new_v.actor} {new_v.action}"
                text = self.text(new, document)
                sides = sides_of.Sides(document, None, new_v, "", text, "(nothing)", label)
            else:
                sides = sides_of.between(negotiation, negotiation.version(old), new_v, document)
            shas = [v.sha for v in (sides.old, sides.new) if v is not None]
            statuses = signature_statuses(
                negotiation.path, shas, negotiation.roster, negotiation.history
            )
        result = diff_texts(sides.old_text, sides.new_text, granularity)
        title = f"{sides.label_old} → {sides.label_new}"
        html = to_html(sides, result, inline_view(result, None), title, dict(statuses))
        return _write(path, html, pdf=fmt == "pdf")

    # a version's structure -----------------------------------------------------------------

    def blame(self, sha: str, document: str | None) -> list[Span]:
        with self.lock:
            negotiation = self.session.negotiation
            return blame(negotiation, negotiation.version(sha), document)

    def clauses(self, sha: str, document: str | None) -> tuple[list[Clause], list[BracketTrend]]:
        with self.lock:
            negotiation = self.session.negotiation
            version = negotiation.version(sha)
            return (
                clause_table(negotiation, version, document),
                bracket_trend(negotiation, version, document),
            )

    def trilogue(self, sha: str, document: str) -> Trilogue:
        with self.lock:
            negotiation = self.session.negotiation
            return build_trilogue(negotiation, negotiation.version(sha), document)

    def merge(self, heads: tuple[str, ...]) -> tuple[str, str | None]:
        """The joined text of a consolidation: the word-level three-way merge of the heads, or,
        when passages conflict (or nothing is shared), the first head's text and why."""
        from penholder.core.diff.consolidation import merge_versions

        with self.lock:
            negotiation = self.session.negotiation
            versions = [negotiation.version(sha) for sha in heads]
            try:
                return merge_versions(negotiation, versions), None
            except (RefusedError, InputError) as exc:
                if exc.rule not in ("merge-conflict", "input"):
                    raise
                return self.text(heads[0], versions[0].document), exc.message

    # keys ----------------------------------------------------------------------------------

    def is_unlocked(self, actor: str) -> bool:
        return actor in self._keys

    def needs_passphrase(self, actor: str) -> bool:
        """True when the key is encrypted and not yet unlocked this session."""
        if actor in self._keys:
            return False
        return self.session.needs_passphrase(actor)

    def unlock(self, actor: str, passphrase: bytes | None) -> None:
        """Decrypt the actor's key for this session only (raises KeyFileError)."""
        if actor not in self._keys:
            self._keys[actor] = self.session.unlock(actor, passphrase)

    # acting --------------------------------------------------------------------------------

    def act(self, request: Request) -> Version:
        key = self._keys.get(request.actor)
        if key is None:
            raise KeyFileError(f"the key of {request.actor} is locked", rule="key-passphrase")
        with self.lock:
            return self.session.act(request, key)


def _write(path: Path, text: str, *, pdf: bool = False) -> Path:
    from penholder.report.pdf import write_pdf

    path.parent.mkdir(parents=True, exist_ok=True)
    if pdf:
        write_pdf(text, path)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def describe(v: Version, roster: Roster) -> str:
    """One line naming a version exactly: sha, round, author, action."""
    actor = roster.actor(v.actor)
    role = f" ({actor.role})" if actor else ""
    doc = f" of {v.document}" if v.document else ""
    to = f" → {', '.join(v.to)}" if v.to else ""
    return f"{v.short} · round {v.round} · {v.actor}{role} · {v.action}{doc}{to}"
