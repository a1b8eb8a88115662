"""The certificate's "verify it yourself" recipe, run with git and ssh-keygen alone, against
certificates an attacker has tampered with and histories an attacker has forged beside the
real one. Each tampering must make the recipe stop with NOT VERIFIED."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helpers import TEXT, Table, git, make_table, penholder
from penholder.core.model import Action, Version
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust import sshsig
from penholder.core.trust.commit import RawCommit, ident
from penholder.core.trust.keylines import fingerprint, public_key_line
from penholder.core.trust.message import Trailers, build_message
from penholder.core.trust.roster import Roster
from penholder.core.views.certificate import certify
from penholder.core.views.recipe import verification_script
from penholder.demo.keys import demo_private_key

PK_NEW = demo_private_key("pakistan-rotated")


@dataclass(frozen=True)
class Agreed:
    """A negotiation where pakistan's key was rotated, then a text agreed with the new key."""

    path: Path
    text: Version
    rotation: Version
    sign_pk: Version
    sign_af: Version
    endorse_qa: Version
    endorse_tr: Version
    receipt_pk: Version  # pakistan's receipt of the text: not a signature
    comment_af: Version  # afghanistan's comment on the text: not a signature
    script: str


def _rotate(table: Table) -> Version:
    roster = Negotiation(table.path).roster
    rotated = replace(
        roster,
        actors=tuple(
            replace(a, key=public_key_line(PK_NEW.public_key())) if a.id == "pakistan" else a
            for a in roster.actors
        ),
    )
    rotation = table.act("qatar", Action.ROSTER, "Rotate pakistan's key", roster=rotated)
    table.keys["pakistan"] = PK_NEW
    table.act("pakistan", Action.RECEIPT, refers=(rotation.sha,))
    tr = table.on("turkiye", Action.ENDORSE, rotation)
    table.on("qatar", Action.ENDORSE, rotation)
    notice = table.act("qatar", Action.COMMENT, refers=(tr.sha,), to=("turkiye",))
    table.act("pakistan", Action.RECEIPT, refers=(notice.sha,))
    return rotation


@pytest.fixture(scope="module")
def agreed(tmp_path_factory: pytest.TempPathFactory) -> Agreed:
    table = make_table(tmp_path_factory.mktemp("recipe") / "negotiation")
    rotation = _rotate(table)
    propose = table.propose()
    forward = table.forward("qatar", propose, ("afghanistan", "turkiye"))
    amend = table.amend(
        "afghanistan", forward, TEXT.replace("maintain", "strictly maintain"), ("qatar", "turkiye")
    )
    text = table.forward("turkiye", amend, ("pakistan", "afghanistan", "qatar"))
    receipt_pk = table.on("pakistan", Action.RECEIPT, text)
    comment_af = table.on("afghanistan", Action.COMMENT, text, to=("qatar",))
    sign_pk = table.on("pakistan", Action.SIGN, text)
    sign_af = table.on("afghanistan", Action.SIGN, text)
    endorse_qa = table.on("qatar", Action.ENDORSE, text)
    endorse_tr = table.on("turkiye", Action.ENDORSE, text)
    script = verification_script(certify(table.path, text.sha))
    return Agreed(
        table.path,
        text,
        rotation,
        sign_pk,
        sign_af,
        endorse_qa,
        endorse_tr,
        receipt_pk,
        comment_af,
        script,
    )


def run(script: str, repo: Path, work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", script],
        cwd=work.parent,
        env=dict(os.environ, N=str(repo), W=str(work)),
        capture_output=True,
        text=True,
        check=False,
    )


def refused(script: str, repo: Path, work: Path) -> str:
    """The recipe's complaint; fails the test if the recipe passed."""
    result = run(script, repo, work)
    assert result.returncode != 0, f"the recipe passed a forgery:\n{result.stdout}"
    assert "NOT VERIFIED" in result.stderr, result.stderr
    assert "certificate verified" not in result.stdout
    return result.stderr


def line_of(script: str, call: str, sha: str) -> str:
    found = [ln for ln in script.splitlines() if ln.strip().startswith(f"{call} {sha}")]
    assert len(found) == 1, (call, sha, found)
    return found[0]


