"""Roster changes take effect exactly as DESIGN.md's Trust section says, and revocation is
positional: each case asserts what verify reports and what the store refuses."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helpers import Table, git, shuttle, snapshot
from penholder.core.errors import PenholderError
from penholder.core.model import Action, Version
from penholder.core.store.negotiation import Negotiation, Request
from penholder.core.trust import sshsig
from penholder.core.trust.commit import RawCommit, ident
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.message import Trailers, build_message
from penholder.core.trust.roster import Actor, Roster, parse_roster
from penholder.core.views.verify import verify
from penholder.demo.keys import demo_private_key

UN_KEY = demo_private_key("un-observer")
PK_NEW = demo_private_key("pakistan-2026")


def line(key: Ed25519PrivateKey) -> str:
    return public_key_line(key.public_key())


def current(table: Table) -> Roster:
    return Negotiation(table.path).roster


def change(table: Table, new: Roster, by: str = "qatar") -> Version:
    return table.act(by, Action.ROSTER, "Roster change", roster=new)


def endorse_all(table: Table, roster_version: Version) -> tuple[Version, Version]:
    return (
        table.on("turkiye", Action.ENDORSE, roster_version),
        table.on("qatar", Action.ENDORSE, roster_version),
    )


def revoked_and_replaced(table: Table, actor: str, new: Ed25519PrivateKey) -> Roster:
    """The roster in force, with `actor`'s key revoked and `new` in its place."""
    roster = current(table)
    held = roster.actor(actor)
    assert held is not None
    return replace(
        roster,
        actors=tuple(replace(a, key=line(new)) if a.id == actor else a for a in roster.actors),
        revoked=((actor, held.key),),
    )


def join(table: Table, *versions: Version) -> Version:
    """Qatar receipts a version so that its history holds all the endorsements."""
    return table.act("qatar", Action.RECEIPT, refers=(versions[0].sha,))


def failures(path: Path) -> set[tuple[str, str]]:
    return {(f.sha, f.rule) for f in verify(path).failures}


def test_a_seated_actor_counts_only_once_the_roster_takes_effect(table: Table) -> None:
    shuttle(table)
    new = replace(
        current(table),
        actors=(*current(table).actors, Actor("un", "UN observer", "observer", line(UN_KEY))),
    )
    seat = change(table, new)
    table.keys["un"] = UN_KEY
    # Proof of possession: the new key receipts the roster version, judged by the new roster.
    proof = table.act("un", Action.RECEIPT, refers=(seat.sha,))
    before = snapshot(table.path)
    with pytest.raises(PenholderError) as caught:  # not in force yet for anything else
        table.act("un", Action.RECEIPT, refers=(git(table.path, "rev-parse", "pakistan").strip(),))
    assert caught.value.rule == "actor-unknown"
    assert snapshot(table.path) == before
    endorsed_tr = table.on("turkiye", Action.ENDORSE, seat)
    assert "un" not in {a.id for a in current(table).actors}  # one endorsement of two
    joined = table.act("qatar", Action.ENDORSE, refers=(seat.sha,))
    # No receipt of a receipt: qatar notes both endorsements in a comment the observer receipts.
    notice = table.act("qatar", Action.COMMENT, refers=(endorsed_tr.sha,), to=("turkiye",))
    assert notice.parents == (endorsed_tr.sha, joined.sha)
    table.act("un", Action.RECEIPT, refers=(notice.sha,))
    assert "un" in {a.id for a in current(table).actors}
    report = verify(table.path)
    assert report.ok, report.failures
    assert proof.sha in report.signatures and report.signatures[proof.sha] == "good"


def test_without_the_quorum_the_old_roster_rules(table: Table) -> None:
    v = shuttle(table)
    rotated = replace(
        current(table),
        actors=tuple(
            replace(a, key=line(PK_NEW)) if a.id == "pakistan" else a for a in current(table).actors
        ),
    )
    rotation = change(table, rotated)
    table.keys["pakistan"] = PK_NEW
    table.act("pakistan", Action.RECEIPT, refers=(rotation.sha,))
    table.on("qatar", Action.ENDORSE, rotation)
    # Only one mediator endorsed: pakistan's old key still rules, its new one is refused.
    before = snapshot(table.path)
    with pytest.raises(PenholderError) as caught:
        table.on("pakistan", Action.COMMENT, v["forward2"], to=("qatar",))
    assert caught.value.rule == "signature-key"
    assert snapshot(table.path) == before
    table.keys["pakistan"] = demo_private_key("pakistan")
    table.on("pakistan", Action.COMMENT, v["forward2"], to=("qatar",))
    assert verify(table.path).ok


