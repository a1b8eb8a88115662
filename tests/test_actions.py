"""The one place that decides what an action means (penholder.core.actions), on real stores."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from helpers import TEXT, Table, make_roster, make_table, shuttle, snapshot
from penholder.core import actions
from penholder.core.actions import Base, Change, Hint, base_version, plan
from penholder.core.actions.session import Session
from penholder.core.errors import InputError, PenholderError, RefusedError
from penholder.core.model import Action
from penholder.core.store.negotiation import Negotiation, Request
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.roster import Actor
from penholder.core.views import compare
from penholder.core.views.queries import inbox
from penholder.demo.keys import demo_private_key

OBSERVER = "un"


@pytest.fixture
def table(tmp_path: Path) -> Table:
    return make_table(tmp_path / "talks.git")


def table_with_observer(path: Path) -> Table:
    keys = {a: demo_private_key(a) for a in ("qatar", "turkiye", "pakistan", "afghanistan")}
    keys[OBSERVER] = demo_private_key(OBSERVER)
    roster = make_roster({k: v for k, v in keys.items() if k != OBSERVER})
    seated = Actor(
        OBSERVER, "United Nations", "observer", public_key_line(keys[OBSERVER].public_key())
    )
    roster = replace(roster, actors=(*roster.actors, seated))
    Negotiation.create(
        path, roster, keys["qatar"], place="Doha", date="2025-10-18", when=1_761_400_000
    )
    return Table(path, keys)


# who may address whom ------------------------------------------------------------------------


def test_addressing_agrees_with_the_kernel(tmp_path: Path) -> None:
    """For every pair of actors, the advisory verdict is the store's own, rule for rule."""
    table = table_with_observer(tmp_path / "talks.git")
    root = table.store.root
    roster = table.store.roster
    for actor in roster.ids():
        action = Action.RECEIPT if actor == OBSERVER else Action.COMMENT
        for recipient in roster.ids():
            problem = actions.address_problem(roster, actor, recipient)
            before = snapshot(table.path)
            try:
                table.act(actor, action, refers=(root.sha,), to=(recipient,))
            except RefusedError as exc:
                assert problem is not None, (actor, recipient, exc.message)
                assert exc.rule == problem[0], (actor, recipient)
                assert snapshot(table.path) == before
            else:
                assert problem is None, (actor, recipient)


def test_an_observer_may_address_nobody(tmp_path: Path) -> None:
    table = table_with_observer(tmp_path / "talks.git")
    roster = table.store.roster
    choices = actions.addressees(roster, OBSERVER)
    assert [c.actor for c in choices] == ["qatar", "turkiye", "pakistan", "afghanistan"]
    assert not any(c.allowed for c in choices)
    assert all(c.why == "an observer addresses nobody" for c in choices)
    with pytest.raises(RefusedError) as refused:
        actions.check_recipients(roster, OBSERVER, Action.RECEIPT, ("qatar",))
    assert refused.value.rule == "route"
    assert actions.default_recipients(roster, OBSERVER, Action.RECEIPT) == ()
    assert not actions.may_act(roster, OBSERVER, Action.COMMENT)


def test_a_party_addresses_mediators_only(table: Table) -> None:
    roster = table.store.roster
    allowed = {c.actor: c.allowed for c in actions.addressees(roster, "pakistan")}
    assert allowed == {"qatar": True, "turkiye": True, "afghanistan": False}
    with pytest.raises(RefusedError) as refused:
        actions.check_recipients(roster, "pakistan", Action.AMEND, ("afghanistan",))
    assert refused.value.rule == "route"
    with pytest.raises(RefusedError) as missing:
        actions.check_recipients(roster, "pakistan", Action.AMEND, ())
    assert missing.value.rule == "recipients-missing"
    with pytest.raises(RefusedError) as twice:
        actions.check_recipients(roster, "qatar", Action.COMMENT, ("pakistan", "pakistan"))
    assert twice.value.rule == "route"


def test_default_recipients(table: Table) -> None:
    roster = table.store.roster
    assert actions.default_recipients(roster, "pakistan", Action.COMMENT) == ("qatar", "turkiye")
    assert actions.default_recipients(roster, "pakistan", Action.WITHDRAW) == ("qatar", "turkiye")
    assert actions.default_recipients(roster, "qatar", Action.ROSTER) == ("turkiye",)
    everyone = ("turkiye", "pakistan", "afghanistan")
    assert actions.default_recipients(roster, "qatar", Action.RESUME) == everyone
    assert actions.default_recipients(roster, "qatar", Action.ROUND) == everyone
    for action in (Action.FORWARD, Action.SIGN, Action.ENDORSE, Action.RECEIPT, Action.RETRACT):
        assert actions.default_recipients(roster, "qatar", action) == ()
    assert actions.chooses_recipients(Action.FORWARD)
    assert not actions.chooses_recipients(Action.SIGN)


