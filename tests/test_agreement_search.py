"""Finding an agreement among many mediators: the search decides, or says it cannot, and
either way no agreed text loses a signature (red-team finding: a bounded search that gave up
called an agreed text "not agreed", and a party's retract of its sign passed)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helpers import NEGOTIATION_ID, TEXT, snapshot
from penholder.core.errors import RefusedError
from penholder.core.model import Action, Version
from penholder.core.store.negotiation import Negotiation, Request
from penholder.core.trust import agreement as agreement_module
from penholder.core.trust.agreement import agreement, is_agreed, may_be_agreed
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.roster import Actor, Roster, Rules
from penholder.core.views.verify import verify

MEDIATORS = [f"m{i:02d}" for i in range(1, 16)]
PARTIES = ["pa", "pb"]


def _key(actor: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"search " + actor.encode()).digest()
    )


@dataclass
class BigTable:
    path: Path
    keys: dict[str, Ed25519PrivateKey] = field(default_factory=dict)
    clock: int = 1_761_400_000

    def act(self, actor: str, action: Action, **fields: object) -> Version:
        self.clock += 60
        request = Request(actor, action, f"{actor} {action.value}", **fields)  # type: ignore[arg-type]
        return Negotiation(self.path).act(request, self.keys[actor], when=self.clock)

    def on(self, actor: str, action: Action, refers: Version) -> Version:
        return self.act(actor, action, refers=(refers.sha,), document="accord")


@pytest.fixture
def big(tmp_path: Path) -> tuple[BigTable, Version, Version]:
    """15 mediators, quorum 7. m01 and m02 endorse and take it back; m03..m15 each endorse
    after seeing both retracts; both parties sign: agreed by m03..m09, never by m01 or m02.
    Returns the table, the text and pa's sign."""
    keys = {actor: _key(actor) for actor in MEDIATORS + PARTIES}
    actors = tuple(
        Actor(a, f"Mediator {a}", "mediator", public_key_line(keys[a].public_key()))
        for a in MEDIATORS
    ) + tuple(
        Actor(a, f"Party {a}", "party", public_key_line(keys[a].public_key())) for a in PARTIES
    )
    roster = Roster(NEGOTIATION_ID, "Big table", "m01", actors, Rules(witness_quorum=7))
    path = tmp_path / "big"
    Negotiation.create(
        path, roster, keys["m01"], place="Geneva", date="2025-10-18", when=1_761_400_000
    )
    table = BigTable(path, keys)
    text = table.act("pa", Action.PROPOSE, document="accord", text=TEXT.encode(), to=("m01",))
    last = table.on("m01", Action.RETRACT, table.on("m01", Action.ENDORSE, text))
    table.on("m02", Action.RECEIPT, last)
    last = table.on("m02", Action.RETRACT, table.on("m02", Action.ENDORSE, text))
    for mediator in MEDIATORS[2:]:
        table.on(mediator, Action.RECEIPT, last)
        last = table.on(mediator, Action.ENDORSE, text)
    sign = table.on("pa", Action.SIGN, text)
    table.on("pb", Action.SIGN, text)
    return table, text, sign


def test_an_agreement_past_many_inconsistent_groups_is_found(
    big: tuple[BigTable, Version, Version],
) -> None:
    table, text, _ = big
    found = agreement(Negotiation(table.path, use_cache=False).history, text.sha)
    assert found.agreed and not found.undecided
    assert not {"m01", "m02"} & set(found.endorsements) and len(found.endorsements) == 7


def test_retracts_made_before_the_agreement_and_outside_it_stay_valid(
    big: tuple[BigTable, Version, Version],
) -> None:
    table, _, _ = big
    report = verify(table.path)
    assert report.ok, report.failures


def test_the_agreed_texts_sign_cannot_be_taken_back(big: tuple[BigTable, Version, Version]) -> None:
    table, _, sign = big
    before = snapshot(table.path)
    with pytest.raises(RefusedError) as refused:
        table.on("pa", Action.RETRACT, sign)
    assert refused.value.rule == "retract"
    assert snapshot(table.path) == before


def test_a_search_that_runs_out_is_undecided_claims_nothing_and_refuses_retracts(
    big: tuple[BigTable, Version, Version], monkeypatch: pytest.MonkeyPatch
) -> None:
    table, text, sign = big
    monkeypatch.setattr(agreement_module, "_MAX_STEPS", 3)
    history = Negotiation(table.path, use_cache=False).history
    found = agreement(history, text.sha)
    assert found.undecided and not found.agreed
    assert not is_agreed(history, text.sha)
    assert may_be_agreed(history, text.sha)
    before = snapshot(table.path)
    with pytest.raises(RefusedError):
        table.on("pa", Action.RETRACT, sign)
    assert snapshot(table.path) == before