def test_rotated_key_rules_after_the_rotation_takes_effect(table: Table) -> None:
    v = shuttle(table)
    rotated = replace(
        current(table),
        actors=tuple(
            replace(a, key=line(PK_NEW)) if a.id == "pakistan" else a for a in current(table).actors
        ),
    )
    rotation = change(table, rotated)
    old_key = table.keys["pakistan"]
    table.keys["pakistan"] = PK_NEW
    proof = table.act("pakistan", Action.RECEIPT, refers=(rotation.sha,))
    tr = table.on("turkiye", Action.ENDORSE, rotation)
    table.on("qatar", Action.ENDORSE, rotation)
    notice = table.act("qatar", Action.COMMENT, refers=(tr.sha,), to=("turkiye",))
    table.act("pakistan", Action.RECEIPT, refers=(notice.sha,))
    comment = table.on("pakistan", Action.COMMENT, v["forward2"], to=("qatar",))
    assert verify(table.path).ok
    # The old key no longer signs for pakistan where the rotation is in force.
    table.keys["pakistan"] = old_key
    with pytest.raises(PenholderError) as caught:
        table.on("pakistan", Action.COMMENT, v["forward2"], to=("turkiye",))
    assert caught.value.rule == "signature-key"
    assert proof.sha != comment.sha


