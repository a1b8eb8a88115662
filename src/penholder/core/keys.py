"""Ed25519 keys: OpenSSH files outside every repository, fingerprints, public key lines.

Private keys are stored passphrase-encrypted (OpenSSH format, bcrypt KDF) at mode 0600 in a
0700 folder; looser permissions are refused when a key is read, so a key that others could
have copied is never used to sign.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from penholder.core.errors import InputError, KeyError_
from penholder.core.sshsig import KEY_TYPE, public_key_blob

ACTOR_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
DEMO_SEED_LABEL = b"penholder DEMO ONLY - never use for a real negotiation - "


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


def demo_private_key(actor_id: str) -> Ed25519PrivateKey:
    """A key derived from a fixed, published seed. DEMO ONLY: anyone can recompute it."""
    seed = hashlib.sha256(DEMO_SEED_LABEL + actor_id.encode("utf-8")).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


@dataclass(frozen=True)
class StoredKey:
    actor_id: str
    path: Path
    public_line: str

    @property
    def fingerprint(self) -> str:
        return fingerprint_of_line(self.public_line)


class KeyStore:
    """The folder of private keys on this machine: `<home>/keys/<id>` and `<id>.pub`."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.folder = home / "keys"

    def path(self, actor_id: str) -> Path:
        return self.folder / check_actor_id(actor_id)

    def ensure_folder(self) -> None:
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(self.folder, 0o700)

    def save(
        self, actor_id: str, key: Ed25519PrivateKey, passphrase: bytes | None, *, name: str = ""
    ) -> StoredKey:
        """Write a new private key; refuse to overwrite an existing one."""
        path = self.path(actor_id)
        self.ensure_folder()
        if path.exists():
            raise KeyError_(f"a key for {actor_id!r} already exists at {path}", rule="key-exists")
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase)
            if passphrase
            else serialization.NoEncryption()
        )
        data = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        line = public_key_line(key.public_key())
        comment = f" {actor_id}" + (f" ({name})" if name else "")
        pub = path.with_name(path.name + ".pub")
        pub.write_text(line + comment + "\n", encoding="utf-8")
        return StoredKey(actor_id, path, line)

    def list(self) -> list[StoredKey]:
        if not self.folder.is_dir():
            return []
        found = []
        for pub in sorted(self.folder.glob("*.pub")):
            private = pub.with_suffix("")
            if not private.exists():
                continue
            line = " ".join(pub.read_text(encoding="utf-8").split()[:2])
            found.append(StoredKey(private.name, private, line))
        return found

    def has(self, actor_id: str) -> bool:
        return self.path(actor_id).exists()

    def public_line(self, actor_id: str) -> str:
        pub = self.path(actor_id).with_name(actor_id + ".pub")
        if not pub.exists():
            raise KeyError_(f"no key for {actor_id!r} in {self.folder}", rule="key-missing")
        return " ".join(pub.read_text(encoding="utf-8").split()[:2])

    def check_permissions(self, actor_id: str) -> Path:
        path = self.path(actor_id)
        if not path.exists():
            raise KeyError_(f"no key for {actor_id!r} at {path}", rule="key-missing")
        for item, most in ((path, 0o600), (path.parent, 0o700)):
            mode = stat.S_IMODE(item.stat().st_mode)
            if mode & 0o077:
                raise KeyError_(
                    f"{item} has mode {mode:04o}; it must not be readable by group or others "
                    f"(chmod {most:o} {item})",
                    rule="key-permissions",
                )
        return path

    def is_encrypted(self, actor_id: str) -> bool:
        data = self.check_permissions(actor_id).read_bytes()
        try:
            serialization.load_ssh_private_key(data, password=None)
        except (TypeError, ValueError):
            return True
        return False

    def unlock(self, actor_id: str, passphrase: bytes | None) -> Ed25519PrivateKey:
        """Read and decrypt the actor's key; a wrong passphrase is one clear error."""
        path = self.check_permissions(actor_id)
        data = path.read_bytes()
        try:
            key = serialization.load_ssh_private_key(data, password=passphrase or None)
        except TypeError as exc:
            raise KeyError_(
                f"the key for {actor_id!r} is passphrase-protected: give its passphrase",
                rule="key-passphrase",
            ) from exc
        except ValueError as exc:
            raise KeyError_(
                f"wrong passphrase for the key of {actor_id!r} ({path})", rule="key-passphrase"
            ) from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyError_(f"{path} is not an Ed25519 key", rule="key-format")
        return key
