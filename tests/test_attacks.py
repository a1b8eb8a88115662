"""Attacks that signing systems are tested against: non-canonical signatures, replayed
signatures, mix-and-match, witnesses that are not witnesses. Each is reported by verify."""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from pathlib import Path
from typing import Any

import pytest

from helpers import NEGOTIATION_ID, Table, git, make_table, shuttle, snapshot
from penholder.core.errors import PenholderError
from penholder.core.model import Action
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust import sshsig
from penholder.core.trust.agreement import is_agreed
from penholder.core.trust.commit import strip_signature
from penholder.core.views.verify import verify
from penholder.demo.keys import demo_private_key


def raw(repo: Path, sha: str) -> bytes:
    return git(repo, "cat-file", "commit", sha).encode()


def store_commit(repo: Path, data: bytes) -> str:
    return git(
        repo, "hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=data
    ).strip()


def replace_signature(data: bytes, armored: str) -> bytes:
    folded = armored.rstrip("\n").replace("\n", "\n ").encode()
    return re.sub(
        rb"gpgsig .*?-----END SSH SIGNATURE-----",
        lambda _m: b"gpgsig " + folded,
        data,
        count=1,
        flags=re.S,
    )


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def signature_variant(
    payload: bytes,
    *,
    version: int = 1,
    namespace: bytes = b"git",
    reserved: bytes = b"",
    hash_alg: str = "sha512",
    wrap: int = 70,
) -> str:
    """An SSHSIG over `payload` that git or ssh-keygen may accept, in a non-canonical form."""
    key = demo_private_key("qatar")
    digest = hashlib.new(hash_alg, payload).digest()
    signed = (
        b"SSHSIG"
        + _string(namespace)
        + _string(reserved)
        + _string(hash_alg.encode())
        + _string(digest)
    )
    blob = (
        b"SSHSIG"
        + struct.pack(">I", version)
        + _string(sshsig.public_key_blob(key.public_key()))
        + _string(namespace)
        + _string(reserved)
        + _string(hash_alg.encode())
        + _string(_string(b"ssh-ed25519") + _string(key.sign(signed)))
    )
    text = base64.b64encode(blob).decode()
    lines = [text[i : i + wrap] for i in range(0, len(text), wrap)]
    return "\n".join([sshsig.BEGIN, *lines, sshsig.END]) + "\n"


def rules_for(report_failures: list[tuple[str, str]], sha: str) -> set[str]:
    return {rule for s, rule in report_failures if s == sha}


def forge_tip(table: Table, mutate: object) -> str:
    """Apply `mutate(raw bytes) -> bytes` to qatar's newest comment and make it qatar's tip."""
    v = shuttle(table)
    comment = table.on("qatar", Action.COMMENT, v["forward2"], to=("turkiye",))
    forged = mutate(raw(table.path, comment.sha))  # type: ignore[operator]
    sha = store_commit(table.path, forged)
    git(table.path, "update-ref", "refs/heads/qatar", sha)
    return sha


VARIANTS: dict[str, dict[str, Any]] = {
    "sha256": dict(hash_alg="sha256"),
    "version-0": dict(version=0),
    "version-2": dict(version=2),
    "wrapped-76": dict(wrap=76),
    "junk-reserved": dict(reserved=b"junk"),
    "namespace-file": dict(namespace=b"file"),
    "md5": dict(hash_alg="md5"),
    "sha1": dict(hash_alg="sha1"),
}


@pytest.mark.parametrize("name", VARIANTS)
def test_non_canonical_signature_forms_are_rejected(table: Table, name: str) -> None:
    variant = VARIANTS[name]
    sha = forge_tip(
        table,
        lambda data: replace_signature(data, signature_variant(strip_signature(data), **variant)),
    )
    report = verify(table.path)
    assert "signature-form" in rules_for([(f.sha, f.rule) for f in report.failures], sha)
    assert report.signatures[sha] == "bad"


