"""What status claims rests on git, never on the local cache: a doctored versions.idx or a
forged attestation in the store never makes a text read as agreed."""

from __future__ import annotations

import json
from dataclasses import replace

from helpers import Table, git, penholder, shuttle
from penholder.core.store.cache import VersionIndex
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust import sshsig
from penholder.core.trust.agreement import is_agreed
from penholder.core.trust.commit import RawCommit
from penholder.core.views.verify import verify


def agreed_of(table: Table) -> object:
    result = penholder(table.path, "status", "--json")
    assert result.returncode == 0, result.stderr
    documents = json.loads(result.stdout)["documents"]
    assert isinstance(documents, dict)
    return documents["accord"]["agreed"]


def test_status_claims_agreement_from_git_not_from_a_doctored_cache(table: Table) -> None:
    v = shuttle(table)
    # Take back one party's signature from git's view: the text is not agreed there.
    git(table.path, "update-ref", "refs/heads/afghanistan", v["amend"].sha)
    git(table.path, "update-ref", "refs/heads/turkiye", v["forward2"].sha)
    git(table.path, "update-ref", "refs/heads/qatar", v["receipt"].sha)
    git(table.path, "update-ref", "refs/heads/pakistan", v["propose"].sha)
    # The cache still lists every version of the shuttle, signatures included.
    cached = Negotiation(table.path)
    assert is_agreed(cached.history, v["forward2"].sha)
    assert agreed_of(table) is None
    fresh = Negotiation(table.path, use_cache=False)
    assert not is_agreed(fresh.history, v["forward2"].sha)


def test_status_does_not_count_a_cached_sign_that_git_does_not_hold(table: Table) -> None:
    v = shuttle(table)
    index = VersionIndex(table.path / "penholder")
    fake = replace(v["sign_af"], sha="f" * 40, refers=(v["amend"].sha,), action="sign")
    index.append([fake])
    assert agreed_of(table) == v["forward2"].sha


def test_status_refuses_to_claim_agreement_on_a_forged_signature(table: Table) -> None:
    v = shuttle(table)
    assert agreed_of(table) == v["forward2"].sha
    # Replace afghanistan's sign by the same commit with its signature broken.
    data = git(table.path, "cat-file", "commit", v["sign_af"].sha).encode()
    forged = data.replace(b"\n\nafghanistan sign\n", b"\n\nafghanistan signs\n", 1)
    assert forged != data
    sha = git(table.path, "hash-object", "-t", "commit", "-w", "--stdin", input=forged).strip()
    git(table.path, "update-ref", "refs/heads/afghanistan", sha)
    # Verify fails it; status does not claim the text agreed on its strength.
    assert agreed_of(table) is None


def test_status_does_not_count_a_signature_that_breaks_a_rule(table: Table) -> None:
    """Afghanistan signs, by hand, a tree that is not the text's: its signature is good and on
    its line, but the sign breaks `tree-changed`; verify fails it and status claims nothing."""
    v = shuttle(table)
    text = v["forward2"]
    other = Negotiation(table.path).version(v["propose"].sha)
    base = git(table.path, "cat-file", "commit", v["sign_af"].sha).encode()
    head, _, message = base.partition(b"\n\n")
    lines = [ln for ln in head.split(b"\n") if not ln.startswith((b"gpgsig", b" "))]
    lines[0] = b"tree " + other.tree.encode()
    raw = RawCommit(
        other.tree,
        list(v["sign_af"].parents),
        lines[-2].split(b" ", 1)[1].decode(),
        lines[-1].split(b" ", 1)[1].decode(),
        message.decode(),
    )
    signed = replace(raw, signature=sshsig.sign(table.keys["afghanistan"], raw.payload()))
    sha = git(
        table.path, "hash-object", "-t", "commit", "-w", "--stdin", input=signed.to_bytes()
    ).strip()
    git(table.path, "update-ref", "refs/heads/afghanistan", sha)
    assert ("tree-changed", sha) in {(f.rule, f.sha) for f in verify(table.path).failures}
    assert is_agreed(Negotiation(table.path, use_cache=False).history, text.sha)
    assert agreed_of(table) is None
