"""A rotated mediator marks a roster change twice, as a mediator of the old roster (endorse)
and as the holder of a key it adds (receipt): each mark counts, whichever comes last (red team,
third round: a receipt made where the same mediator's endorsement stood was taken for a
repeat, the change never took effect down a straight line of versions, and the removed party
and the rotated-out key kept acting)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helpers import Table, snapshot
from penholder.core.errors import PenholderError
from penholder.core.model import Action, Version
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.keylines import public_key_line
from penholder.demo.keys import demo_private_key

NEW_TURKIYE = demo_private_key("turkiye-rotated-for-marks")


def _rotate_turkiye_and_drop_afghanistan(table: Table, receipt_last: bool) -> Version:
    roster = table.store.roster
    new = replace(
        roster,
        actors=tuple(
            replace(a, key=public_key_line(NEW_TURKIYE.public_key())) if a.id == "turkiye" else a
            for a in roster.actors
            if a.id != "afghanistan"
        ),
    )
    change = table.act("qatar", Action.ROSTER, "Rotate and drop", roster=new)
    seen = table.on("qatar", Action.ENDORSE, change)
    table.act("turkiye", Action.RECEIPT, refers=(seen.sha,))
    if receipt_last:
        table.on("turkiye", Action.ENDORSE, change)
        last = _with_key(
            table, "turkiye", NEW_TURKIYE, lambda: table.on("turkiye", Action.RECEIPT, change)
        )
    else:
        _with_key(
            table, "turkiye", NEW_TURKIYE, lambda: table.on("turkiye", Action.RECEIPT, change)
        )
        last = table.on("turkiye", Action.ENDORSE, change)
    history = Negotiation(table.path, use_cache=False).history
    assert change.sha in history.in_effect([last.sha])
    return last


def _with_key(
    table: Table, actor: str, key: Ed25519PrivateKey, act: Callable[[], Version]
) -> Version:
    old = table.keys[actor]
    table.keys[actor] = key
    try:
        return act()
    finally:
        table.keys[actor] = old


@pytest.mark.parametrize("receipt_last", [True, False])
def test_the_change_takes_effect_at_the_last_mark(table: Table, receipt_last: bool) -> None:
    last = _rotate_turkiye_and_drop_afghanistan(table, receipt_last)
    before = snapshot(table.path)
    with pytest.raises(PenholderError):
        table.act("afghanistan", Action.COMMENT, refers=(last.sha,), to=("qatar",))
    with pytest.raises(PenholderError):
        table.act("turkiye", Action.COMMENT, refers=(last.sha,), to=("qatar",))
    assert snapshot(table.path) == before
