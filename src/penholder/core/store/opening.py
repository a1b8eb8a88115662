"""Opening a negotiation: the bare repository and its one root, the convener's `open`."""

from __future__ import annotations

import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from penholder.core.errors import InputError, RefusedError
from penholder.core.model import Action
from penholder.core.store.gitobjects import run_git, tree_bytes
from penholder.core.store.gitrepo import GitRepo
from penholder.core.store.inputs import (
    check_text_fields,
    checked_message,
    roster_fields,
    strip_field,
)
from penholder.core.store.trusted_root import record_trusted_root
from penholder.core.trust import sshsig
from penholder.core.trust.commit import RawCommit, ident
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.message import Trailers
from penholder.core.trust.roster import (
    ROSTER_FILE,
    SIGNERS_FILE,
    Roster,
    check_roster,
    check_roster_to_write,
)


def write_root(
    path: Path,
    roster: Roster,
    key: Ed25519PrivateKey,
    *,
    place: str | None = None,
    date: str | None = None,
    when: int | None = None,
    subject: str | None = None,
) -> None:
    """Make a new negotiation at `path`: a bare repository whose single root is the `open`
    version, signed by the convener. Refused, with nothing written, when the roster, the fields
    or the key do not hold."""
    check_roster(roster)
    check_roster_to_write(roster)
    check_text_fields(
        [
            ("the place", place),
            ("the date", date),
            ("the subject", subject),
            *roster_fields(roster),
        ]
    )
    place, date = strip_field(place), strip_field(date)
    convener = roster.actor(roster.convener)
    assert convener is not None
    if public_key_line(key.public_key()) != convener.key:
        raise RefusedError(
            f"this key is not the convener {convener.id}'s key on the roster",
            rule="signature-key",
        )
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise InputError(f"{path} exists and is not empty", rule="repo-exists")
    stamp = int(time.time()) if when is None else when
    who = ident(convener.name, f"{convener.id}@{roster.negotiation_id}", stamp)
    trailers = Trailers(
        negotiation=roster.negotiation_id,
        action=Action.OPEN.value,
        actor=convener.id,
        round=1,
        place=place,
        date=date,
    )
    message = checked_message(subject or f"Open the negotiation: {roster.title}", "", trailers)
    repo = GitRepo.init_bare(path)
    roster_blob = roster.to_toml().encode("utf-8")
    signers_blob = roster.allowed_signers().encode("ascii")
    entries = [
        ("100644", ROSTER_FILE, repo.write("blob", roster_blob)),
        ("100644", SIGNERS_FILE, repo.write("blob", signers_blob)),
    ]
    tree = repo.write("tree", tree_bytes(entries))
    commit = RawCommit(tree, [], who, who, message)
    commit.signature = sshsig.sign(key, commit.payload())
    sha = repo.write("commit", commit.to_bytes())
    repo.update_ref(convener.id, sha, None, "penholder open")
    run_git(path, "symbolic-ref", "HEAD", f"refs/heads/{convener.id}")
    record_trusted_root(repo.git_dir, sha)
    repo.close()
