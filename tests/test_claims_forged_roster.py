"""Status claims an agreement only on a roster that genuine versions put in force (red team:
with no real key at all, a roster change "by qatar" and its endorsements forged with keys of
the attacker's, then a whole negotiation run with the keys it seated, read as agreed)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helpers import NEGOTIATION_ID, ROLES, TEXT, Table, git, make_roster, penholder, shuttle
from penholder.core.model import Action
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust import sshsig
from penholder.core.trust.agreement import is_agreed
from penholder.core.trust.commit import RawCommit
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.message import Trailers, build_message
from penholder.core.trust.roster import Actor, Roster, allowed_signers_after
from penholder.core.views.claims import confirmed_agreement


class Forger:
    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.clock = 1_761_500_000

    def blob(self, data: bytes) -> str:
        return git(self.repo, "hash-object", "-w", "--stdin", input=data).strip()

    def tree(self, roster: str, signers: str, text: str | None = None) -> str:
        lines = [
            f"100644 blob {self.blob(roster.encode())}\tpenholder.toml",
            f"100644 blob {self.blob(signers.encode())}\tallowed_signers",
        ]
        if text is not None:
            drafts = git(
                self.repo,
                "mktree",
                input=f"100644 blob {self.blob(text.encode())}\taccord.md\n".encode(),
            ).strip()
            lines.append(f"040000 tree {drafts}\tdrafts")
        return git(self.repo, "mktree", input=("\n".join(lines) + "\n").encode()).strip()

    def commit(
        self,
        actor: str,
        action: str,
        parents: list[str],
        tree: str,
        key: Ed25519PrivateKey,
        refers: tuple[str, ...] = (),
        document: str | None = None,
        to: tuple[str, ...] = (),
    ) -> str:
        self.clock += 60
        who = f"{ROLES[actor][0]} <{actor}@{NEGOTIATION_ID}> {self.clock} +0000"
        trailers = Trailers(NEGOTIATION_ID, action, actor, to, document, 1, refers, None, None)
        raw = RawCommit(tree, parents, who, who, build_message(f"{actor} {action}", "", trailers))
        signed = replace(raw, signature=sshsig.sign(key, raw.payload()))
        return git(
            self.repo, "hash-object", "-t", "commit", "-w", "--stdin", input=signed.to_bytes()
        ).strip()


def _evil(actor: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"evil " + actor.encode()).digest())


@pytest.fixture
def forged(table: Table) -> str:
    """The attacker's history, every branch moved to it; returns its text's sha."""
    repo, f = table.path, Forger(table.path)
    root = git(repo, "rev-parse", "refs/heads/qatar").strip()
    old = make_roster(table.keys)
    evil = {actor: _evil(actor) for actor in ROLES}
    new = Roster(
        old.negotiation_id,
        old.title,
        old.convener,
        tuple(
            Actor(a.id, a.name, a.role, public_key_line(evil[a.id].public_key()))
            for a in old.actors
        ),
        old.rules,
    )
    old_signers = git(repo, "show", f"{root}:allowed_signers")
    signers = allowed_signers_after(old_signers, new)
    tree = f.tree(new.to_toml(), signers)
    change = f.commit("qatar", "roster", [root], tree, evil["qatar"])
    last = {
        m: f.commit(m, "endorse", [change], tree, evil[m], refers=(change,))
        for m in ("qatar", "turkiye")
    }
    receipts = {
        a: f.commit(
            a, "receipt", [change, *([last[a]] if a in last else [])], tree, evil[a], (change,)
        )
        for a in ROLES
    }
    tip = receipts["pakistan"]
    for a in ("qatar", "turkiye", "afghanistan"):
        tip = f.commit(
            "pakistan",
            "comment",
            [receipts[a], tip],
            tree,
            evil["pakistan"],
            (receipts[a],),
            to=("qatar", "turkiye"),
        )
    text_tree = f.tree(new.to_toml(), signers, TEXT + "\n## 9. Surrender\n\n9.1 All ceded.\n")
    text = f.commit(
        "pakistan",
        "propose",
        [tip],
        text_tree,
        evil["pakistan"],
        document="accord",
        to=("qatar", "turkiye"),
    )
    for actor, (_name, role) in ROLES.items():
        action = "sign" if role == "party" else "endorse"
        sha = f.commit(actor, action, [text], text_tree, evil[actor], (text,), "accord")
        git(repo, "update-ref", f"refs/heads/{actor}", sha)
    (repo / "penholder" / "versions.idx").unlink(missing_ok=True)
    return text


def test_an_agreement_on_a_forged_roster_is_never_claimed(table: Table, forged: str) -> None:
    negotiation = Negotiation(table.path, use_cache=False)
    assert is_agreed(negotiation.history, forged)  # the kernel, trusting every signature
    assert confirmed_agreement(negotiation, forged) is None
    result = penholder(table.path, "status")
    assert "agreed" not in result.stdout.replace("could not be confirmed", "")
    assert "could not be confirmed" in result.stdout + result.stderr
    assert penholder(table.path, "verify").returncode == 1


def test_an_agreement_after_an_honest_key_rotation_is_claimed(table: Table) -> None:
    """The claim holds once a roster change has taken effect (it once read every roster change
    as broken, so status confirmed no agreement after one)."""
    new_key = _evil("turkiye-rotated")
    roster = table.store.roster
    rotated = replace(
        roster,
        actors=tuple(
            replace(a, key=public_key_line(new_key.public_key())) if a.id == "turkiye" else a
            for a in roster.actors
        ),
    )
    change = table.act("qatar", Action.ROSTER, "Rotate turkiye's key", roster=rotated)
    table.on("qatar", Action.ENDORSE, change)
    table.on("turkiye", Action.ENDORSE, change)
    table.keys["turkiye"] = new_key
    table.on("turkiye", Action.RECEIPT, change)
    text = shuttle(table)["forward2"]
    negotiation = Negotiation(table.path, use_cache=False)
    assert confirmed_agreement(negotiation, text.sha) is not None
    assert text.sha[:10] in penholder(table.path, "status").stdout


def test_no_agreement_is_claimed_on_a_branch_that_leaves_out_its_own_sign(table: Table) -> None:
    """Rolled back: pakistan's branch moves back past its sign, which turkiye's receipt still
    carries; verify fails the branch, and status claims nothing (red team, second round)."""
    v = shuttle(table)
    table.on("turkiye", Action.RECEIPT, v["sign_pk"])
    git(table.path, "update-ref", "refs/heads/pakistan", v["propose"].sha)
    (table.path / "penholder" / "versions.idx").unlink(missing_ok=True)
    negotiation = Negotiation(table.path, use_cache=False)
    assert is_agreed(negotiation.history, v["forward2"].sha)
    assert penholder(table.path, "verify").returncode == 1
    assert confirmed_agreement(negotiation, v["forward2"].sha) is None