def test_the_recipe_confirms_an_honest_certificate_after_a_key_rotation(
    agreed: Agreed, tmp_path: Path
) -> None:
    cert = certify(agreed.path, agreed.text.sha)
    pk = next(a for a in cert.signatures if a.actor == "pakistan")
    assert pk.fingerprint == fingerprint(PK_NEW.public_key())
    assert pk.roster == agreed.rotation.sha
    assert [r.sha for r in cert.rosters] == [agreed.rotation.sha]
    result = run(agreed.script, agreed.path, tmp_path / "w")
    assert result.returncode == 0, result.stderr
    assert "certificate verified" in result.stdout
    assert f"ok {agreed.sign_pk.sha}: Good" in result.stdout


def test_the_markdown_certificate_names_the_key_and_what_the_recipe_cannot_check(
    agreed: Agreed, tmp_path: Path
) -> None:
    out = tmp_path / "cert.md"
    made = penholder(agreed.path, "certificate", agreed.text.sha, "-o", str(out))
    assert made.returncode == 0, made.stderr
    page = out.read_text()
    assert fingerprint(PK_NEW.public_key()) in page
    assert "What they cannot check" in page
    assert "retract" in page  # the recipe cannot see retracts: the certificate says so


def _swap(agreed: Agreed, call: str, sha: str, new: str) -> str:
    old = line_of(agreed.script, call, sha)
    return agreed.script.replace(old, new)


Tamper = Callable[[Agreed], str]


def _receipt_as_signature(a: Agreed) -> str:
    old = line_of(a.script, "check_sign", a.sign_pk.sha)
    return a.script.replace(old, old.replace(a.sign_pk.sha, a.receipt_pk.sha))


def _comment_as_signature(a: Agreed) -> str:
    old = line_of(a.script, "check_sign", a.sign_af.sha)
    return a.script.replace(old, old.replace(a.sign_af.sha, a.comment_af.sha))


def _endorsement_as_signature(a: Agreed) -> str:
    old = line_of(a.script, "check_sign", a.sign_af.sha)
    new = line_of(a.script, "check_endorse", a.endorse_qa.sha).replace(
        "check_endorse", "check_sign"
    )
    return a.script.replace(old, new)


def _signature_as_endorsement(a: Agreed) -> str:
    old = line_of(a.script, "check_endorse", a.endorse_tr.sha)
    new = line_of(a.script, "check_sign", a.sign_pk.sha).replace("check_sign", "check_endorse")
    return a.script.replace(old, new)


def _one_signature_dropped(a: Agreed) -> str:
    return a.script.replace(line_of(a.script, "check_sign", a.sign_af.sha) + "\n", "")


def _one_endorsement_twice(a: Agreed) -> str:
    keep = line_of(a.script, "check_endorse", a.endorse_qa.sha)
    return a.script.replace(line_of(a.script, "check_endorse", a.endorse_tr.sha), keep)


def _old_key_claimed(a: Agreed) -> str:
    old = line_of(a.script, "check_sign", a.sign_pk.sha)
    root = Negotiation(a.path).root.sha
    old_print = fingerprint(demo_private_key("pakistan").public_key())
    parts = old.split()
    return a.script.replace(old, " ".join([*parts[:3], root, old_print]))


def _roster_from_the_texts_own_tree(a: Agreed) -> str:
    old = line_of(a.script, "check_sign", a.sign_pk.sha)
    parts = old.split()
    return a.script.replace(old, " ".join([*parts[:3], a.text.sha, parts[4]]))


def _roster_change_left_out(a: Agreed) -> str:
    lines = a.script.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("check_roster "))
    end = next(i for i, ln in enumerate(lines) if ln == "established")
    return "\n".join(lines[:start] + lines[end + 1 :]) + "\n"


def _other_text_blob(a: Agreed) -> str:
    other = git(a.path, "hash-object", "-w", "--stdin", input=b"# Accord\n\nsomething else\n")
    return re.sub(r"^BLOB=.*$", f"BLOB={other.strip()}", a.script, count=1, flags=re.M)


def _wrong_convener_key(a: Agreed) -> str:
    forged = fingerprint(demo_private_key("forger").public_key())
    return re.sub(r"^CONVENER_KEY=.*$", f"CONVENER_KEY={forged}", a.script, count=1, flags=re.M)


def _text_swapped_for_its_predecessor(a: Agreed) -> str:
    amend = a.text.refers[0]
    return re.sub(r"^TEXT=.*$", f"TEXT={amend}", a.script, count=1, flags=re.M)