def test_role_refusals(table: Table) -> None:
    store = table.store
    with pytest.raises(RefusedError) as role:
        plan(store.history, store.roster, "pakistan", Action.ENDORSE, store.root)
    assert role.value.rule == "role-action" and role.value.message == "a party may not endorse"
    with pytest.raises(RefusedError) as stranger:
        plan(store.history, store.roster, "usa", Action.RECEIPT, store.root)
    assert stranger.value.rule == "actor-unknown"


# targets ---------------------------------------------------------------------------------------


def test_amend_target_from_a_selection(table: Table) -> None:
    proposal = table.propose()
    forward = table.forward("qatar", proposal, ("afghanistan", "turkiye"))
    receipt = table.on("turkiye", Action.RECEIPT, forward)
    store = table.store
    history, roster = store.history, store.roster
    # The forward awaits afghanistan (addressed, unanswered): amending it, from the forward or
    # from what refers to it.
    for start in (forward, receipt):
        found = plan(history, roster, "afghanistan", Action.AMEND, start)
        assert found.refers == (forward.sha,) and found.document == "accord"
        assert found.recipients == ("qatar", "turkiye") and found.choose_recipients
        assert found.notice == ""
    # The proposal does not await afghanistan: the version that does, and why.
    moved = actions.amend_target(history, "afghanistan", selected=proposal)
    assert moved.sha == forward.sha
    assert moved.notice.startswith(f"{proposal.short} is not awaiting afghanistan")
    # Once answered, nothing of the accord awaits it.
    table.amend("afghanistan", forward, TEXT + "\nA.\n", ("qatar",))
    with pytest.raises(RefusedError):
        actions.amend_target(table.store.history, "afghanistan", selected=forward)


def test_amend_target_refusals_carry_hints(table: Table) -> None:
    proposal = table.propose()
    store = table.store
    with pytest.raises(RefusedError) as nothing:
        actions.amend_target(store.history, "afghanistan", document="accord")
    assert nothing.value.rule == "turn" and nothing.value.hint == Hint.CHOOSE_VERSION
    assert "--" not in nothing.value.message
    with pytest.raises(RefusedError) as no_text:
        actions.amend_target(store.history, "qatar", selected=store.root)
    assert no_text.value.hint == Hint.CHOOSE_VERSION
    with pytest.raises(RefusedError) as no_document:
        actions.amend_target(store.history, "qatar")
    assert no_document.value.hint == Hint.CHOOSE_DOCUMENT
    assert actions.amend_target(store.history, "qatar", document="accord").sha == proposal.sha
    # its own unanswered proposal: a revision
    assert actions.awaits(store.history, "pakistan", proposal.sha)


def test_several_versions_awaiting(table: Table) -> None:
    proposal = table.propose()
    table.forward("qatar", proposal, ("afghanistan",))
    other = table.propose("afghanistan", "annex", "# Annex\n", ("qatar",))
    table.forward("turkiye", proposal, ("afghanistan",))
    store = table.store
    with pytest.raises(RefusedError) as several:
        actions.default_amend_target(store.history, "afghanistan", "accord")
    assert "several versions" in several.value.message
    assert several.value.hint == Hint.CHOOSE_VERSION
    assert actions.default_amend_target(store.history, "qatar", "annex") == other.sha


def test_text_actions_act_on_the_text(table: Table) -> None:
    v = shuttle(table)
    store = table.store
    signed = plan(store.history, store.roster, "qatar", Action.FORWARD, v["sign_pk"])
    assert signed.refers == (v["forward2"].sha,)
    assert signed.subject == "Forward turkiye's forward of accord"
    assert signed.recipients == () and signed.choose_recipients
    with pytest.raises(RefusedError) as none:
        plan(store.history, store.roster, "pakistan", Action.SIGN, store.root)
    assert none.value.hint == Hint.CHOOSE_VERSION


