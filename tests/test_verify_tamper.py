"""Tampering is caught and named: each forged history fails `verify` with the sha and rule."""

from __future__ import annotations

import re
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helpers import NEGOTIATION_ID, Table, git, shuttle
from penholder.core.model import Action
from penholder.core.trust import sshsig
from penholder.core.trust.commit import RawCommit, ident, strip_signature
from penholder.core.trust.message import Trailers, build_message
from penholder.core.views.verify import Report, verify


def write_commit(repo: Path, data: bytes) -> str:
    return git(
        repo, "hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=data
    ).strip()


def move(repo: Path, branch: str, sha: str) -> None:
    git(repo, "update-ref", f"refs/heads/{branch}", sha)


def failures(report: Report) -> set[tuple[str, str]]:
    return {(f.sha, f.rule) for f in report.failures}


def raw(repo: Path, sha: str) -> bytes:
    return git(repo, "cat-file", "commit", sha).encode()


def signature_of(data: bytes) -> bytes:
    match = re.search(rb"\ngpgsig (.*?-----END SSH SIGNATURE-----)", data, re.S)
    assert match
    return match.group(1)


def test_untouched_negotiation_verifies(table: Table) -> None:
    shuttle(table)
    report = verify(table.path)
    assert report.ok, report.failures
    assert report.versions == 10


def test_rewritten_tree_under_old_signature(table: Table) -> None:
    v = shuttle(table)
    data = raw(table.path, v["sign_af"].sha)
    forged = data.replace(
        f"tree {v['sign_af'].tree}".encode(), f"tree {v['propose'].tree}".encode()
    )
    sha = write_commit(table.path, forged)
    move(table.path, "afghanistan", sha)
    report = verify(table.path)
    assert (sha, "signature-bad") in failures(report)
    assert not report.ok


def test_signature_reattached_to_another_payload(table: Table) -> None:
    v = shuttle(table)
    donor = signature_of(raw(table.path, v["sign_pk"].sha))
    target = raw(table.path, v["endorse_tr"].sha)
    forged = target.replace(signature_of(target), donor)
    sha = write_commit(table.path, forged)
    move(table.path, "turkiye", sha)
    assert (sha, "signature-bad") in failures(verify(table.path))


def test_branch_moved_to_a_version_signed_by_someone_else(table: Table) -> None:
    v = shuttle(table)
    move(table.path, "pakistan", v["endorse_qa"].sha)
    report = verify(table.path)
    assert (v["endorse_qa"].sha, "branch-tip") in failures(report)
    assert not report.ok


def test_version_signed_by_a_key_not_on_the_roster(table: Table) -> None:
    v = shuttle(table)
    comment = table.on("pakistan", Action.COMMENT, v["forward2"], to=("qatar",))
    data = raw(table.path, comment.sha)
    stranger = sshsig.sign(Ed25519PrivateKey.generate(), strip_signature(data))
    forged = data.replace(signature_of(data), stranger.rstrip("\n").replace("\n", "\n ").encode())
    sha = write_commit(table.path, forged)
    move(table.path, "pakistan", sha)
    report = verify(table.path)
    assert (sha, "signature-key") in failures(report)
    assert report.signatures[sha] == "unknown-key"


def test_party_amendment_that_edits_the_roster(table: Table) -> None:
    v = shuttle(table)
    repo = table.path
    roster = git(repo, "show", f"{v['forward2'].sha}:penholder.toml")
    promoted = roster.replace(
        'id = "pakistan"\nname = "Islamic Republic of Pakistan"\nrole = "party"',
        'id = "pakistan"\nname = "Islamic Republic of Pakistan"\nrole = "mediator"',
    )
    assert promoted != roster
    roster_blob = git(repo, "hash-object", "-w", "--stdin", input=promoted.encode()).strip()
    listing = git(repo, "ls-tree", v["forward2"].tree)
    listing = re.sub(
        r"blob [0-9a-f]{40}\tpenholder.toml", f"blob {roster_blob}\tpenholder.toml", listing
    )
    tree = git(repo, "mktree", input=listing.encode()).strip()
    who = ident("Islamic Republic of Pakistan", f"pakistan@{NEGOTIATION_ID}", 1_761_500_000)
    trailers = Trailers(
        NEGOTIATION_ID, "amend", "pakistan", ("qatar",), "accord", 1, (v["forward2"].sha,)
    )
    commit = RawCommit(
        tree,
        [v["forward2"].sha, v["sign_pk"].sha],
        who,
        who,
        build_message("Promote", "", trailers),
    )
    commit.signature = sshsig.sign(table.keys["pakistan"], commit.payload())
    sha = write_commit(repo, commit.to_bytes())
    move(repo, "pakistan", sha)
    report = verify(repo)
    assert (sha, "roster-changed") in failures(report)
    assert report.signatures[sha] == "good"


def test_every_failure_is_reported_not_only_the_first(table: Table) -> None:
    v = shuttle(table)
    move(table.path, "pakistan", v["endorse_qa"].sha)
    data = raw(table.path, v["endorse_tr"].sha)
    forged = data.replace(b"Penholder-Action: endorse", b"Penholder-Action: sign")
    sha = write_commit(table.path, forged)
    move(table.path, "turkiye", sha)
    found = failures(verify(table.path))
    assert (v["endorse_qa"].sha, "branch-tip") in found
    assert (sha, "signature-bad") in found
    assert (sha, "role-action") in found


def test_branch_rolled_back_leaves_versions_off_the_owners_branch(table: Table) -> None:
    v = shuttle(table)
    move(table.path, "pakistan", v["propose"].parents[0])
    found = failures(verify(table.path))
    assert (v["propose"].sha, "branch-ancestry") in found