def test_a_second_gpgsig_header_is_rejected(table: Table) -> None:
    def twice(data: bytes) -> bytes:
        sig = re.search(rb"gpgsig .*?-----END SSH SIGNATURE-----\n", data, re.S)
        assert sig
        return data.replace(sig.group(0), sig.group(0) + sig.group(0), 1)

    sha = forge_tip(table, twice)
    assert "commit-headers" in rules_for(
        [(f.sha, f.rule) for f in verify(table.path).failures], sha
    )


def test_an_extra_gpgsig_sha256_header_is_rejected(table: Table) -> None:
    def extra(data: bytes) -> bytes:
        return data.replace(
            b"\ngpgsig ",
            b"\ngpgsig-sha256 -----BEGIN SSH SIGNATURE-----\n -----END SSH SIGNATURE-----\ngpgsig ",
            1,
        )

    sha = forge_tip(table, extra)
    assert "commit-headers" in rules_for(
        [(f.sha, f.rule) for f in verify(table.path).failures], sha
    )


def test_sign_replayed_onto_another_version_never_counts(table: Table) -> None:
    proposal = table.propose()
    forwarded = table.forward("qatar", proposal, ("afghanistan", "turkiye"))
    signed = table.on("afghanistan", Action.SIGN, forwarded)
    # Afghanistan's signature of the forward, its commit rewritten to sign the proposal.
    data = raw(table.path, signed.sha)
    for old, new in ((forwarded.sha, proposal.sha), (forwarded.tree, proposal.tree)):
        data = data.replace(old.encode(), new.encode())
    sha = store_commit(table.path, data)
    git(table.path, "update-ref", "refs/heads/afghanistan", sha)
    report = verify(table.path)
    assert (sha, "signature-bad") in {(f.sha, f.rule) for f in report.failures}
    store = Negotiation(table.path)
    assert not any(
        w.action == "sign" and w.sha == sha and report.signatures[sha] == "good"
        for w in store.history.referring(proposal.sha)
    )


def test_sign_from_another_negotiation_never_counts(tmp_path: Path) -> None:
    here = make_table(tmp_path / "here")
    there_path = tmp_path / "there"
    v = shuttle(here)
    # The same actors and keys open a second negotiation with another id.
    from helpers import make_roster
    from penholder.core.trust.roster import Roster

    keys = {a: demo_private_key(a) for a in ("qatar", "turkiye", "pakistan", "afghanistan")}
    base = make_roster(keys)
    other = Roster(
        NEGOTIATION_ID.replace("5b0c", "9999"), base.title, base.convener, base.actors, base.rules
    )
    Negotiation.create(there_path, other, keys["qatar"], when=1_761_400_000)
    there = Table(there_path, keys)
    w = shuttle(there)
    # Carry the other negotiation's sign into this one, as a new tip for pakistan.
    packed = git(there_path, "cat-file", "commit", w["sign_pk"].sha).encode()
    for sha in git(there_path, "rev-list", "--objects", "--all").split():
        if len(sha) == 40:
            kind = git(there_path, "cat-file", "-t", sha).strip()
            body = subprocess_bytes(there_path, "cat-file", kind, sha)
            git(here.path, "hash-object", "-t", kind, "-w", "--stdin", "--literally", input=body)
    git(here.path, "update-ref", "refs/heads/pakistan", w["sign_pk"].sha)
    failures = {(f.sha, f.rule) for f in verify(here.path).failures}
    assert (w["sign_pk"].sha, "negotiation-id") in failures or (
        w["sign_pk"].sha,
        "root",
    ) in failures
    assert any(rule == "root" for _, rule in failures)  # a second root entered with it
    assert packed
    store = Negotiation(here.path)
    assert is_agreed(store.history, v["forward2"].sha)


def subprocess_bytes(repo: Path, *args: str) -> bytes:
    import subprocess

    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True).stdout