def test_retract_comment_receipt(table: Table) -> None:
    v = shuttle(table)
    store = table.store
    history, roster = store.history, store.roster
    with pytest.raises(RefusedError) as not_own:
        plan(history, roster, "pakistan", Action.RETRACT, v["sign_af"])
    assert not_own.value.rule == "retract"
    own = plan(history, roster, "pakistan", Action.RETRACT, v["sign_pk"])
    assert own.refers == (v["sign_pk"].sha,) and own.recipients == ()
    comment = plan(history, roster, "pakistan", Action.COMMENT, v["receipt"])
    assert comment.refers == (v["receipt"].sha,)
    assert comment.subject == "" and comment.recipients == ("qatar", "turkiye")
    receipt = plan(history, roster, "qatar", Action.RECEIPT, v["amend"])
    assert receipt.subject == "Receipt afghanistan's amend of accord"
    with pytest.raises(RefusedError) as unselected:
        plan(history, roster, "qatar", Action.RECEIPT, None)
    assert unselected.value.hint == Hint.CHOOSE_VERSION


def test_consolidation_heads(table: Table) -> None:
    proposal = table.propose()
    forward = table.forward("qatar", proposal, ("pakistan", "afghanistan"))
    a = table.amend("pakistan", forward, TEXT + "\nP.\n", ("qatar",))
    b = table.amend("afghanistan", forward, TEXT + "\nA.\n", ("qatar", "turkiye"))
    store = table.store
    found = plan(store.history, store.roster, "qatar", Action.CONSOLIDATE, b)
    assert found.refers == (b.sha, a.sha) and found.target == b
    with pytest.raises(RefusedError) as few:
        actions.consolidation_heads(store.history, "turkiye", b)
    assert few.value.rule == "consolidate-heads"


def test_resume_and_round(table: Table) -> None:
    store = table.store
    with pytest.raises(RefusedError) as none:
        actions.resume_target(store.history)
    assert none.value.rule == "resume" and none.value.message == "no withdrawal is in force"
    withdrawal = table.act("pakistan", Action.WITHDRAW, "We leave", to=("qatar",))
    store = table.store
    resume = plan(store.history, store.roster, "qatar", Action.RESUME)
    assert resume.refers == (withdrawal.sha,)
    assert resume.subject == "Talks resume after pakistan's withdrawal"
    assert resume.recipients == ("turkiye", "pakistan", "afghanistan")
    assert plan(store.history, store.roster, "qatar", Action.ROUND).round_number == 2


def test_default_subjects() -> None:
    assert actions.default_subject(
        Action.ROUND, round_number=2, place="Istanbul", date="2025-10-25"
    ) == ("Round 2 opens at Istanbul on 2025-10-25")
    assert actions.default_subject(Action.ROUND) == ""
    assert actions.default_subject(Action.COMMENT) == ""


# requests ------------------------------------------------------------------------------------


def test_request_checks_input_before_anything_is_signed(table: Table) -> None:
    v = shuttle(table)
    store = table.store
    comment = plan(store.history, store.roster, "pakistan", Action.COMMENT, v["amend"])
    with pytest.raises(InputError) as subject:
        actions.request(comment, store.roster, subject="  ")
    assert subject.value.rule == "message"
    with pytest.raises(RefusedError):
        actions.request(comment, store.roster, subject="x", to=("afghanistan",))
    made = actions.request(comment, store.roster, subject=" Note ", note=" why ")
    assert made == Request(
        "pakistan",
        Action.COMMENT,
        "Note",
        refers=(v["amend"].sha,),
        to=("qatar", "turkiye"),
        document="accord",
        note="why",
    )
    with pytest.raises(InputError) as number:
        actions.check_round("two", "Istanbul", "2025-10-25")
    assert number.value.rule == "round-number"
    with pytest.raises(InputError):
        actions.check_round("2", "Istanbul", "25/10/2025")
    assert actions.check_round(" 2 ", "Istanbul", "2025-10-25") == (2, "Istanbul", "2025-10-25")


# roster changes ------------------------------------------------------------------------------


def test_a_roster_change_reaches_the_other_mediators(table: Table) -> None:
    store = table.store
    key = public_key_line(demo_private_key(OBSERVER).public_key())
    change = actions.build_change(
        Change.SEAT, store.roster, None, actor_id=OBSERVER, name="United Nations", key=key
    )
    assert change.subject == "Seat United Nations (un) as observer"
    planned = actions.roster_plan(store.roster, "qatar", change)
    assert planned.recipients == ("turkiye",)
    made = actions.request(planned, store.roster, subject=change.subject, new_roster=change.roster)
    version = Negotiation(table.path).act(made, table.keys["qatar"])
    assert version.to == ("turkiye",)
    store = table.store
    assert version.sha in {w.sha for w in inbox(store.history, "turkiye")}
    pending = actions.pending_rosters(store.history)
    assert [p.version.sha for p in pending] == [version.sha]
    assert pending[0].receipts_missing == (OBSERVER,) and pending[0].needed == 2
    assert pending[0].changes[0].startswith("+ seats un (observer)")


