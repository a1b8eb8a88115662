"""The session's desk: one negotiation, the keys unlocked for this session, and the questions
the screens ask. Everything goes through `penholder.core`; no Textual here.

The store keeps one `git cat-file` process open, so every call into it holds `lock`: the app
calls the desk from worker threads, never two at a time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from penholder.core.errors import InputError, KeyError_, RefusedError
from penholder.core.model import ROLE_ACTIONS, TEXT_ACTIONS, Action, Version
from penholder.core.store.keyfiles import KeyStore
from penholder.core.store.negotiation import Negotiation, Request
from penholder.core.sync.exchange import SyncReport, sync
from penholder.core.sync.state import BranchState, Heard, branch_states, last_heard, load_record
from penholder.core.sync.state import remotes as configured_remotes
from penholder.core.trust.agreement import is_agreed
from penholder.core.trust.history import History
from penholder.core.trust.keylines import fingerprint_of_line
from penholder.core.trust.roster import Roster
from penholder.core.views.blame import Span, blame
from penholder.core.views.clauses import BracketTrend, Clause, bracket_trend, clause_table
from penholder.core.views.queries import TableState, inbox, table_state
from penholder.core.views.verify import signature_statuses
from penholder.tui.redline import Granularity, Redline, compare
from penholder.tui.trilogue import Trilogue
from penholder.tui.trilogue import build as build_trilogue

ExportFormat = Literal["md", "html", "pdf"]

COMPARISONS_KEPT = 16


@dataclass(frozen=True)
class SyncStatus:
    """The remotes, each branch against the chosen remote's last fetched state, and when each
    actor was last heard. Derived and informative: nothing trusts it."""

    remotes: dict[str, str]
    remote: str | None
    branches: dict[str, BranchState]
    heard: dict[str, Heard]
    last_sync: int | None  # when the chosen remote was last synced with, as recorded here


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
        return self.history.version(sha)

    @property
    def shas(self) -> list[str]:
        return list(self.history.shas_in_order()[: self.count])


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
                count=len(history),
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
        # Each version is checked against the roster in force at it (keys rotate).
        return signature_statuses(self.repo, shas, roster, self.negotiation.history)

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

    def is_agreed(self, sha: str) -> bool:
        with self.lock:
            return is_agreed(self.negotiation.history, sha)

    # sync ----------------------------------------------------------------------------------

    def remotes(self) -> dict[str, str]:
        return configured_remotes(self.repo)

    def sync_status(self, remote: str | None = None) -> SyncStatus:
        """Ahead/behind against `remote` (default: origin, else the first remote) and when each
        actor was last heard."""
        found = configured_remotes(self.repo)
        if remote not in found:
            remote = "origin" if "origin" in found else min(found, default=None)
        branches = {s.branch: s for s in branch_states(self.repo, remote)} if remote else {}
        with self.lock:
            negotiation = self.negotiation
            heard = last_heard(self.repo, negotiation)
            record = load_record(negotiation.repo.git_dir)
        source = record["sources"].get(remote) if remote else None
        when = source.get("time") if isinstance(source, dict) else None
        return SyncStatus(found, remote, branches, heard, when if isinstance(when, int) else None)

    def sync(
        self, remote: str, progress: Callable[[str, int, int], None] | None = None
    ) -> SyncReport:
        """Fetch, verify in quarantine, fast-forward, push (core's `sync`); then look again."""
        report = sync(self.repo, remote, push=True, progress=progress)
        with self.lock:
            self.negotiation.refresh()
        return report

    # printable exports ---------------------------------------------------------------------

    def export_certificate(self, sha: str, fmt: ExportFormat, path: Path, *, draft: bool) -> Path:
        """Write the certificate of a text version (md, html or pdf); `draft` allows a text not
        agreed, marked DRAFT on every page."""
        from penholder.core.views.certificate import build_certificate
        from penholder.report import certificate as render

        with self.lock:
            negotiation = self.negotiation
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
            negotiation = self.negotiation
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
        html = to_html(sides, result, inline_view(result, None), title, statuses)
        return _write(path, html, pdf=fmt == "pdf")

    # a version's structure -----------------------------------------------------------------

    def blame(self, sha: str, document: str | None) -> list[Span]:
        with self.lock:
            negotiation = self.negotiation
            return blame(negotiation, negotiation.version(sha), document)

    def clauses(self, sha: str, document: str | None) -> tuple[list[Clause], list[BracketTrend]]:
        with self.lock:
            negotiation = self.negotiation
            version = negotiation.version(sha)
            return (
                clause_table(negotiation, version, document),
                bracket_trend(negotiation, version, document),
            )

    def trilogue(self, sha: str, document: str) -> Trilogue:
        with self.lock:
            negotiation = self.negotiation
            return build_trilogue(negotiation, negotiation.version(sha), document)

    def merge(self, heads: tuple[str, ...]) -> tuple[str, str | None]:
        """The joined text of a consolidation: the word-level three-way merge of the heads, or,
        when passages conflict (or nothing is shared), the first head's text and why."""
        from penholder.core.diff.consolidation import merge_versions

        with self.lock:
            negotiation = self.negotiation
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


def _write(path: Path, text: str, *, pdf: bool = False) -> Path:
    from penholder.report.pdf import write_pdf

    path.parent.mkdir(parents=True, exist_ok=True)
    if pdf:
        write_pdf(text, path)
    else:
        path.write_text(text, encoding="utf-8")
    return path


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
    for sha in history.lineage_of(v.document):
        other = history.version(sha)
        newer = best is None or history.generation(sha) > history.generation(best)
        if newer and other.round < v.round and history.is_ancestor(sha, v.sha):
            best = sha
    return best


def last_seen_base(history: History, v: Version, actor: str) -> str | None:
    """The newest text of v's document, before v, that `actor` wrote or answered (receipt,
    comment, sign…): what the actor last saw."""
    if not v.document:
        return None
    best: str | None = None
    for sha in history.lineage_of(v.document):
        if sha == v.sha or not history.is_ancestor(sha, v.sha):
            continue
        seen = history.version(sha).actor == actor or any(
            w.actor == actor for w in history.referring(sha)
        )
        if seen and (best is None or history.generation(sha) > history.generation(best)):
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
    if text_sha is None or not history.version(text_sha).document:
        return None, "this version carries no document to amend"
    chosen = history.version(text_sha)
    answered = any(w.actor == actor for w in history.answers(text_sha))
    own_open = chosen.actor == actor and not history.answers(text_sha)
    if (actor in chosen.to and not answered) or own_open:
        return text_sha, ""
    from penholder.core.errors import RefusedError
    from penholder.core.views.queries import default_amend_target

    document = chosen.document
    assert document is not None
    try:
        return default_amend_target(history, actor, document), (
            f"{chosen.short} is not awaiting {actor}; amending the version of {document} that is"
        )
    except RefusedError as exc:
        return None, exc.message


# roster changes ---------------------------------------------------------------------------


def roster_changes(old: Roster, new: Roster) -> list[str]:
    """What a new roster changes, one line each (seated, removed, new key, revoked)."""
    lines: list[str] = []
    newly_revoked = [r for r in new.revoked if r not in old.revoked]
    revoked_ids = {actor for actor, _ in newly_revoked}
    for actor in new.actors:
        before = old.actor(actor.id)
        if before is None:
            lines.append(
                f"+ seats {actor.id} ({actor.role}) “{actor.name}”\n  key {actor.fingerprint}"
            )
            continue
        if before.key != actor.key and actor.id not in revoked_ids:
            lines.append(f"↻ new key for {actor.id}: {before.fingerprint} → {actor.fingerprint}")
        if before.role != actor.role:
            lines.append(f"~ {actor.id}: role {before.role} → {actor.role}")
        if before.name != actor.name:
            lines.append(f"~ {actor.id}: name “{before.name}” → “{actor.name}”")
    for actor_id, key in newly_revoked:
        after = new.actor(actor_id)
        tail = f"\n  new {after.fingerprint}" if after else "\n  and it leaves the table"
        lines.append(f"✗ revokes the key of {actor_id}\n  old {fingerprint_of_line(key)}{tail}")
    for actor in old.actors:
        if new.actor(actor.id) is None and actor.id not in revoked_ids:
            lines.append(f"− removes {actor.id} ({actor.role}); its past versions stand")
    return lines


def added_keys(old: Roster, new: Roster) -> list[str]:
    """Actors whose key the new roster adds: each must receipt the roster version with it."""
    keys = old.key_lines()
    return [a.id for a in new.actors if a.key not in keys]


def effect_note(old: Roster, new: Roster) -> str:
    """What makes a roster version take effect (DESIGN.md, Trust)."""
    mediators = ", ".join(old.ids("mediator")) or "none"
    added = added_keys(old, new)
    receipts = (
        f", and {', '.join(added)} receipt{'s' if len(added) == 1 else ''} it with the new key"
        if added
        else ""
    )
    return (
        f"It takes effect once {old.quorum} of the mediators ({mediators}) endorse it{receipts}; "
        "until then the old roster rules."
    )


@dataclass(frozen=True)
class PendingRoster:
    """A roster version that has not taken effect anywhere yet, and what it waits for."""

    version: Version
    changes: list[str]
    endorsed: list[str]
    needed: int
    receipts_missing: list[str]


def pending_rosters(history: History) -> list[PendingRoster]:
    effective = set(history.effective_anywhere())
    out = []
    for sha in history.roster_changes():
        if sha in effective or sha not in history or history.is_retracted(sha):
            continue
        old, new = history.roster_before(sha), history.roster_carried_by(sha)
        marks = [w for w in history.referring(sha) if not history.is_retracted(w.sha)]
        endorsed = sorted(
            {w.actor for w in marks if w.action == Action.ENDORSE} & set(old.ids("mediator"))
        )
        receipted = {w.actor for w in marks if w.action == Action.RECEIPT}
        missing = sorted(history.added_actors(sha) - receipted)
        out.append(
            PendingRoster(
                history.version(sha), roster_changes(old, new), endorsed, old.quorum, missing
            )
        )
    return out
