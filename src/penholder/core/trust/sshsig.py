"""SSH signatures (SSHSIG v1, Ed25519, namespace `git`, sha512), made and checked in-process.

The armored form is exactly what `ssh-keygen -Y sign -n git` writes, and Ed25519 is
deterministic, so for the same key and bytes the output is byte-identical. Parsing is strict:
forms that git and ssh-keygen tolerate (sha256, version 0, other wrapping, reserved data) are
refused with a `SignatureFormError`, because two encodings of one signature must not exist.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from penholder.core.errors import SignatureFormError

MAGIC = b"SSHSIG"
NAMESPACE = b"git"
HASH_ALG = b"sha512"
KEY_TYPE = b"ssh-ed25519"
BEGIN = "-----BEGIN SSH SIGNATURE-----"
END = "-----END SSH SIGNATURE-----"
WRAP = 70


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def public_key_blob(key: Ed25519PublicKey) -> bytes:
    """The SSH wire encoding of an Ed25519 public key (`string "ssh-ed25519" string key`)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return _string(KEY_TYPE) + _string(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def _signed_data(message: bytes) -> bytes:
    digest = hashlib.sha512(message).digest()
    return MAGIC + _string(NAMESPACE) + _string(b"") + _string(HASH_ALG) + _string(digest)


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """Sign `message` and return the armored signature, newline-terminated."""
    raw = key.sign(_signed_data(message))
    blob = (
        MAGIC
        + struct.pack(">I", 1)
        + _string(public_key_blob(key.public_key()))
        + _string(NAMESPACE)
        + _string(b"")
        + _string(HASH_ALG)
        + _string(_string(KEY_TYPE) + _string(raw))
    )
    text = base64.b64encode(blob).decode("ascii")
    lines = [text[i : i + WRAP] for i in range(0, len(text), WRAP)]
    return "\n".join([BEGIN, *lines, END]) + "\n"


@dataclass(frozen=True)
class ParsedSignature:
    """A canonical SSHSIG: the signer's public key blob and the raw Ed25519 signature."""

    public_key_blob: bytes
    signature: bytes

    def public_key(self) -> Ed25519PublicKey:
        reader = _Reader(self.public_key_blob)
        if reader.string() != KEY_TYPE:
            raise SignatureFormError("signature key is not ssh-ed25519")
        raw = reader.string()
        reader.end()
        if len(raw) != 32:
            raise SignatureFormError("ed25519 key has the wrong length")
        return Ed25519PublicKey.from_public_bytes(raw)

    def verify(self, message: bytes) -> bool:
        try:
            self.public_key().verify(self.signature, _signed_data(message))
        except InvalidSignature:
            return False
        return True


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise SignatureFormError("signature blob is truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def uint32(self) -> int:
        value: int = struct.unpack(">I", self.take(4))[0]
        return value

    def string(self) -> bytes:
        return self.take(self.uint32())

    def end(self) -> None:
        if self.pos != len(self.data):
            raise SignatureFormError("signature blob has trailing data")


def parse(armored: str) -> ParsedSignature:
    """Parse an armored signature, refusing every form but the canonical one."""
    lines = armored.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) < 3 or lines[0] != BEGIN or lines[-1] != END:
        raise SignatureFormError("not an armored SSH signature")
    body = lines[1:-1]
    if any(len(line) != WRAP for line in body[:-1]) or not 0 < len(body[-1]) <= WRAP:
        raise SignatureFormError(f"signature base64 is not wrapped at {WRAP} columns")
    text = "".join(body)
    try:
        blob = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureFormError("signature is not valid base64") from exc
    if base64.b64encode(blob).decode("ascii") != text:
        raise SignatureFormError("signature base64 is not canonical")
    reader = _Reader(blob)
    if reader.take(6) != MAGIC:
        raise SignatureFormError("signature lacks the SSHSIG magic")
    version = reader.uint32()
    if version != 1:
        raise SignatureFormError(f"SSHSIG version {version}, expected 1")
    key_blob = reader.string()
    namespace = reader.string()
    if namespace != NAMESPACE:
        raise SignatureFormError(f"namespace {namespace!r}, expected 'git'")
    if reader.string() != b"":
        raise SignatureFormError("reserved field is not empty")
    hash_alg = reader.string()
    if hash_alg != HASH_ALG:
        raise SignatureFormError(f"hash {hash_alg.decode('ascii', 'replace')}, expected sha512")
    sig_blob = reader.string()
    reader.end()
    sig_reader = _Reader(sig_blob)
    if sig_reader.string() != KEY_TYPE:
        raise SignatureFormError("signature algorithm is not ssh-ed25519")
    raw = sig_reader.string()
    sig_reader.end()
    if len(raw) != 64:
        raise SignatureFormError("ed25519 signature has the wrong length")
    parsed = ParsedSignature(public_key_blob=key_blob, signature=raw)
    parsed.public_key()  # the key blob must itself be canonical
    return parsed
