"""Public key lines as rosters and `allowed_signers` carry them (`ssh-ed25519 BASE64`), their
canonical form and fingerprints, and actor ids. No I/O."""

from __future__ import annotations

import base64
import functools
import hashlib
import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from penholder.core.errors import InputError
from penholder.core.trust.sshsig import KEY_TYPE, public_key_blob

ACTOR_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


def check_actor_id(actor_id: str) -> str:
    if not ACTOR_ID.match(actor_id):
        raise InputError(
            f"actor id {actor_id!r} is not a lower-case slug (a-z, 0-9, '-'; a letter first)",
            rule="actor-id",
        )
    return actor_id


def public_key_line(key: Ed25519PublicKey) -> str:
    """`ssh-ed25519 AAAA...` (no comment)."""
    return key.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode("ascii")


def parse_public_key_line(line: str) -> Ed25519PublicKey:
    """Read an `ssh-ed25519 BASE64 [comment]` line; refuse any other key type."""
    parts = line.strip().split()
    if len(parts) < 2 or parts[0] != KEY_TYPE.decode():
        raise InputError(f"not an ssh-ed25519 public key: {line.strip()[:60]!r}", rule="key-format")
    return _load_public_key(parts[1])


@functools.lru_cache(maxsize=4096)
def _load_public_key(b64: str) -> Ed25519PublicKey:
    """One key, decoded once: rosters repeat their keys version after version."""
    try:
        key = serialization.load_ssh_public_key(f"{KEY_TYPE.decode()} {b64}".encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise InputError(f"unreadable public key: {b64[:40]}…", rule="key-format") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise InputError("public key is not Ed25519", rule="key-format")
    if public_key_line(key).split()[1] != b64:
        # The decoder skips stray characters: one key could be spelled many ways, and every
        # rule that compares keys (one owner per key, never seated again) compares lines.
        raise InputError(
            f"public key {b64[:40]}… is not in its canonical base64 form", rule="key-format"
        )
    return key


def fingerprint(key: Ed25519PublicKey) -> str:
    """The `SHA256:...` fingerprint that `ssh-keygen -l` prints."""
    digest = hashlib.sha256(public_key_blob(key)).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def fingerprint_of_line(line: str) -> str:
    return fingerprint(parse_public_key_line(line))
