"""The attacks of the trust kernel's issue, end to end: commits crafted by hand with the demo's
published keys, put on a hub served by a real `git daemon` or carried in a real bundle. Each
must be named by `penholder verify` on the hub, refused by a peer's sync with its branch alone,
and leave the peer's copy — its refs, its objects, its agreed text — exactly as it was."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helpers import TEXT, Table, git, make_table, shuttle, snapshot
from penholder.core.errors import PenholderError
from penholder.core.model import Action, Version
from penholder.core.store.negotiation import Negotiation
from penholder.core.sync.exchange import bundle_import, clone, sync
from penholder.core.trust import sshsig
from penholder.core.trust.agreement import is_agreed
from penholder.core.trust.commit import RawCommit
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.message import Trailers, build_message
from penholder.core.trust.roster import Actor, Roster, allowed_signers_after
from penholder.core.views.verify import verify
from penholder.demo.keys import demo_private_key
from test_sync import CONVENER_FP, Daemon, cli_json, daemon, statuses

OBSERVER = demo_private_key("observer-1")
TEXT2 = TEXT.replace("maintain", "jointly maintain")

__all__ = ["daemon"]  # the module-scoped git daemon fixture, shared with test_sync


@dataclass(frozen=True)
class Scene:
    hub: Table
    v: dict[str, Version]
    peer: Path
    url: str

    @property
    def text(self) -> str:
        return self.v["forward2"].sha


@pytest.fixture
def scene(daemon: Daemon, tmp_path: Path, request: pytest.FixtureRequest) -> Scene:
    name = "e2e-" + "".join(c if c.isalnum() else "-" for c in request.node.name)
    hub = make_table(daemon.path(name))
    v = shuttle(hub)
    peer = tmp_path / "peer"
    clone(daemon.url(name), peer, CONVENER_FP)
    return Scene(hub, v, peer, daemon.url(name))


def forge(
    scene: Scene,
    actor: str,
    action: Action,
    *,
    parents: tuple[str, ...],
    refers: tuple[str, ...] = (),
    to: tuple[str, ...] = (),
    tree: str | None = None,
    key: Ed25519PrivateKey | None = None,
) -> str:
    """A commit made by hand, in Penholder's exact form, signed with the actor's demo key."""
    store = Negotiation(scene.hub.path)
    roster = store.roster
    who = roster.actor(actor)
    assert who is not None
    target = store.version(refers[0]) if refers else store.version(parents[0])
    ident = f"{who.name} <{actor}@{roster.negotiation_id}> {scene.hub.clock + 600} +0000"
    trailers = Trailers(
        negotiation=roster.negotiation_id,
        action=action.value,
        actor=actor,
        to=to,
        document=target.document if refers else None,
        round=1,
        refers=refers,
    )
    raw = RawCommit(
        tree or target.tree,
        list(parents),
        ident,
        ident,
        build_message(f"{actor} {action.value}", "", trailers),
    )
    signed = replace(raw, signature=sshsig.sign(key or scene.hub.keys[actor], raw.payload()))
    store.close()
    return git(
        scene.hub.path, "hash-object", "-t", "commit", "-w", "--stdin", input=signed.to_bytes()
    ).strip()


def hub_rules(scene: Scene, sha: str) -> set[str]:
    return {f.rule for f in verify(scene.hub.path).failures if f.sha == sha}


def peer_refuses(scene: Scene, branch: str, sha: str, rule: str) -> None:
    """The peer syncs: exactly `branch` is refused, naming `rule` at `sha`; nothing changes."""
    before = snapshot(scene.peer)
    code, out = cli_json("-C", str(scene.peer), "sync")
    assert code == 1
    found = statuses(out)
    assert found[branch] == "refused-verify", found
    assert all(s == "unchanged" for b, s in found.items() if b != branch), found
    branches = out["branches"]
    assert isinstance(branches, list)
    failures = next(b for b in branches if b["branch"] == branch)["failures"]
    assert (sha, rule) in {(f["sha"], f["rule"]) for f in failures}, failures
    assert snapshot(scene.peer) == before
    assert is_agreed(Negotiation(scene.peer, use_cache=False).history, scene.text)
    assert verify(scene.peer).ok


Attack = Callable[[Scene], tuple[str, str, str]]  # -> branch, sha, rule


def _retract_from_a_view_without_the_agreement(s: Scene) -> tuple[str, str, str]:
    sign = s.v["sign_pk"].sha  # pakistan's own tip: its line is kept
    return (
        "pakistan",
        forge(s, "pakistan", Action.RETRACT, parents=(sign,), refers=(sign,)),
        "retract",
    )


def _second_signature(s: Scene) -> tuple[str, str, str]:
    text, mine = s.v["forward2"].sha, s.v["sign_af"].sha
    sha = forge(s, "afghanistan", Action.SIGN, parents=(text, mine), refers=(text,))
    return "afghanistan", sha, "duplicate"


def _endorsement_by_a_party(s: Scene) -> tuple[str, str, str]:
    text, mine = s.v["forward2"].sha, s.v["sign_pk"].sha
    return (
        "pakistan",
        forge(s, "pakistan", Action.ENDORSE, parents=(text, mine), refers=(text,)),
        "role-action",
    )


def _signers_giving_one_actors_key_to_another(s: Scene) -> tuple[str, str, str]:
    """An honest roster change (it seats an observer) whose allowed_signers also gives
    turkiye's key to pakistan: git would then call turkiye's commits pakistan's."""
    store = Negotiation(s.hub.path)
    roster: Roster = store.roster
    tip = store.tips["qatar"]
    turkiye = roster.actor("turkiye")
    assert turkiye is not None
    observer = Actor("observer-1", "Observer", "observer", public_key_line(OBSERVER.public_key()))
    seated = replace(roster, actors=(*roster.actors, observer))
    signers = allowed_signers_after(git(s.hub.path, "show", f"{tip}:allowed_signers"), seated)
    signers += f'pakistan namespaces="git" {turkiye.key}\n'
    entries = [ln for ln in git(s.hub.path, "ls-tree", store.root.tree).splitlines() if ln]
    kept = [ln for ln in entries if ln.split("\t")[1] not in ("penholder.toml", "allowed_signers")]
    for name, data in (("penholder.toml", seated.to_toml()), ("allowed_signers", signers)):
        blob = git(s.hub.path, "hash-object", "-w", "--stdin", input=data.encode()).strip()
        kept.append(f"100644 blob {blob}\t{name}")
    tree = git(s.hub.path, "mktree", input="\n".join(kept).encode() + b"\n").strip()
    store.close()
    return "qatar", forge(s, "qatar", Action.ROSTER, parents=(tip,), tree=tree), "signers-derived"