def test_the_same_key_signing_twice_counts_once(table: Table) -> None:
    v = shuttle(table)
    before = snapshot(table.path)
    with pytest.raises(PenholderError) as caught:
        table.on("pakistan", Action.SIGN, v["forward2"])
    assert caught.value.rule == "duplicate"
    assert snapshot(table.path) == before
    # A second, properly signed `sign` of the same text slipped onto pakistan's branch.
    from penholder.core.trust.commit import RawCommit, parse_commit

    first = parse_commit(raw(table.path, v["sign_pk"].sha))
    author = first.author.replace(str(v["sign_pk"].time), str(v["sign_pk"].time + 1))
    twice = RawCommit(
        first.tree, [v["forward2"].sha, v["sign_pk"].sha], author, author, first.message
    )
    twice.signature = sshsig.sign(demo_private_key("pakistan"), twice.payload())
    sha = store_commit(table.path, twice.to_bytes())
    git(table.path, "update-ref", "refs/heads/pakistan", sha)
    report = verify(table.path)
    assert {(f.sha, f.rule) for f in report.failures} == {(sha, "duplicate")}
    store = Negotiation(table.path)
    signers = [w.actor for w in store.history.answers(v["forward2"].sha) if w.action == "sign"]
    assert signers.count("pakistan") == 2  # two commits, yet one signature counts
    assert is_agreed(store.history, v["forward2"].sha)


def test_a_party_key_never_counts_as_a_witness(table: Table) -> None:
    v = shuttle(table)
    with pytest.raises(PenholderError) as caught:
        table.on("pakistan", Action.ENDORSE, v["amend"])
    assert caught.value.rule == "role-action"
    # A forged endorse that claims to be qatar's but is signed with pakistan's key.
    data = raw(table.path, v["endorse_qa"].sha)
    forged = replace_signature(
        data, sshsig.sign(demo_private_key("pakistan"), strip_signature(data))
    )
    sha = store_commit(table.path, forged)
    git(table.path, "update-ref", "refs/heads/qatar", sha)
    report = verify(table.path)
    assert (sha, "signature-key") in {(f.sha, f.rule) for f in report.failures}


def test_private_key_material_in_a_draft_is_refused(table: Table) -> None:
    before = snapshot(table.path)
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
    with pytest.raises(PenholderError) as caught:
        table.propose(text="# Accord\n\n" + key)
    assert caught.value.rule == "document-secret"
    assert snapshot(table.path) == before


def test_a_copy_holds_to_the_root_it_trusts(table: Table, tmp_path: Path) -> None:
    shuttle(table)
    (table.path / "penholder" / "trusted-root").write_text("f" * 40 + "\n")
    report = verify(table.path)
    assert not report.ok
    assert [f.rule for f in report.failures] == ["root"]


def test_equivocation_is_caught_when_both_continuations_meet(tmp_path: Path) -> None:
    """Pakistan shows one amendment to qatar and another to turkiye, each on a copy of its
    branch; when the copies meet, the version missing from pakistan's branch is named."""
    import shutil

    table = make_table(tmp_path / "neg")
    shuttle(table)
    proposal = table.propose(doc="annex", text="# Annex\n\n1. Text.\n")
    copy = tmp_path / "copy"
    shutil.copytree(table.path, copy)
    other = Table(copy, dict(table.keys), table.clock)
    shown_to_qatar = table.on(
        "pakistan", Action.COMMENT, proposal, subject="Version for qatar", to=("qatar",)
    )
    shown_to_turkiye = other.on(
        "pakistan", Action.COMMENT, proposal, subject="Version for turkiye", to=("turkiye",)
    )
    relayed = other.on("turkiye", Action.RECEIPT, shown_to_turkiye)
    # Both meet: turkiye's branch from the copy arrives beside pakistan's own branch.
    for sha in git(copy, "rev-list", "--all").split():
        body = subprocess_bytes(copy, "cat-file", "commit", sha)
        git(table.path, "hash-object", "-t", "commit", "-w", "--stdin", input=body)
    git(table.path, "update-ref", "refs/heads/turkiye", relayed.sha)
    found = {(f.sha, f.rule) for f in verify(table.path).failures}
    assert (shown_to_turkiye.sha, "branch-ancestry") in found
    assert shown_to_qatar.sha not in {sha for sha, _ in found}
