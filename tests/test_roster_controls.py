"""A roster read from any tree fails closed on control and bidi characters, as messages and
texts do (red team: a roster change renaming a party to escape sequences took effect and
verify passed it; only the store's own writing refused them)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from helpers import Table
from penholder.core.errors import InputError
from penholder.core.trust.roster import parse_roster
from penholder.core.trust.rules import Rule


@pytest.mark.parametrize(
    "hostile",
    ["Watcher \x1b]0;owned\x07", "Clean \u202eevil\u202c", "C1 \x9b31m"],
)
@pytest.mark.parametrize("field", ["title", "name"])
def test_a_roster_carrying_control_characters_is_refused(
    table: Table, hostile: str, field: str
) -> None:
    roster = table.store.roster
    if field == "title":
        roster = replace(roster, title=hostile)
    else:
        first, *rest = roster.actors
        roster = replace(roster, actors=(replace(first, name=hostile), *rest))
    with pytest.raises(InputError) as refused:
        parse_roster(roster.to_toml())
    assert refused.value.rule == Rule.CONTROL_CHARACTERS


def test_the_honest_roster_still_reads(table: Table) -> None:
    roster = table.store.roster
    assert parse_roster(roster.to_toml()) == roster


@pytest.mark.parametrize("hostile", ["NUL \x00", "DEL \x7f"])
def test_characters_toml_must_escape_are_refused_too(table: Table, hostile: str) -> None:
    """TOML writes these as escapes; the one layout Penholder reads refuses them first."""
    roster = replace(table.store.roster, title=hostile)
    with pytest.raises(InputError):
        parse_roster(roster.to_toml())