TAMPERINGS: dict[str, Tamper] = {
    "a receipt listed as a signature": _receipt_as_signature,
    "a comment listed as a signature": _comment_as_signature,
    "an endorsement listed as a signature": _endorsement_as_signature,
    "a signature listed as an endorsement": _signature_as_endorsement,
    "a party's signature left out": _one_signature_dropped,
    "one mediator's endorsement counted twice": _one_endorsement_twice,
    "the rotated-out key claimed for a signature": _old_key_claimed,
    "a key taken from the certified text's own tree": _roster_from_the_texts_own_tree,
    "the roster change that put a key in force left out": _roster_change_left_out,
    "another text's blob": _other_text_blob,
    "another convener key": _wrong_convener_key,
    "the text swapped for the version it answers": _text_swapped_for_its_predecessor,
}


@pytest.mark.parametrize("name", sorted(TAMPERINGS))
def test_a_tampered_certificate_fails_the_recipe(agreed: Agreed, tmp_path: Path, name: str) -> None:
    script = TAMPERINGS[name](agreed)
    assert script != agreed.script
    refused(script, agreed.path, tmp_path / "w")


# A shadow history: commits an attacker writes on top of the real root with keys of its own,
# claiming to be the real actors, to make a text of its choosing look agreed.


def _commit(
    repo: Path,
    key: Ed25519PrivateKey,
    tree: str,
    parents: list[str],
    action: Action,
    actor: str,
    refers: tuple[str, ...] = (),
    document: str | None = None,
) -> str:
    trailers = Trailers(
        negotiation=Negotiation(repo).roster.negotiation_id,
        action=action.value,
        actor=actor,
        document=document,
        round=1,
        refers=refers,
        to=("qatar",) if action in (Action.PROPOSE,) else (),
    )
    who = ident(actor, f"{actor}@penholder.invalid", 1_761_500_000)
    raw = RawCommit(tree, parents, who, who, build_message(f"{actor} {action}", "", trailers))
    signed = replace(raw, signature=sshsig.sign(key, raw.payload()))
    return git(
        repo, "hash-object", "-t", "commit", "-w", "--stdin", input=signed.to_bytes()
    ).strip()


def _tree_with(repo: Path, base: str, files: dict[str, bytes]) -> str:
    entries = [ln for ln in git(repo, "ls-tree", base).splitlines() if ln]
    kept = [ln for ln in entries if ln.split("\t", 1)[1] not in files]
    for name, data in files.items():
        blob = git(repo, "hash-object", "-w", "--stdin", input=data).strip()
        kept.append(f"100644 blob {blob}\t{name}")
    return git(repo, "mktree", input="\n".join(kept).encode() + b"\n").strip()


@dataclass(frozen=True)
class Shadow:
    repo: Path
    roster: str  # the forged roster version
    text: str  # the forged text version
    attestations: dict[str, str]  # actor: sign or endorse sha
    keys: dict[str, Ed25519PrivateKey]


def _shadow(agreed: Agreed, work: Path) -> Shadow:
    repo = work / "hub.git"
    shutil.copytree(agreed.path, repo)
    real = Negotiation(repo)
    forged_keys = {a.id: demo_private_key(f"shadow-{a.id}") for a in real.roster.actors}
    forged: Roster = replace(
        real.roster,
        actors=tuple(
            replace(a, key=public_key_line(forged_keys[a.id].public_key()))
            for a in real.roster.actors
        ),
    )
    tip = real.tips["qatar"]
    base = git(repo, "rev-parse", f"{agreed.text.sha}^{{tree}}").strip()
    roster_tree = _tree_with(
        repo,
        base,
        {
            "penholder.toml": forged.to_toml().encode(),
            "allowed_signers": forged.allowed_signers().encode(),
        },
    )
    roster = _commit(repo, forged_keys["qatar"], roster_tree, [tip], Action.ROSTER, "qatar")
    text_tree = _tree_with(
        repo,
        roster_tree,
        {},
    )
    drafts = git(repo, "rev-parse", f"{agreed.text.sha}:drafts").strip()
    evil = git(repo, "hash-object", "-w", "--stdin", input=b"# Accord\n\nAll to the forger.\n")
    drafts_tree = git(repo, "mktree", input=f"100644 blob {evil.strip()}\taccord.md\n".encode())
    assert drafts
    entries = [ln for ln in git(repo, "ls-tree", text_tree).splitlines() if ln]
    entries = [ln for ln in entries if not ln.endswith("\tdrafts")]
    entries.append(f"040000 tree {drafts_tree.strip()}\tdrafts")
    text_tree = git(repo, "mktree", input="\n".join(entries).encode() + b"\n").strip()
    text = _commit(
        repo,
        forged_keys["pakistan"],
        text_tree,
        [roster],
        Action.PROPOSE,
        "pakistan",
        document="accord",
    )
    attestations = {}
    parent = text
    for actor, action in (
        ("pakistan", Action.SIGN),
        ("afghanistan", Action.SIGN),
        ("qatar", Action.ENDORSE),
        ("turkiye", Action.ENDORSE),
    ):
        parent = _commit(
            repo, forged_keys[actor], text_tree, [parent], action, actor, refers=(text,)
        )
        attestations[actor] = parent
    git(repo, "update-ref", "refs/heads/shadow", parent)
    real.close()
    return Shadow(repo, roster, text, attestations, forged_keys)


