"""SSHSIG conformance with OpenSSH, strict parsing, and key files on disk."""

from __future__ import annotations

import base64
import os
import struct
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from penholder.core.errors import KeyFileError, SignatureFormError
from penholder.core.store.keyfiles import KeyStore
from penholder.core.trust import sshsig
from penholder.core.trust.keylines import fingerprint, public_key_line
from penholder.demo.keys import demo_private_key

MESSAGE = b"tree 0123\nauthor x\n\nAmend clause 3\n"


def write_plain_key(path: Path) -> None:
    key = demo_private_key("pakistan")
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    path.write_bytes(data)
    path.chmod(0o600)


def test_signature_is_byte_identical_to_ssh_keygen(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    write_plain_key(key_file)
    message = tmp_path / "message"
    message.write_bytes(MESSAGE)
    subprocess.run(
        ["ssh-keygen", "-q", "-Y", "sign", "-f", str(key_file), "-n", "git", str(message)],
        check=True,
        capture_output=True,
    )
    theirs = (tmp_path / "message.sig").read_text()
    ours = sshsig.sign(demo_private_key("pakistan"), MESSAGE)
    assert ours == theirs


def test_ssh_keygen_verifies_our_signature(tmp_path: Path) -> None:
    key = demo_private_key("qatar")
    signers = tmp_path / "allowed_signers"
    signers.write_text(f'qatar namespaces="git" {public_key_line(key.public_key())}\n')
    sig = tmp_path / "sig"
    sig.write_text(sshsig.sign(key, MESSAGE))
    result = subprocess.run(
        [
            "ssh-keygen",
            "-Y",
            "verify",
            "-f",
            str(signers),
            "-I",
            "qatar",
            "-n",
            "git",
            "-s",
            str(sig),
        ],
        input=MESSAGE,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sshsig.parse(sig.read_text()).verify(MESSAGE)
    assert not sshsig.parse(sig.read_text()).verify(MESSAGE + b"x")


def _blob(armored: str) -> bytes:
    return base64.b64decode("".join(armored.strip().splitlines()[1:-1]))


def _armor(blob: bytes, width: int = 70) -> str:
    text = base64.b64encode(blob).decode()
    return (
        "\n".join(
            [sshsig.BEGIN, *[text[i : i + width] for i in range(0, len(text), width)], sshsig.END]
        )
        + "\n"
    )


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _variant(
    version: int = 1, namespace: bytes = b"git", reserved: bytes = b"", hash_alg: bytes = b"sha512"
) -> str:
    key = demo_private_key("qatar")
    import hashlib

    digest = hashlib.new(hash_alg.decode() if hash_alg != b"md5" else "md5", MESSAGE).digest()
    signed = (
        b"SSHSIG" + _string(namespace) + _string(reserved) + _string(hash_alg) + _string(digest)
    )
    raw = key.sign(signed)
    blob = (
        b"SSHSIG"
        + struct.pack(">I", version)
        + _string(sshsig.public_key_blob(key.public_key()))
        + _string(namespace)
        + _string(reserved)
        + _string(hash_alg)
        + _string(_string(b"ssh-ed25519") + _string(raw))
    )
    return _armor(blob)


@pytest.mark.parametrize(
    ("armored", "words"),
    [
        (_variant(hash_alg=b"sha256"), "sha256"),
        (_variant(version=0), "version 0"),
        (_variant(version=2), "version 2"),
        (_variant(reserved=b"junk"), "reserved"),
        (_variant(namespace=b"file"), "namespace"),
        (_variant(hash_alg=b"sha1"), "sha1"),
        (_armor(_blob(sshsig.sign(demo_private_key("qatar"), MESSAGE)), width=76), "wrapped"),
    ],
    ids=["sha256", "version0", "version2", "reserved", "namespace", "sha1", "wrap76"],
)
def test_non_canonical_forms_are_refused(armored: str, words: str) -> None:
    with pytest.raises(SignatureFormError) as caught:
        sshsig.parse(armored)
    assert words in str(caught.value)


def test_key_files_open_with_ssh_keygen_and_the_passphrase(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "home")
    key = demo_private_key("turkiye")
    stored = store.save("turkiye", key, b"correct horse")
    assert (stored.path.stat().st_mode & 0o777) == 0o600
    assert (stored.path.parent.stat().st_mode & 0o777) == 0o700
    result = subprocess.run(
        ["ssh-keygen", "-y", "-P", "correct horse", "-f", str(stored.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == public_key_line(key.public_key()).split()
    assert b"bcrypt" in stored.path.read_bytes() or b"aes256" in base64.b64decode(
        "".join(stored.path.read_text().splitlines()[1:-1])
    )
    assert store.unlock("turkiye", b"correct horse").private_bytes_raw() == key.private_bytes_raw()
    assert store.list()[0].fingerprint == fingerprint(key.public_key())


def test_wrong_passphrase_and_loose_permissions_are_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "home")
    stored = store.save("qatar", demo_private_key("qatar"), b"right")
    with pytest.raises(KeyFileError) as caught:
        store.unlock("qatar", b"wrong")
    assert caught.value.rule == "key-passphrase"
    os.chmod(stored.path, 0o640)
    with pytest.raises(KeyFileError) as caught:
        store.unlock("qatar", b"right")
    assert caught.value.rule == "key-permissions"
    assert str(stored.path) in caught.value.message
    os.chmod(stored.path, 0o600)
    os.chmod(stored.path.parent, 0o755)
    with pytest.raises(KeyFileError) as caught:
        store.unlock("qatar", b"right")
    assert caught.value.rule == "key-permissions"
