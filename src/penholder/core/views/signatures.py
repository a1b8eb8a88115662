"""Whether a version's signature is good: made over the version (`store.seals` asks that half)
by the key the roster in force gives its actor (asked here)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from penholder.core.errors import CommitFormatError, SignatureFormError
from penholder.core.model import SignatureStatus
from penholder.core.store.gitrepo import GitRepo
from penholder.core.store.seals import Sealed, check_sealed
from penholder.core.trust import sshsig
from penholder.core.trust.commit import parse_commit, version_from_commit
from penholder.core.trust.history import History
from penholder.core.trust.keylines import parse_public_key_line
from penholder.core.trust.roster import Roster
from penholder.core.trust.rosters import roster_for
from penholder.core.trust.rules import Rule


def signature_status(
    raw: bytes, signature: str | None, expected_key: str | None
) -> tuple[SignatureStatus, str, str]:
    """(status, rule, message) of a version's signature, checked against the key the actor
    should have signed with (None: the actor is not on the roster); rule is empty when good."""
    status, rule, message, _blob = bind_key(check_sealed(raw, signature), expected_key)
    return status, rule, message


def bind_key(sealed: Sealed, expected_key: str | None) -> Sealed:
    """The other half: is the carried key the one the roster in force gives the actor?"""
    status, _, _, blob = sealed
    if status != SignatureStatus.GOOD:
        return sealed
    if expected_key is None:
        return (
            SignatureStatus.UNKNOWN_KEY,
            Rule.SIGNATURE_KEY,
            "the actor is not on the roster",
            blob,
        )
    if blob != _key_blob(expected_key):
        return (
            SignatureStatus.UNKNOWN_KEY,
            Rule.SIGNATURE_KEY,
            "signed by a key that is not the actor's on the roster",
            blob,
        )
    return SignatureStatus.GOOD, "", "", blob


@lru_cache(maxsize=1024)
def _key_blob(key_line: str) -> bytes:
    """The SSH wire blob of a roster key line (a roster has few keys: parsed once each)."""
    return sshsig.public_key_blob(parse_public_key_line(key_line))


def signing_key_blob(signature: str | None) -> bytes | None:
    if signature is None:
        return None
    try:
        return sshsig.parse(signature).public_key_blob
    except SignatureFormError:
        return None


def signature_statuses(
    path: Path, shas: list[str], roster: Roster, history: History | None = None
) -> dict[str, SignatureStatus]:
    """The signature status of each version, checked in-process in one bulk read, against
    the roster in force at each version when `history` is given, else against `roster`."""
    repo = GitRepo(path)
    try:
        raws = repo.read_many(shas)
    finally:
        repo.close()
    out: dict[str, SignatureStatus] = {}
    for sha in shas:
        data = raws[sha][1]
        try:
            commit = parse_commit(data)
            version = version_from_commit(sha, commit)
        except CommitFormatError:
            out[sha] = SignatureStatus.BAD
            continue
        in_force = (
            roster_for(version, history) if history is not None and sha in history else roster
        )
        actor = in_force.actor(version.actor)
        status, _, _ = signature_status(data, commit.signature, actor.key if actor else None)
        out[sha] = status
    return out