ATTACKS: dict[str, Attack] = {
    "a retract of a signature of an agreed text, from a view without the agreement": (
        _retract_from_a_view_without_the_agreement
    ),
    "a second signature of one text": _second_signature,
    "an endorsement by a party": _endorsement_by_a_party,
    "allowed_signers giving turkiye's key to pakistan": _signers_giving_one_actors_key_to_another,
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_attack_on_the_hub_is_named_and_refused_by_the_peer(scene: Scene, name: str) -> None:
    branch, sha, rule = ATTACKS[name](scene)
    git(scene.hub.path, "update-ref", f"refs/heads/{branch}", sha)
    assert rule in hub_rules(scene, sha)
    peer_refuses(scene, branch, sha, rule)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_attack_in_a_bundle_is_refused(scene: Scene, tmp_path: Path, name: str) -> None:
    branch, sha, rule = ATTACKS[name](scene)
    git(scene.hub.path, "update-ref", f"refs/heads/{branch}", sha)
    bundle = tmp_path / "attack.bundle"
    git(scene.hub.path, "bundle", "create", str(bundle), "--branches")
    before = snapshot(scene.peer)
    report = bundle_import(scene.peer, bundle)
    found = statuses(report)
    assert found[branch] == "refused-verify", found
    refused = report.branch(branch)
    assert refused is not None and (sha, rule) in {(f.sha, f.rule) for f in refused.failures}
    assert snapshot(scene.peer) == before
    assert is_agreed(Negotiation(scene.peer, use_cache=False).history, scene.text)


def test_a_retract_that_leaves_out_its_actors_later_version_is_refused(scene: Scene) -> None:
    """Pakistan comments after signing, and the peer has seen it; a retract of the signature
    whose parents leave the comment out is a fork of pakistan's own line."""
    scene.hub.on("pakistan", Action.COMMENT, scene.v["forward2"], to=("qatar",))
    assert statuses(sync(scene.peer))["pakistan"] == "fast-forward"
    sign = scene.v["sign_pk"].sha
    retract = forge(scene, "pakistan", Action.RETRACT, parents=(sign,), refers=(sign,))
    git(scene.hub.path, "update-ref", "refs/heads/pakistan", retract)
    assert "retract" in hub_rules(scene, retract)
    before = snapshot(scene.peer)
    code, out = cli_json("-C", str(scene.peer), "sync")
    assert code == 1 and statuses(out)["pakistan"] == "refused-rewrite"
    assert snapshot(scene.peer) == before
    assert is_agreed(Negotiation(scene.peer, use_cache=False).history, scene.text)


def test_a_version_on_a_fork_past_its_actors_withdrawal_is_refused(scene: Scene) -> None:
    """Afghanistan withdraws and the peer sees it; a comment made from before the withdrawal is
    a fork of its line: the peer refuses it, and the hub's verify names the fork."""
    withdraw = scene.hub.act("afghanistan", Action.WITHDRAW, "We step back")
    assert statuses(sync(scene.peer))["afghanistan"] == "fast-forward"
    text = scene.v["forward2"].sha
    fork = forge(
        scene,
        "afghanistan",
        Action.COMMENT,
        parents=(text, scene.v["sign_af"].sha),
        refers=(text,),
        to=("qatar",),
    )
    # Qatar's receipt keeps the withdrawal on the hub; afghanistan's branch shows the fork.
    scene.hub.on("qatar", Action.RECEIPT, withdraw)
    git(scene.hub.path, "update-ref", "refs/heads/afghanistan", fork)
    rules = {f.rule for f in verify(scene.hub.path).failures if f.sha in (fork, withdraw.sha)}
    assert rules & {"own-tip", "branch-ancestry"}, rules
    code, out = cli_json("-C", str(scene.peer), "sync")
    assert code == 1 and statuses(out)["afghanistan"] == "refused-rewrite"
    assert statuses(out)["qatar"] == "fast-forward"  # the honest receipt lands beside it
    assert git(scene.peer, "rev-parse", "refs/heads/afghanistan").strip() == withdraw.sha
    assert verify(scene.peer).ok


def test_honest_work_beside_an_attack_still_lands(scene: Scene) -> None:
    branch, sha, _rule = _second_signature(scene)
    git(scene.hub.path, "update-ref", f"refs/heads/{branch}", sha)
    honest = scene.hub.on("qatar", Action.COMMENT, scene.v["forward2"], to=("pakistan",))
    report = sync(scene.peer)
    assert statuses(report)["qatar"] == "fast-forward"
    assert statuses(report)[branch] == "refused-verify"
    assert Negotiation(scene.peer, use_cache=False).tips["qatar"] == honest.sha
    assert verify(scene.peer).ok
    assert json.loads(json.dumps(report.to_json()))["branches"]


def _retracted_before_agreement(scene: Scene) -> tuple[str, str]:
    """Pakistan and afghanistan sign, qatar endorses, then pakistan takes its signature back:
    valid, nothing is agreed yet. Returns the text and the retract."""
    hub = scene.hub
    annex = hub.propose("pakistan", doc="annex", text=TEXT2)
    text = hub.forward("qatar", annex, ("afghanistan", "pakistan", "turkiye"))
    sign = hub.on("pakistan", Action.SIGN, text)
    hub.on("afghanistan", Action.SIGN, text)
    hub.on("qatar", Action.ENDORSE, text)
    retract = hub.on("pakistan", Action.RETRACT, sign)
    return text.sha, retract.sha


def test_the_store_will_not_complete_an_agreement_with_a_retracted_signature(
    scene: Scene,
) -> None:
    text, retract = _retracted_before_agreement(scene)
    before = snapshot(scene.hub.path)
    with pytest.raises(PenholderError) as caught:
        scene.hub.act("turkiye", Action.ENDORSE, refers=(text,), document="annex")
    assert caught.value.rule == "retract" and retract[:10] in str(caught.value)
    assert snapshot(scene.hub.path) == before
    assert verify(scene.hub.path).ok
    assert not is_agreed(Negotiation(scene.hub.path, use_cache=False).history, text)


def test_a_peer_refuses_an_endorsement_that_would_void_a_retract_it_holds(
    scene: Scene,
) -> None:
    """Turkiye endorses from a view without pakistan's retract (by hand, or on a machine that
    had not synced): the peer holding the retract refuses turkiye's branch, and stays whole."""
    text, retract = _retracted_before_agreement(scene)
    assert statuses(sync(scene.peer))["pakistan"] == "fast-forward"
    tip = Negotiation(scene.hub.path).tips["turkiye"]
    endorse = forge(scene, "turkiye", Action.ENDORSE, parents=(text, tip), refers=(text,))
    git(scene.hub.path, "update-ref", "refs/heads/turkiye", endorse)
    assert "retract" in hub_rules(scene, retract)  # on the hub, the agreement stands
    before = snapshot(scene.peer)
    code, out = cli_json("-C", str(scene.peer), "sync")
    assert code == 1 and statuses(out)["turkiye"] == "refused-verify", out
    branches = out["branches"]
    assert isinstance(branches, list)
    failures = next(b for b in branches if b["branch"] == "turkiye")["failures"]
    assert (retract, "retract") in {(f["sha"], f["rule"]) for f in failures}
    assert snapshot(scene.peer) == before
    assert verify(scene.peer).ok