def test_every_key_ever_valid_stays_in_allowed_signers(table: Table, tmp_path: Path) -> None:
    shuttle(table)
    rotated = replace(
        current(table),
        actors=tuple(
            replace(a, key=line(PK_NEW)) if a.id == "pakistan" else a for a in current(table).actors
        ),
    )
    rotation = change(table, rotated)
    signers = git(table.path, "show", f"{rotation.sha}:allowed_signers")
    assert line(demo_private_key("pakistan")) in signers and line(PK_NEW) in signers
    path = tmp_path / "signers"
    path.write_text(signers)
    for sha in git(table.path, "rev-list", "--all").split():
        result = subprocess.run(
            [
                "git",
                "-C",
                str(table.path),
                "-c",
                f"gpg.ssh.allowedSignersFile={path}",
                "verify-commit",
                sha,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_a_roster_change_may_not_rename_the_negotiation(table: Table) -> None:
    shuttle(table)
    before = snapshot(table.path)
    for bad in (
        replace(current(table), negotiation_id="0" * 8 + "-0000-0000-0000-" + "0" * 12),
        replace(current(table), title="Other talks"),
    ):
        with pytest.raises(PenholderError) as caught:
            change(table, bad)
        assert caught.value.rule == "roster-change"
    with pytest.raises(PenholderError) as caught:
        change(table, current(table), by="pakistan")
    assert caught.value.rule in {"role-action", "roster-change"}
    assert snapshot(table.path) == before


def test_revocation_is_positional(table: Table) -> None:
    v = shuttle(table)
    compromised = table.keys["afghanistan"]
    fresh = demo_private_key("afghanistan-2026")
    revoked = revoked_and_replaced(table, "afghanistan", fresh)
    # What qatar has seen of afghanistan is what stays valid: it takes in afghanistan's tip.
    table.on("qatar", Action.RECEIPT, v["sign_af"])
    revocation = change(table, revoked)
    table.keys["afghanistan"] = fresh
    table.act("afghanistan", Action.RECEIPT, refers=(revocation.sha,))
    endorse_all(table, revocation)
    assert verify(table.path).ok  # every earlier version by the old key is an ancestor
    # The thief, holding the old key, writes a version dated before the revocation on a side
    # branch (its parent is older than the revocation) and moves afghanistan's branch to it.
    repo = table.path
    negotiation = Negotiation(repo)
    old_tip = v["sign_af"]
    who = ident(
        "Afghan Taliban authorities",
        f"afghanistan@{negotiation.roster.negotiation_id}",
        old_tip.time + 1,
    )
    trailers = Trailers(
        negotiation.roster.negotiation_id,
        "comment",
        "afghanistan",
        ("qatar",),
        "accord",
        1,
        (v["forward2"].sha,),
    )
    forged = RawCommit(
        v["forward2"].tree,
        [v["forward2"].sha, git(repo, "rev-parse", "afghanistan").strip()],
        who,
        who,
        build_message("Backdated", "", trailers),
    )
    forged.signature = sshsig.sign(compromised, forged.payload())
    sha = git(repo, "hash-object", "-t", "commit", "-w", "--stdin", input=forged.to_bytes()).strip()
    git(repo, "update-ref", "refs/heads/afghanistan", sha)
    found = failures(repo)
    assert (sha, "revoked-key") in found
    assert not any(rule == "revoked-key" and s != sha for s, rule in found)
    # And the store refuses the old key outright.
    git(repo, "update-ref", "refs/heads/afghanistan", forged.parents[1])
    table.keys["afghanistan"] = compromised
    before = snapshot(repo)
    with pytest.raises(PenholderError) as caught:
        table.on("afghanistan", Action.COMMENT, v["forward2"], to=("qatar",))
    assert caught.value.rule in {"revoked-key", "signature-key"}
    assert snapshot(repo) == before


def test_the_writing_process_sees_its_own_roster_version(table: Table) -> None:
    shuttle(table)
    store = Negotiation(table.path)
    new = replace(
        store.roster,
        actors=(*store.roster.actors, Actor("un", "UN observer", "observer", line(UN_KEY))),
    )
    made = store.act(
        Request("qatar", Action.ROSTER, "Seat the UN", roster=new), table.keys["qatar"]
    )
    assert store.history.roster_carried_by(made.sha) == new
    assert store.history.added_actors(made.sha) == {"un"}


def test_a_revocation_whose_quorum_stood_on_separate_branches_cannot_be_retracted(
    table: Table,
) -> None:
    v = shuttle(table)
    fresh = demo_private_key("afghanistan-2026")
    revoked = revoked_and_replaced(table, "afghanistan", fresh)
    table.on("qatar", Action.RECEIPT, v["sign_af"])
    revocation = change(table, revoked)
    table.keys["afghanistan"] = fresh
    table.act("afghanistan", Action.RECEIPT, refers=(revocation.sha,))
    endorsed_tr, endorsed_qa = endorse_all(table, revocation)
    store = Negotiation(table.path)
    # No single version holds both endorsements and the receipt; the revocation holds anyway.
    assert revocation.sha in store.history.effective_anywhere()
    before = snapshot(table.path)
    with pytest.raises(PenholderError) as caught:
        table.act("turkiye", Action.RETRACT, refers=(endorsed_tr.sha,))
    assert caught.value.rule == "retract"
    assert snapshot(table.path) == before
    # A retract made from a view that lacked qatar's endorsement (as a hand-made commit could
    # be) is judged valid there, yet cannot revive the revoked key.
    retract = replace(
        endorsed_tr,
        sha="e" * 40,
        action=Action.RETRACT.value,
        refers=(endorsed_tr.sha,),
        parents=(endorsed_tr.sha,),
    )
    history = store.history
    assert history.in_effect_within(revocation.sha, retract.parents) is False
    history.add(retract)
    assert history.is_retracted(endorsed_tr.sha)
    assert revocation.sha in history.effective_anywhere()
    assert history.on_line(endorsed_qa.sha)


def test_a_key_spelled_another_way_is_refused_and_fails_verify(table: Table) -> None:
    """base64 decoders skip stray characters, so one key can be spelled many ways; every rule
    that compares keys compares lines, so only the canonical spelling is read at all."""
    shuttle(table)
    roster = current(table)
    af = roster.actor("afghanistan")
    assert af is not None
    kind, b64 = af.key.split()
    respelled = f"{kind} {b64[:12]}.{b64[12:]}"
    kabul = Actor("kabul", "Kabul", "party", respelled)
    removed = replace(roster, actors=(*(a for a in roster.actors if a.id != "afghanistan"), kabul))
    before = snapshot(table.path)
    with pytest.raises(PenholderError) as caught:
        change(table, removed)
    assert caught.value.rule == "key-format"
    assert snapshot(table.path) == before
    with pytest.raises(PenholderError) as parsed:
        parse_roster(removed.to_toml())
    assert "canonical" in str(parsed.value)


def test_an_actor_cannot_prove_a_new_key_that_would_void_its_own_signature(
    table: Table,
) -> None:
    """Qatar writes a revocation of pakistan's key without having taken in pakistan's
    signature; were pakistan to prove its new key, the revocation would take effect and void
    that signature (revocation is positional). Pakistan's proof is refused; a change that
    descends from the signature is accepted."""
    v = shuttle(table)
    revoking = revoked_and_replaced(table, "pakistan", PK_NEW)
    blind = change(table, revoking)
    table.keys["pakistan"] = PK_NEW
    before = snapshot(table.path)
    with pytest.raises(PenholderError) as caught:
        table.act("pakistan", Action.RECEIPT, refers=(blind.sha,))
    assert caught.value.rule == "revoked-key" and v["sign_pk"].sha[:10] in str(caught.value)
    assert snapshot(table.path) == before
    # The mediators take pakistan's signature in, then write the change again.
    table.on("qatar", Action.RECEIPT, v["sign_pk"])
    seen = change(table, replace(revoking, title=revoking.title))
    table.act("pakistan", Action.RECEIPT, refers=(seen.sha,))
    endorse_all(table, seen)
    assert verify(table.path).ok
