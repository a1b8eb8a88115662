"""A retracted text is not there to attest, and an agreed text cannot be retracted from any view
(red team, second round: a convener retracted its own agreed text from a view where nobody had
answered it, then endorsed it on top of its own retract, and verify passed both)."""

from __future__ import annotations

import copy

import pytest

from helpers import make_table
from penholder.core.model import Action
from penholder.core.trust.rules import Rule
from penholder.core.trust.tips import retract_findings
from test_kernel_rules import (
    World,
    _world,
    history_of,
    judge,
    new_version,
    trusted_state,
    without,
)

ATTESTATIONS = ("receipt", "sign_pk", "sign_af", "endorse_qa", "endorse_tr")


@pytest.fixture(scope="module")
def shuttled(tmp_path_factory: pytest.TempPathFactory) -> World:
    return _world(make_table(tmp_path_factory.mktemp("kernel") / "negotiation"))


def test_no_endorsement_of_a_text_its_author_retracted_in_view(shuttled: World) -> None:
    h = history_of(shuttled, without(shuttled, *ATTESTATIONS))
    text = shuttled.v["forward2"]
    retract = new_version(
        shuttled, "turkiye", Action.RETRACT, parents=(text.sha,), refers=(text.sha,)
    )
    assert judge(shuttled, retract, history=h) == set()
    h.add(retract)
    endorse = new_version(
        shuttled, "turkiye", Action.ENDORSE, parents=(text.sha, retract.sha), refers=(text.sha,)
    )
    assert Rule.TURN in judge(shuttled, endorse, history=h)


def test_a_sign_made_without_seeing_the_retract_is_judged_in_its_own_view(shuttled: World) -> None:
    h = history_of(shuttled, without(shuttled, *ATTESTATIONS))
    text = shuttled.v["forward2"]
    sign = new_version(shuttled, "pakistan", Action.SIGN, parents=(text.sha,), refers=(text.sha,))
    assert Rule.TURN not in judge(shuttled, sign, history=h)


def test_a_retract_of_an_agreed_text_from_a_view_without_its_answers_is_found(
    shuttled: World,
) -> None:
    h = copy.deepcopy(shuttled.history)
    text = shuttled.v["forward2"]
    retract = new_version(
        shuttled, "turkiye", Action.RETRACT, parents=(text.sha,), refers=(text.sha,)
    )
    h.add(retract)
    before = trusted_state(h)
    found = {(f.sha, f.rule) for f in retract_findings(h)}
    assert (retract.sha, Rule.RETRACT) in found
    assert trusted_state(h) == before


def test_a_retract_of_an_unagreed_text_stands(shuttled: World) -> None:
    h = history_of(shuttled, without(shuttled, *ATTESTATIONS))
    text = shuttled.v["forward2"]
    retract = new_version(
        shuttled, "turkiye", Action.RETRACT, parents=(text.sha,), refers=(text.sha,)
    )
    h.add(retract)
    assert retract_findings(h) == []