def test_roster_change_input(table: Table) -> None:
    roster = table.store.roster
    with pytest.raises(InputError) as seated:
        actions.build_change(Change.SEAT, roster, None, actor_id="qatar", name="Q", key="x")
    assert seated.value.rule == "roster-change"
    with pytest.raises(InputError) as bad_key:
        actions.build_change(Change.ROTATE, roster, "pakistan", key="ssh-ed25519 nonsense")
    assert bad_key.value.rule == "key-format"
    revoked = actions.build_change(Change.REVOKE, roster, "pakistan")
    assert revoked.roster.actor("pakistan") is None
    assert revoked.roster.revoked == (("pakistan", roster.actor("pakistan").key),)  # type: ignore[union-attr]
    lines = actions.roster_changes(roster, revoked.roster)
    assert lines[0].startswith("✗ revokes the key of pakistan") and "leaves the table" in lines[0]
    with pytest.raises(RefusedError):
        actions.roster_plan(roster, "pakistan", revoked)


# comparison base -----------------------------------------------------------------------------


def test_comparison_bases(table: Table) -> None:
    proposal = table.propose()
    forward = table.forward("qatar", proposal, ("afghanistan", "turkiye"))
    table.on("afghanistan", Action.COMMENT, forward, to=("qatar",))
    opened = table.act(
        "qatar", Action.ROUND, "Round 2", round_number=2, place="Istanbul", date="2025-10-25"
    )
    table.on("turkiye", Action.RECEIPT, opened)  # turkiye's next version is in round 2
    later = table.amend("turkiye", forward, TEXT + "\nMore.\n", ("pakistan",))
    store = table.store
    history = store.history
    assert base_version(history, later, Base.ANSWERED) == forward.sha
    assert base_version(history, proposal, Base.ANSWERED) is None
    assert base_version(history, later, Base.PREVIOUS_ROUND) == forward.sha
    assert base_version(history, forward, Base.PREVIOUS_ROUND) is None
    # What afghanistan last saw before turkiye's amendment: the forward it commented on (any
    # reference counts, not only a receipt).
    assert base_version(history, later, Base.LAST_SEEN, "afghanistan") == forward.sha
    # Before the forward (itself excluded) afghanistan saw nothing of the accord.
    assert base_version(history, forward, Base.LAST_SEEN, "afghanistan") is None
    assert base_version(history, later, Base.LAST_SEEN, "pakistan") == proposal.sha
    with pytest.raises(InputError) as nobody:
        base_version(history, later, Base.LAST_SEEN)
    assert nobody.value.hint == Hint.GIVE_ACTOR
    sides = compare.since_seen(store, "afghanistan", "accord", None)
    assert sides.old == forward and sides.new == later
    with pytest.raises(InputError):
        compare.since_seen(store, "afghanistan", "accord", forward)
    answered = compare.against(store, later, Base.ANSWERED, None)
    assert answered.old == forward and answered == compare.amendment(store, later)


def test_no_front_end_option_in_core_messages(table: Table) -> None:
    shuttle(table)
    store = table.store
    with pytest.raises(PenholderError) as no_document:
        compare.amendment(store, store.root)
    assert no_document.value.hint == Hint.CHOOSE_DOCUMENT
    assert "--" not in no_document.value.message


# the app's façade ----------------------------------------------------------------------------


def test_a_frozen_history_never_changes(table: Table, tmp_path: Path) -> None:
    proposal = table.propose()
    session = Session(table.path, tmp_path / "home")
    first = session.frozen()
    count = len(first.history)
    forward = plan(first.history, first.roster, "qatar", Action.FORWARD, proposal)
    made = actions.request(forward, first.roster, subject=forward.subject, to=("afghanistan",))
    signed = session.act(made, table.keys["qatar"])
    assert len(first.history) == count and signed.sha not in first.history
    second = session.frozen()
    assert second.history is not first.history and signed.sha in second.history
    assert second.tips["qatar"] == signed.sha
    # Another process writes: seen by `changed`, taken in by `refresh`, not in what was handed.
    assert not session.changed()
    table.on("afghanistan", Action.RECEIPT, signed)
    assert session.changed() and session.refresh() and not session.changed()
    assert len(second.history) == count + 1
    assert len(session.frozen().history) == count + 2
    session.close()
