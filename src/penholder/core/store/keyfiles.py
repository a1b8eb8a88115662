"""Private keys on this machine: OpenSSH files outside every repository.

Private keys are stored passphrase-encrypted (OpenSSH format, bcrypt KDF) at mode 0600 in a
0700 folder; looser permissions are refused when a key is read, so a key that others could
have copied is never used to sign.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from penholder.core.errors import KeyFileError
from penholder.core.trust.keylines import (
    check_actor_id,
    fingerprint_of_line,
    public_key_line,
)


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
            raise KeyFileError(
                f"a key for {actor_id!r} already exists at {path}", rule="key-exists"
            )
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
            raise KeyFileError(f"no key for {actor_id!r} in {self.folder}", rule="key-missing")
        return " ".join(pub.read_text(encoding="utf-8").split()[:2])

    def check_permissions(self, actor_id: str) -> Path:
        path = self.path(actor_id)
        if not path.exists():
            raise KeyFileError(f"no key for {actor_id!r} at {path}", rule="key-missing")
        for item, most in ((path, 0o600), (path.parent, 0o700)):
            mode = stat.S_IMODE(item.stat().st_mode)
            if mode & 0o077:
                raise KeyFileError(
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
            raise KeyFileError(
                f"the key for {actor_id!r} is passphrase-protected: give its passphrase",
                rule="key-passphrase",
            ) from exc
        except ValueError as exc:
            raise KeyFileError(
                f"wrong passphrase for the key of {actor_id!r} ({path})", rule="key-passphrase"
            ) from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFileError(f"{path} is not an Ed25519 key", rule="key-format")
        return key