def _shadow_script(agreed: Agreed, shadow: Shadow, *, claim_roster: bool) -> str:
    """The honest certificate's recipe, rewritten to certify the shadow text."""
    lines = agreed.script.splitlines()
    head = [
        ln for ln in lines if not ln.startswith(("check_sign ", "check_endorse ", "check_text "))
    ]
    fp = {a: fingerprint(k.public_key()) for a, k in shadow.keys.items()}
    blob = git(shadow.repo, "rev-parse", f"{shadow.text}:drafts/accord.md").strip()
    head = [
        f"TEXT={shadow.text}" if ln.startswith("TEXT=") else ln
        for ln in (f"BLOB={blob}" if ln.startswith("BLOB=") else ln for ln in head)
    ]
    at = head.index("check_revocations")
    facts = []
    if claim_roster:
        facts += [
            f"check_roster {shadow.roster} qatar {Negotiation(agreed.path).root.sha} {fp['qatar']}",
            "established",
        ]
    facts.append(f"check_text pakistan {shadow.roster} {fp['pakistan']}")
    for actor, sha in shadow.attestations.items():
        kind = "check_sign" if actor in ("pakistan", "afghanistan") else "check_endorse"
        facts.append(f"{kind} {sha} {actor} {shadow.roster} {fp[actor]}")
    return "\n".join(head[:at] + facts + head[at:]) + "\n"


@pytest.mark.parametrize("claim_roster", [True, False], ids=["roster-claimed", "roster-assumed"])
def test_a_shadow_history_on_the_real_root_with_forged_keys_fails(
    agreed: Agreed, tmp_path: Path, claim_roster: bool
) -> None:
    shadow = _shadow(agreed, tmp_path)
    complaint = refused(
        _shadow_script(agreed, shadow, claim_roster=claim_roster), shadow.repo, tmp_path / "w"
    )
    assert shadow.roster in complaint


def test_a_replace_ref_cannot_turn_a_receipt_into_a_signature(
    agreed: Agreed, tmp_path: Path
) -> None:
    repo = tmp_path / "hub.git"
    shutil.copytree(agreed.path, repo)
    # The forged object: pakistan's real signature, presented where its receipt stands.
    git(repo, "replace", agreed.receipt_pk.sha, agreed.sign_pk.sha)
    script = _receipt_as_signature(agreed)
    complaint = refused(script, repo, tmp_path / "w")
    assert agreed.receipt_pk.sha in complaint


@pytest.mark.corrupts_store  # fsck warns of the grafts file we plant
def test_a_grafted_clone_is_refused(agreed: Agreed, tmp_path: Path) -> None:
    repo = tmp_path / "hub.git"
    shutil.copytree(agreed.path, repo)
    (repo / "info").mkdir(exist_ok=True)
    (repo / "info" / "grafts").write_text(f"{agreed.text.sha}\n")
    assert "grafts" in refused(agreed.script, repo, tmp_path / "w")


def test_a_shallow_clone_is_refused(agreed: Agreed, tmp_path: Path) -> None:
    clone = tmp_path / "shallow.git"
    subprocess.run(
        [
            "git",
            "clone",
            "--quiet",
            "--bare",
            "--depth=1",
            "--no-single-branch",
            f"file://{agreed.path}",
            str(clone),
        ],
        check=True,
        capture_output=True,
    )
    assert "shallow" in refused(agreed.script, clone, tmp_path / "w")
