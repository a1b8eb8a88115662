"""One negotiation opened for a front end that reads on one thread and works on others (the
app): open it, read a frozen `History`, act (a `Request` on the store), sync.

A `History` handed out by `frozen()` is never changed afterwards: the next change (a version
signed here, versions that arrived from another process or a sync) opens the store afresh, so
the reader keeps a consistent picture while workers go on. The session itself is not
thread-safe: its caller runs one call at a time (the app's desk holds a lock).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from penholder.core.model import Version
from penholder.core.store.keyfiles import KeyStore
from penholder.core.store.negotiation import Negotiation, Request
from penholder.core.sync.exchange import sync
from penholder.core.sync.results import (
    NEW,
    PUSHED,
    STATUS_RULES,
    UNCHANGED,
    BranchResult,
    BranchStatus,
    SyncReport,
)
from penholder.core.sync.state import BranchState, Heard, branch_states, last_heard, load_record
from penholder.core.sync.state import remotes as configured_remotes
from penholder.core.trust.history import History
from penholder.core.trust.roster import Roster

__all__ = [
    "NEW",
    "PUSHED",
    "STATUS_RULES",
    "UNCHANGED",
    "BranchResult",
    "BranchStatus",
    "Reading",
    "Request",
    "Session",
    "SyncReport",
    "SyncStatus",
]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SyncStatus:
    """The remotes, each branch against the chosen remote's last fetched state, and when each
    actor was last heard. Derived and informative: nothing trusts it."""

    remotes: dict[str, str]
    remote: str | None
    branches: dict[str, BranchState]
    heard: dict[str, Heard]
    last_sync: int | None  # when the chosen remote was last synced with, as recorded here


@dataclass(frozen=True)
class Reading:
    """What `frozen()` hands out: a History nobody changes any more, the roster in force at
    the newest versions, and each branch's tip, all of one moment."""

    history: History
    roster: Roster
    tips: dict[str, str]


class Session:
    def __init__(self, repo: Path, home: Path) -> None:
        self.path = repo
        self.keystore = KeyStore(home)
        self._negotiation: Negotiation | None = None
        self._handed_out = False  # the open negotiation's History belongs to a reader

    # the store -----------------------------------------------------------------------------

    @property
    def negotiation(self) -> Negotiation:
        """The negotiation, for reading (views). Never change its History: act through `act`."""
        if self._negotiation is None:
            self._negotiation = Negotiation(self.path)
            self._handed_out = False
        return self._negotiation

    def close(self) -> None:
        if self._negotiation is not None:
            self._negotiation.close()
            self._negotiation = None

    def _writable(self) -> Negotiation:
        """The negotiation, with a History no reader holds: opened afresh when the current one
        was handed out (it then also holds what arrived since)."""
        if self._handed_out:
            self.close()
        return self.negotiation

    def frozen(self) -> Reading:
        """The negotiation as it stands; its History is not changed after this call."""
        negotiation = self.negotiation
        self._handed_out = True
        return Reading(negotiation.history, negotiation.roster, negotiation.tips)

    def changed(self) -> bool:
        """Whether branches moved since the store was read (another process, a sync); reads
        only the refs."""
        negotiation = self.negotiation
        return negotiation.repo.branches() != negotiation.tips

    def refresh(self) -> bool:
        """Take in what arrived since the last look; whether anything did."""
        if not self.changed():
            return False
        if self._handed_out:
            self._writable()
        else:
            self.negotiation.refresh()
        return True

    def version(self, sha: str) -> Version:
        return self.negotiation.version(sha)

    def text(self, sha: str | None, document: str | None = None) -> str:
        """The text of a document at a version ("" for none): its own, or the newest among its
        ancestors."""
        if sha is None:
            return ""
        negotiation = self.negotiation
        found = negotiation.document_of(negotiation.version(sha), document)
        return found[1] if found else ""

    # acting --------------------------------------------------------------------------------

    def act(self, request: Request, key: Ed25519PrivateKey) -> Version:
        """Check, sign and store one version (the store's rules decide; refusals raise before
        anything is written)."""
        return self._writable().act(request, key)

    # keys ----------------------------------------------------------------------------------

    def held(self, roster: Roster) -> list[str]:
        """Actors of the roster whose private key this machine holds, in roster order."""
        here = {k.actor_id for k in self.keystore.list()}
        return [a for a in roster.ids() if a in here]

    def needs_passphrase(self, actor: str) -> bool:
        return self.keystore.is_encrypted(actor)

    def unlock(self, actor: str, passphrase: bytes | None) -> Ed25519PrivateKey:
        """The actor's private key, decrypted (raises KeyFileError)."""
        return self.keystore.unlock(actor, passphrase)

    # sync ----------------------------------------------------------------------------------

    def remotes(self) -> dict[str, str]:
        return configured_remotes(self.path)

    def sync_status(self, remote: str | None = None) -> SyncStatus:
        """Ahead/behind against `remote` (default: origin, else the first remote) and when each
        actor was last heard."""
        found = configured_remotes(self.path)
        if remote not in found:
            remote = "origin" if "origin" in found else min(found, default=None)
        branches = {s.branch: s for s in branch_states(self.path, remote)} if remote else {}
        negotiation = self.negotiation
        heard = last_heard(self.path, negotiation)
        record = load_record(negotiation.repo.git_dir)
        source = record["sources"].get(remote) if remote else None
        when = source.get("time") if isinstance(source, dict) else None
        return SyncStatus(found, remote, branches, heard, when if isinstance(when, int) else None)

    def sync(self, remote: str, progress: Progress | None = None) -> SyncReport:
        """Fetch, verify in quarantine, fast-forward, push. It works on the repository, not on
        the open store, so it may run beside readers: call `refresh()` after (one call at a
        time) to take in what came."""
        return sync(self.path, remote, push=True, progress=progress)
