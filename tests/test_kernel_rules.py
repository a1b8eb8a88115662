"""The trust kernel, rule by rule, with no I/O in what is tested: a history is built once
through the real store, then every case hands the kernel facts (versions, trees, rosters) and
reads its verdict. Each refusal also asserts that the trusted state — the history's versions,
its actors' lines, the rosters in effect, what is agreed — is exactly what it was."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from helpers import Table, make_table, shuttle
from penholder.core.model import Action, Version
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.agreement import agreement, is_agreed
from penholder.core.trust.history import History
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.roster import Actor, Roster, allowed_signers_after
from penholder.core.trust.rosters import check_key_owners, check_roster_change, roster_for
from penholder.core.trust.rules import RULE_TEXT, Rule
from penholder.core.trust.tips import (
    branch_findings,
    retract_findings,
    retracts_voided_by,
    revocation_findings,
)
from penholder.core.trust.versions import TreeFacts, check_version
from penholder.demo.keys import demo_private_key


@dataclass(frozen=True)
class World:
    """An honest shuttle to an agreed text, as the kernel sees it."""

    history: History
    trees: dict[str, TreeFacts]
    v: dict[str, Version]
    root: Version


def _world(table: Table) -> World:
    v = shuttle(table)
    store = Negotiation(table.path, use_cache=False)
    history = store.history
    trees = {x.tree: store.tree_facts(x.tree) for x in history.versions_in_order()}
    root = history.version(history.root or "")
    store.close()
    return World(history, trees, v, root)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return _world(make_table(tmp_path_factory.mktemp("kernel") / "negotiation"))


def fake_sha(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()


def new_version(
    world: World,
    actor: str,
    action: Action,
    *,
    parents: tuple[str, ...],
    refers: tuple[str, ...] = (),
    to: tuple[str, ...] = (),
    document: str | None = None,
    tree: str | None = None,
    round: int = 1,
    within: History | None = None,
    **changes: object,
) -> Version:
    """A version as a writer would make it, signed identity and all (the kernel gets facts);
    what it refers to is looked up in `within` (default: the world's history)."""
    like = next(x for x in world.history.versions_in_order() if x.actor == actor)
    target = (within or world.history).version(refers[0]) if refers else None
    v = Version(
        sha=fake_sha(actor, action, parents, refers, to, document, tree, round, changes),
        parents=parents,
        tree=tree or (target.tree if target else world.root.tree),
        actor=actor,
        action=action.value,
        to=to,
        document=document if document is not None else (target.document if target else None),
        round=round,
        refers=refers,
        negotiation=world.root.negotiation,
        place=None,
        date=None,
        subject=f"{actor} {action.value}",
        note="",
        time=like.time + 10_000,
        author=like.author,
        committer=like.committer,
    )
    return replace(v, **changes)  # type: ignore[arg-type]


def trusted_state(history: History) -> tuple[object, ...]:
    """What a refusal must leave exactly as it was."""
    texts = [v.sha for v in history.versions_in_order() if v.is_text]
    rosters = [history.root_roster, *map(history.roster_carried_by, history.roster_changes())]
    keys = sorted({a.key for r in rosters if r is not None for a in r.actors})
    return (
        tuple(history.shas_in_order()),
        tuple(sorted(history.line_tips().items())),
        tuple(s for s in history.shas_in_order() if history.on_line(s)),
        tuple(history.effective_anywhere()),
        tuple(history.withdrawals()),
        tuple((key, history.owner_of_key(key)) for key in keys),
        tuple(is_agreed(history, t) for t in texts),
    )


def judge(
    world: World,
    v: Version,
    *,
    history: History | None = None,
    trees: dict[str, TreeFacts] | None = None,
) -> set[str]:
    """The rules `v` breaks, asserting that judging it changed nothing."""
    h = history or world.history
    before = trusted_state(h)
    violations = check_version(v, h, roster_for(v, h), trees or world.trees)
    assert trusted_state(h) == before
    return {x.rule for x in violations}


def history_of(world: World, versions: Iterable[Version]) -> History:
    """A history of exactly these versions (in order), each with the roster it carries."""
    h = History(world.history.root_roster)
    for x in versions:
        h.add(x, roster=world.history.root_roster if x.sha == world.root.sha else None)
    return h


def without(world: World, *names: str) -> list[Version]:
    dropped = {world.v[n].sha for n in names}
    return [x for x in world.history.versions_in_order() if x.sha not in dropped]


# --- the honest case -------------------------------------------------------------------------


def test_every_version_of_an_honest_history_keeps_every_rule(world: World) -> None:
    h = History(world.history.root_roster)
    for x in world.history.versions_in_order():
        sha = x.sha
        carried = world.history.root_roster if sha == world.root.sha else None
        assert not check_version(x, h, roster_for(x, h), world.trees, carried_roster=carried)
        h.add(x, roster=carried)
    assert is_agreed(h, world.v["forward2"].sha)


def _comment(world: World, **changes: object) -> Version:
    """Pakistan comments on the agreed text, from its own latest version: honest."""
    v = world.v
    base = new_version(
        world,
        "pakistan",
        Action.COMMENT,
        parents=(v["forward2"].sha, v["sign_pk"].sha),
        refers=(v["forward2"].sha,),
        to=("qatar",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_honest_twin_of_every_refused_comment_passes(world: World) -> None:
    assert judge(world, _comment(world)) == set()


# --- one version against its ancestors: each case names the rule it must break -------------

Case = Callable[[World], Version]

COMMENT_CASES: dict[str, tuple[Rule, dict[str, object]]] = {
    "another negotiation": (Rule.NEGOTIATION_ID, {"negotiation": "another"}),
    "an action no one knows": (Rule.ACTION_UNKNOWN, {"action": "bribe"}),
    "an actor not on the roster": (Rule.ACTOR_UNKNOWN, {"actor": "mallory"}),
    "an author that is not the actor": (
        Rule.AUTHOR,
        {"author": "Mallory <mallory@x> 1761400000 +0000"},
    ),
    "a local time zone": (
        Rule.AUTHOR,
        {"author": "x <y> 1761400000 +0200", "committer": "x <y> 1761400000 +0200"},
    ),
    "a recipient not on the roster": (Rule.RECIPIENT_UNKNOWN, {"to": ("mallory",)}),
    "a party addressing a party": (Rule.ROUTE, {"to": ("afghanistan",)}),
    "a recipient named twice": (Rule.ROUTE, {"to": ("qatar", "qatar")}),
    "no referred version": (Rule.REFERS_COUNT, {"refers": ()}),
    "a version not in the negotiation": (Rule.REFERS_MISSING, {"refers": ("f" * 40,)}),
    "parents in the wrong order": (Rule.REFERS_PARENTS, {"parents_swapped": True}),
    "another round": (Rule.ROUND, {"round": 2}),
    "another tree": (Rule.TREE_CHANGED, {"tree_of": "propose"}),
    "another document": (Rule.DOCUMENT_NAME, {"document": "other"}),
    "its own previous version left out": (Rule.OWN_TIP, {"parents_own_tip": False}),
    "no parents": (Rule.ROOT, {"parents": ()}),
}


@pytest.mark.parametrize("name", sorted(COMMENT_CASES))
def test_a_comment_that_breaks_one_rule_is_refused_by_that_rule(world: World, name: str) -> None:
    rule, changes = COMMENT_CASES[name]
    changes = dict(changes)
    honest = _comment(world)
    if changes.pop("parents_swapped", False):
        changes["parents"] = honest.parents[::-1]
    if not changes.pop("parents_own_tip", True):
        changes["parents"] = honest.parents[:1]
    tree_of = changes.pop("tree_of", None)
    if isinstance(tree_of, str):
        changes["tree"] = world.v[tree_of].tree
    assert rule in judge(world, replace(honest, **changes))  # type: ignore[arg-type]


def _tips(world: World) -> dict[str, str]:
    return world.history.line_tips()


def _on(world: World, actor: str, action: Action, target: str, **kw: object) -> Version:
    tip = _tips(world)[actor]
    sha = world.v[target].sha
    parents = (sha,) if world.history.is_ancestor(tip, sha) else (sha, tip)
    return new_version(world, actor, action, parents=parents, refers=(sha,), **kw)  # type: ignore[arg-type]


def _round(world: World, **changes: object) -> Version:
    """Qatar opens round 2 in Istanbul from its own latest version: honest unless changed."""
    honest = new_version(
        world,
        "qatar",
        Action.ROUND,
        parents=(_tips(world)["qatar"],),
        round=2,
        place="Istanbul",
        date="2025-10-25",
    )
    return replace(honest, **changes)  # type: ignore[arg-type]


ACTION_CASES: dict[str, tuple[Rule, Case]] = {
    "a mediator signs": (Rule.ROLE_ACTION, lambda w: _on(w, "qatar", Action.SIGN, "forward2")),
    "a party endorses": (
        Rule.ROLE_ACTION,
        lambda w: _on(w, "pakistan", Action.ENDORSE, "forward2"),
    ),
    "a second signature of one text": (
        Rule.DUPLICATE,
        lambda w: _on(w, "pakistan", Action.SIGN, "forward2"),
    ),
    "a second endorsement of one text": (
        Rule.DUPLICATE,
        lambda w: _on(w, "qatar", Action.ENDORSE, "forward2"),
    ),
    "a receipt of a receipt": (
        Rule.DUPLICATE,
        lambda w: _on(w, "turkiye", Action.RECEIPT, "receipt"),
    ),
    "a signature of a receipt": (
        Rule.REFERS_KIND,
        lambda w: _on(w, "pakistan", Action.SIGN, "receipt"),
    ),
    "a retract of another actor's signature": (
        Rule.RETRACT,
        lambda w: _on(w, "pakistan", Action.RETRACT, "sign_af"),
    ),
    "an amendment of a text not addressed to the actor": (
        Rule.TURN,
        lambda w: _on(
            w,
            "pakistan",
            Action.AMEND,
            "forward",
            to=("qatar",),
            tree=w.v["amend"].tree,
        ),
    ),
    "an amendment of a text already answered": (
        Rule.TURN,
        lambda w: _on(
            w, "afghanistan", Action.AMEND, "forward2", to=("qatar",), tree=w.v["amend"].tree
        ),
    ),
    "a second proposal of one document": (
        Rule.DOCUMENT_EXISTS,
        lambda w: new_version(
            w,
            "pakistan",
            Action.PROPOSE,
            parents=(_tips(w)["pakistan"],),
            to=("qatar",),
            document="accord",
            tree=w.v["propose"].tree,
        ),
    ),
    "a round that skips a number": (Rule.ROUND_NUMBER, lambda w: _round(w, round=3)),
    "a round without a place": (Rule.ROUND_NUMBER, lambda w: _round(w, place=None, date=None)),
    "a round that carries a draft": (
        Rule.TREE_SHAPE,
        lambda w: _round(w, tree=w.v["forward2"].tree),
    ),
    "a resume of what is not a withdrawal": (
        Rule.REFERS_KIND,
        lambda w: _on(w, "pakistan", Action.RESUME, "propose", document=None, tree=w.root.tree),
    ),
}


@pytest.mark.parametrize("name", sorted(ACTION_CASES))
def test_an_action_that_breaks_one_rule_is_refused_by_that_rule(world: World, name: str) -> None:
    rule, build = ACTION_CASES[name]
    assert rule in judge(world, build(world))


def test_a_round_with_its_place_and_date_passes(world: World) -> None:
    assert judge(world, _round(world)) == set()


def test_a_tree_whose_roster_files_differ_from_the_parent_is_refused(world: World) -> None:
    fake = "7" * 40
    trees = {**world.trees, fake: TreeFacts(fake, "8" * 40, "9" * 40, ())}
    honest = _round(world)
    assert Rule.ROSTER_CHANGED in judge(world, replace(honest, tree=fake), trees=trees)
    assert Rule.TREE_SHAPE in judge(world, replace(honest, tree="6" * 40))


def test_a_draft_over_the_size_limit_is_refused(world: World) -> None:
    amend = world.trees[world.v["amend"].tree]
    fake = "5" * 40
    huge = world.history.root_roster
    assert huge is not None
    big = tuple((n, b, huge.rules.max_draft_bytes + 1) for n, b, _ in amend.documents)
    trees = {**world.trees, fake: replace(amend, sha=fake, documents=big)}
    v = _on(world, "qatar", Action.AMEND, "forward2", to=("turkiye",), tree=fake)
    assert Rule.DOCUMENT_SIZE in judge(world, v, trees=trees)


def catch_up(world: World, h: History, actor: str, *names: str) -> str:
    """The actor receipts each named version in turn, so that its line sees them all; returns
    its new tip."""
    tip = h.line_tip(actor)
    for name in names:
        target = world.v[name].sha
        receipt = new_version(world, actor, Action.RECEIPT, parents=(target, tip), refers=(target,))
        assert judge(world, receipt, history=h) == set()
        h.add(receipt)
        tip = receipt.sha
    return tip


@pytest.mark.parametrize(
    ("actor", "attestation", "seen"),
    [
        ("pakistan", "sign_pk", ("sign_af", "endorse_qa", "endorse_tr")),
        ("turkiye", "endorse_tr", ("sign_pk", "sign_af", "endorse_qa")),
    ],
)
def test_a_retract_of_an_attestation_of_a_text_agreed_in_its_view_is_refused(
    world: World, actor: str, attestation: str, seen: tuple[str, ...]
) -> None:
    h = copy.deepcopy(world.history)
    tip = catch_up(world, h, actor, *seen)
    target = world.v[attestation].sha
    retract = new_version(world, actor, Action.RETRACT, parents=(target, tip), refers=(target,))
    assert Rule.RETRACT in judge(world, retract, history=h)


# --- suspension: a withdrawal stops the table on every branch that sees it -----------------


def test_a_party_under_its_own_withdrawal_may_not_amend(world: World) -> None:
    before = without(world, "amend", "forward2", "receipt", "sign_pk", "sign_af")
    before = [x for x in before if not x.action.startswith("endorse")]
    h = history_of(world, before)
    forward = world.v["forward"]
    withdraw = new_version(
        world, "afghanistan", Action.WITHDRAW, parents=(forward.sha,), tree=world.root.tree
    )
    amend = world.v["amend"]
    assert judge(world, amend, history=h) == set()  # before the withdrawal: honest
    h.add(withdraw)
    under = replace(amend, sha=fake_sha("under"), parents=(forward.sha, withdraw.sha))
    assert Rule.SUSPENDED in judge(world, under, history=h)
    # Leaving the withdrawal out of its parents is acting from a forked view of its own line.
    forked = replace(amend, sha=fake_sha("forked"))
    assert Rule.OWN_TIP in judge(world, forked, history=h)
    again = new_version(
        world, "afghanistan", Action.WITHDRAW, parents=(withdraw.sha,), tree=world.root.tree
    )
    assert Rule.WITHDRAW in judge(world, again, history=h)


# --- agreement: a text is agreed by the roster in force at it, counted once per actor -------


def test_a_retract_written_from_a_view_that_hides_the_agreement_is_still_refused(
    world: World,
) -> None:
    """Pakistan signed first; a retract whose only parent is that signature sees no agreement,
    so the version rules pass it in its view. The whole history shows the text is agreed: the
    retract is refused there, and the text stays agreed."""
    h = copy.deepcopy(world.history)
    sign = world.v["sign_pk"].sha
    retract = new_version(world, "pakistan", Action.RETRACT, parents=(sign,), refers=(sign,))
    judge(world, retract, history=h)
    h.add(retract)
    before = trusted_state(h)
    found = retract_findings(h)
    assert [(f.sha, f.rule) for f in found] == [(retract.sha, Rule.RETRACT)]
    assert trusted_state(h) == before
    assert is_agreed(h, world.v["forward2"].sha)
    assert retract_findings(world.history) == []


def test_one_endorsement_short_is_not_agreed(world: World) -> None:
    h = history_of(world, without(world, "endorse_tr"))
    found = agreement(h, world.v["forward2"].sha)
    assert not found.agreed
    assert found.missing_endorsements == 1


@pytest.mark.parametrize(
    ("endorser", "rule"),
    [("qatar", Rule.DUPLICATE), ("pakistan", Rule.ROLE_ACTION)],
    ids=["a mediator's second endorsement", "a party's endorsement"],
)
def test_an_endorsement_that_breaks_a_rule_never_counts(
    world: World, endorser: str, rule: Rule
) -> None:
    """One mediator's endorsement short of agreement: neither a second one by the same
    mediator nor one by a party makes up for it, even taken into the history."""
    h = history_of(world, without(world, "endorse_tr"))
    extra = _on(world, endorser, Action.ENDORSE, "forward2")
    assert rule in judge(world, extra, history=h)
    h.add(extra)
    assert not is_agreed(h, world.v["forward2"].sha)


def test_a_signature_retracted_before_agreement_does_not_count(world: World) -> None:
    h = history_of(world, without(world, "endorse_qa", "endorse_tr"))
    retract = new_version(
        world,
        "afghanistan",
        Action.RETRACT,
        parents=(world.v["sign_af"].sha,),
        refers=(world.v["sign_af"].sha,),
    )
    assert judge(world, retract, history=h) == set()
    h.add(retract)
    # The mediators endorse having seen the retract: afghanistan's signature no longer stands.
    text = world.v["forward2"].sha
    last = retract.sha
    for mediator in ("qatar", "turkiye"):
        receipt = new_version(
            world,
            mediator,
            Action.RECEIPT,
            parents=(last, h.line_tip(mediator)),
            refers=(last,),
            within=h,
        )
        h.add(receipt)
        endorse = new_version(
            world, mediator, Action.ENDORSE, parents=(text, receipt.sha), refers=(text,)
        )
        assert judge(world, endorse, history=h) == set()
        h.add(endorse)
        last = endorse.sha
    found = agreement(h, world.v["forward2"].sha)
    assert not found.agreed and found.missing_signs == ("afghanistan",)


# --- rosters: what a change may do, and who owns a key ----------------------------------------


def _roster(world: World) -> Roster:
    roster = world.history.root_roster
    assert roster is not None
    return roster


def _signers(world: World) -> str:
    return _roster(world).allowed_signers()


def _change(world: World, new: Roster) -> set[str]:
    old = _roster(world)
    return {
        x.rule
        for x in check_roster_change(
            old, new, _signers(world), allowed_signers_after(_signers(world), new)
        )
    }


NEW_KEY = public_key_line(demo_private_key("kernel-new").public_key())


def test_an_honest_roster_change_passes(world: World) -> None:
    old = _roster(world)
    seated = replace(old, actors=(*old.actors, Actor("un", "UN", "observer", NEW_KEY)))
    assert _change(world, seated) == set()
    assert check_key_owners(world.history, (_tips(world)["qatar"],), seated) == []


ROSTER_CASES: dict[str, tuple[Rule, Callable[[Roster], Roster]]] = {
    "renames the negotiation": (Rule.ROSTER_CHANGE, lambda r: replace(r, negotiation_id="x")),
    "changes the convener": (Rule.ROSTER_CHANGE, lambda r: replace(r, convener="turkiye")),
    "leaves no mediator": (
        Rule.ROSTER_CHANGE,
        lambda r: replace(r, actors=tuple(a for a in r.actors if a.role != "mediator")),
    ),
    "changes nothing": (Rule.ROSTER_CHANGE, lambda r: r),
    "seats a revoked key": (
        Rule.KEY_OWNER,
        lambda r: replace(
            r,
            revoked=(("pakistan", NEW_KEY),),
            actors=(*r.actors, Actor("un", "UN", "observer", NEW_KEY)),
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(ROSTER_CASES))
def test_a_roster_change_that_breaks_a_rule_is_refused(world: World, name: str) -> None:
    rule, build = ROSTER_CASES[name]
    before = trusted_state(world.history)
    assert rule in _change(world, build(_roster(world)))
    assert trusted_state(world.history) == before


def test_allowed_signers_must_be_derived_byte_for_byte(world: World) -> None:
    old = _roster(world)
    new = replace(old, actors=(*old.actors, Actor("un", "UN", "observer", NEW_KEY)))
    pk = old.actor("pakistan")
    tr = old.actor("turkiye")
    assert pk is not None and tr is not None
    derived = allowed_signers_after(_signers(world), new)
    for forged in (
        derived + f'pakistan namespaces="git" {tr.key}\n',  # turkiye's key under pakistan's name
        derived.replace("un namespaces", "qatar namespaces"),
        derived.rstrip("\n"),
        derived.replace('namespaces="git"', 'namespaces="git,file"', 1),
        "".join(reversed(derived.splitlines(keepends=True))),
    ):
        rules = {x.rule for x in check_roster_change(old, new, _signers(world), forged)}
        assert Rule.SIGNERS_DERIVED in rules, forged


def test_a_key_belongs_to_one_actor_for_the_life_of_the_negotiation(world: World) -> None:
    old = _roster(world)
    pk = old.actor("pakistan")
    assert pk is not None
    before = trusted_state(world.history)
    parents = (_tips(world)["qatar"],)
    # pakistan's key seated under a new id, with pakistan still on the roster or removed
    for new in (
        replace(old, actors=(*old.actors, Actor("pk2", "Pakistan 2", "party", pk.key))),
        replace(
            old,
            actors=(
                *(a for a in old.actors if a.id != "pakistan"),
                Actor("pk2", "Pakistan 2", "party", pk.key),
            ),
        ),
    ):
        assert Rule.KEY_OWNER in {x.rule for x in check_key_owners(world.history, parents, new)}
    assert trusted_state(world.history) == before


# --- whole-history rules: branches, revocation --------------------------------------------------


def test_a_branch_must_point_at_its_owners_good_version(world: World) -> None:
    tips = _tips(world)
    good = dict.fromkeys(world.history.shas_in_order(), True)
    assert branch_findings(tips, world.history, good) == []
    moved = {**tips, "pakistan": world.v["sign_af"].sha}
    assert {f.rule for f in branch_findings(moved, world.history, good)} >= {Rule.BRANCH_TIP}
    junk = {**tips, "mallory": world.v["sign_af"].sha}
    assert Rule.BRANCH_UNKNOWN in {f.rule for f in branch_findings(junk, world.history, good)}
    unsigned = {**good, tips["pakistan"]: False}
    assert Rule.BRANCH_TIP in {f.rule for f in branch_findings(tips, world.history, unsigned)}


def test_a_version_off_its_actors_branch_is_found(world: World) -> None:
    tips = {**_tips(world), "pakistan": world.v["propose"].sha}
    good = dict.fromkeys(world.history.shas_in_order(), True)
    found = {(f.sha, f.rule) for f in branch_findings(tips, world.history, good)}
    assert (world.v["sign_pk"].sha, Rule.BRANCH_ANCESTRY) in found


def test_nothing_is_revoked_in_an_honest_history(world: World) -> None:
    keys = {v.sha: "key-" + v.actor for v in world.history.versions_in_order()}
    assert revocation_findings(world.history, keys, {}) == []


def test_every_rule_has_its_one_line(world: World) -> None:
    assert set(RULE_TEXT) == set(Rule)
    assert all(text and "\n" not in text for text in RULE_TEXT.values())


def test_the_kernel_does_no_io() -> None:
    import ast

    root = Path(__file__).resolve().parent.parent / "src" / "penholder" / "core" / "trust"
    banned = {"subprocess", "os", "pathlib", "git", "socket", "io", "shutil", "tempfile"}
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                top = name.split(".")[0]
                assert top not in banned, f"{path.name} imports {name}"
                assert not name.startswith(
                    ("penholder.core.store", "penholder.core.views", "penholder.core.sync")
                ), f"{path.name} imports {name}"


def test_a_writer_may_not_complete_an_agreement_that_voids_a_retract_it_holds(
    world: World,
) -> None:
    h = history_of(world, without(world, "endorse_tr"))
    sign = world.v["sign_pk"].sha
    retract = new_version(world, "pakistan", Action.RETRACT, parents=(sign,), refers=(sign,))
    assert judge(world, retract, history=h) == set()
    h.add(retract)
    endorse = world.v["endorse_tr"]
    assert judge(world, endorse, history=h) == set()  # valid in its own view
    before = trusted_state(h)
    refused = retracts_voided_by(h, endorse)
    assert [v.rule for v in refused] == [Rule.RETRACT]
    assert trusted_state(h) == before
    # Without the retract, the same endorsement completes the agreement: nothing to refuse.
    assert retracts_voided_by(history_of(world, without(world, "endorse_tr")), endorse) == []


def test_nothing_may_refer_to_a_version_penholder_cannot_read(world: World) -> None:
    """A commit the parser refuses is kept in the history as a placeholder (its parents, no
    action): acting on it — a comment, a receipt — is refused."""
    h = copy.deepcopy(world.history)
    tip = h.line_tip("pakistan")
    unreadable = replace(
        new_version(world, "pakistan", Action.COMMENT, parents=(tip,)), action="", actor=""
    )
    h.add(unreadable, signed=False)
    comment = new_version(
        world,
        "qatar",
        Action.COMMENT,
        parents=(unreadable.sha, h.line_tip("qatar")),
        refers=(unreadable.sha,),
        to=("pakistan",),
        within=h,
    )
    assert Rule.REFERS_KIND in judge(world, comment, history=h)
