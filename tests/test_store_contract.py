"""The storage and signature contract of DESIGN.md, checked with git and ssh-keygen themselves."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import TEXT, Table, git, shuttle, snapshot
from penholder.core.errors import PenholderError
from penholder.core.model import Action
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.agreement import is_agreed
from penholder.core.views.verify import verify


def all_commits(repo: Path) -> list[str]:
    return git(repo, "rev-list", "--all").split()


def test_every_commit_verifies_good_with_plain_git(table: Table, tmp_path: Path) -> None:
    shuttle(table)
    for sha in all_commits(table.path):
        signers = tmp_path / f"signers-{sha}"
        signers.write_text(git(table.path, "show", f"{sha}:allowed_signers"))
        config = ["-c", f"gpg.ssh.allowedSignersFile={signers}"]
        result = subprocess.run(
            ["git", "-C", str(table.path), *config, "verify-commit", "--raw", sha],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert 'Good "git" signature' in result.stderr
        shown = git(table.path, *config, "log", "--show-signature", "-1", sha)
        assert 'Good "git" signature' in shown


def test_every_commit_verifies_with_ssh_keygen(table: Table, tmp_path: Path) -> None:
    shuttle(table)
    for sha in all_commits(table.path)[:4]:
        raw = git(table.path, "cat-file", "commit", sha).encode()
        head, _, body = raw.partition(b"\n\n")
        lines = head.split(b"\n")
        sig_lines: list[bytes] = []
        kept: list[bytes] = []
        in_sig = False
        for line in lines:
            if line.startswith(b"gpgsig "):
                in_sig = True
                sig_lines.append(line[len(b"gpgsig ") :])
            elif in_sig and line.startswith(b" "):
                sig_lines.append(line[1:])
            else:
                in_sig = False
                kept.append(line)
        payload = tmp_path / "payload"
        payload.write_bytes(b"\n".join(kept) + b"\n\n" + body)
        signature = tmp_path / "payload.sig"
        signature.write_bytes(b"\n".join(sig_lines) + b"\n")
        signers = tmp_path / "signers"
        signers.write_text(git(table.path, "show", f"{sha}:allowed_signers"))
        actor = git(
            table.path, "show", "-s", "--format=%(trailers:key=Penholder-Actor,valueonly)", sha
        ).strip()
        result = subprocess.run(
            [
                "ssh-keygen",
                "-Y",
                "verify",
                "-f",
                str(signers),
                "-I",
                actor,
                "-n",
                "git",
                "-s",
                str(signature),
            ],
            stdin=payload.open("rb"),
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr + result.stdout
        assert "Good" in result.stdout


def test_trailers_are_read_by_git_interpret_trailers(table: Table) -> None:
    v = shuttle(table)["amend"]
    message = git(table.path, "show", "-s", "--format=%B", v.sha)
    parsed = subprocess.run(
        ["git", "interpret-trailers", "--parse"],
        input=message,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Penholder-Action: amend" in parsed
    assert "Penholder-Actor: afghanistan" in parsed
    assert f"Penholder-Refers: {v.refers[0]}" in parsed
    assert "Penholder-To: qatar, turkiye" in parsed


def test_parents_follow_refers_then_own_tip(table: Table) -> None:
    v = shuttle(table)
    assert v["forward"].parents == (v["propose"].sha,)
    # Afghanistan's first version: its parent is the referred one only.
    assert v["amend"].parents == (v["forward"].sha,)
    # Qatar's own forward is already an ancestor of turkiye's forward: one parent.
    assert v["receipt"].parents == (v["forward2"].sha,)
    # Qatar's receipt is not an ancestor of the version it endorses: it is kept as last parent.
    assert v["endorse_qa"].parents == (v["forward2"].sha, v["receipt"].sha)
    store = Negotiation(table.path)
    for actor, tip in store.tips.items():
        assert store.version(tip).actor == actor


def test_tree_holds_roster_files_and_one_document(table: Table) -> None:
    v = shuttle(table)
    names = git(table.path, "ls-tree", "-r", "--name-only", v["amend"].sha).split()
    assert names == ["allowed_signers", "drafts/accord.md", "penholder.toml"]
    assert git(table.path, "show", f"{v['amend'].sha}:drafts/accord.md") == TEXT.replace(
        "maintain", "strictly maintain"
    )
    assert v["sign_pk"].tree == v["forward2"].tree
    signers = git(table.path, "show", f"{v['amend'].sha}:allowed_signers").splitlines()
    assert all(' namespaces="git" ssh-ed25519 ' in line for line in signers)
    assert len(signers) == 4


def test_agreement_needs_every_party_and_the_quorum(table: Table) -> None:
    v = shuttle(table)
    store = Negotiation(table.path)
    assert is_agreed(store.history, v["forward2"].sha)
    assert not is_agreed(store.history, v["amend"].sha)
    assert verify(table.path).ok


def test_author_and_committer_name_the_actor_in_utc(table: Table) -> None:
    v = shuttle(table)["amend"]
    line = git(
        table.path, "show", "-s", "--format=%an <%ae> %ad|%cn <%ce>", "--date=raw", v.sha
    ).strip()
    author, committer = line.split("|")
    assert author.startswith(
        "Afghan Taliban authorities <afghanistan@5b0c3e2e-7d1f-4c1e-9a55-2f1d6b3a9c01>"
    )
    assert author.endswith("+0000")
    assert (
        committer == "Afghan Taliban authorities <afghanistan@5b0c3e2e-7d1f-4c1e-9a55-2f1d6b3a9c01>"
    )


def test_fsck_strict_is_clean(table: Table) -> None:
    shuttle(table)
    result = subprocess.run(
        ["git", "-C", str(table.path), "fsck", "--strict", "--no-dangling"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == ""


REFUSALS = [
    ("a party addressing a party", "route"),
    ("amending a version not addressed to you", "turn"),
    ("acting while the table is suspended", "suspended"),
    ("a party endorsing", "role-action"),
    ("a mediator signing", "role-action"),
    ("proposing a document that exists", "document-exists"),
    ("amending a version you already answered", "turn"),
    ("an unknown actor", "actor-unknown"),
    ("a draft over the size rule", "document-size"),
]


@pytest.mark.parametrize(("case", "rule"), REFUSALS, ids=[c for c, _ in REFUSALS])
def test_refused_actions_write_nothing(table: Table, case: str, rule: str) -> None:
    v = shuttle(table)
    if case == "acting while the table is suspended":
        table.act("pakistan", Action.WITHDRAW, "We leave", to=("qatar", "turkiye"))
    before = snapshot(table.path)
    with pytest.raises(PenholderError) as caught:
        if case == "a party addressing a party":
            table.amend("pakistan", v["forward2"], TEXT + "x", ("afghanistan",))
        elif case == "amending a version not addressed to you":
            table.amend("pakistan", v["forward"], TEXT + "x", ("qatar",))
        elif case == "acting while the table is suspended":
            table.on("qatar", Action.ENDORSE, v["amend"])
        elif case == "a party endorsing":
            table.on("pakistan", Action.ENDORSE, v["amend"])
        elif case == "a mediator signing":
            table.on("qatar", Action.SIGN, v["amend"])
        elif case == "proposing a document that exists":
            table.propose("afghanistan")
        elif case == "amending a version you already answered":
            table.amend("afghanistan", v["forward"], TEXT + "again", ("qatar",))
        elif case == "an unknown actor":
            table.keys["usa"] = table.keys["qatar"]
            table.act(
                "usa", Action.COMMENT, refers=(v["amend"].sha,), document="accord", to=("qatar",)
            )
        elif case == "a draft over the size rule":
            table.amend("pakistan", v["forward2"], "x" * 10_000_001, ("qatar",))
    assert caught.value.rule == rule
    assert snapshot(table.path) == before


def test_a_key_that_is_not_the_actors_is_refused(table: Table) -> None:
    v = shuttle(table)
    before = snapshot(table.path)
    table.keys["pakistan"] = table.keys["afghanistan"]
    with pytest.raises(PenholderError) as caught:
        table.on("pakistan", Action.COMMENT, v["amend"], to=("qatar",))
    assert caught.value.rule == "signature-key"
    assert snapshot(table.path) == before


def test_withdraw_and_resume(table: Table) -> None:
    v = shuttle(table)
    withdrawal = table.act("pakistan", Action.WITHDRAW, "We leave", to=("qatar", "turkiye"))
    table.on("qatar", Action.COMMENT, v["amend"], subject="Please come back", to=("pakistan",))
    resumption = table.act(
        "turkiye",
        Action.RESUME,
        "Talks resume",
        refers=(withdrawal.sha,),
        to=("pakistan", "afghanistan", "qatar"),
    )
    # Pakistan's own history holds its withdrawal: it acknowledges the resumption first.
    before = snapshot(table.path)
    with pytest.raises(PenholderError) as caught:
        table.propose("pakistan", doc="annex")
    assert caught.value.rule == "suspended"
    assert snapshot(table.path) == before
    table.act("pakistan", Action.RECEIPT, refers=(resumption.sha,))
    table.propose("pakistan", doc="annex")
    assert verify(table.path).ok


def test_retract_unanswered_draft_restores_the_head(table: Table) -> None:
    v = shuttle(table)
    draft = table.propose("pakistan", doc="annex")
    assert Negotiation(table.path).history.heads("annex") == [draft.sha]
    table.on("pakistan", Action.RETRACT, draft)
    assert Negotiation(table.path).history.heads("annex") == []
    assert Negotiation(table.path).history.heads("accord") == [v["forward2"].sha]
    assert verify(table.path).ok


def test_signatures_of_an_agreed_text_cannot_be_retracted(table: Table) -> None:
    v = shuttle(table)
    before = snapshot(table.path)
    with pytest.raises(PenholderError) as caught:
        table.on("pakistan", Action.RETRACT, v["sign_pk"])
    assert caught.value.rule == "retract"
    assert snapshot(table.path) == before


def test_round_numbers_follow_ancestry(table: Table) -> None:
    v = shuttle(table)
    opened = table.act(
        "turkiye",
        Action.ROUND,
        "Round 2",
        round_number=2,
        place="Istanbul",
        date="2025-10-25",
        to=("pakistan",),
    )
    assert opened.round == 2
    with pytest.raises(PenholderError) as caught:
        table.act("qatar", Action.ROUND, "Round 5", round_number=5, place="Doha", date="2025-11-01")
    assert caught.value.rule == "round-number"
    later = table.on("turkiye", Action.COMMENT, v["amend"], subject="note", to=("qatar",))
    assert later.round == 2
    assert verify(table.path).ok


def test_a_newer_version_addressed_to_you_supersedes_the_older(table: Table) -> None:
    proposal = table.propose()
    table.forward("qatar", proposal, ("afghanistan", "turkiye"))
    before = snapshot(table.path)
    with pytest.raises(PenholderError) as caught:
        table.amend("turkiye", proposal, TEXT + "x", ("qatar",))
    assert caught.value.rule == "turn"
    assert "newer" in caught.value.message
    assert snapshot(table.path) == before
