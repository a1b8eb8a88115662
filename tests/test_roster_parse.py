"""`penholder.toml` is read only in the exact layout Penholder writes, and then reads exactly
as the TOML parser reads it; any other layout, valid TOML or not, is refused (a reader with
only sed, the certificate's recipe, must see the same roster)."""

from __future__ import annotations

import pytest

from helpers import make_roster
from penholder.core.errors import InputError
from penholder.core.trust.roster import Roster, Rules, _roster_from, load_toml, parse_roster
from penholder.demo.keys import demo_private_key

KEYS = {a: demo_private_key(a) for a in ("qatar", "turkiye", "pakistan", "afghanistan")}


def toml_reading(text: str) -> object:
    try:
        return _roster_from(load_toml(text, "penholder.toml"))
    except InputError as exc:
        return ("refused", exc.rule)


def fast_reading(text: str) -> object:
    try:
        return parse_roster(text)
    except InputError as exc:
        return ("refused", exc.rule)


CANONICAL = make_roster(KEYS, Rules(witness_quorum=1)).to_toml()

VARIANTS = {
    "canonical": CANONICAL,
    "a space before =": CANONICAL.replace("title =", "title  ="),
    "a JSON-only escape": CANONICAL.replace('"Test talks"', '"Test\\/talks"'),
    "a unicode escape": CANONICAL.replace('"Test talks"', '"Test \\u00e9talks"'),
    "a duplicate key": CANONICAL.replace("[rules]\n", "[rules]\nmax_draft_bytes = 5\n"),
    "a literal string": CANONICAL.replace('"Test talks"', "'Test talks'"),
    "tables reordered": CANONICAL.replace("[rules]", "[rulez]"),
    "a trailing comment": CANONICAL.replace("[rules]\n", "[rules] # x\n"),
    "no final newline": CANONICAL.rstrip("\n"),
    "a lone surrogate escape": CANONICAL.replace('convener = "qatar"', 'convener = "q\\udc80"'),
    "a surrogate pair escape": CANONICAL.replace('"Test talks"', '"Test \\ud83d\\ude00 talks"'),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_only_the_canonical_layout_is_read_and_as_toml_reads_it(name: str) -> None:
    text = VARIANTS[name]
    if name == "canonical":
        assert fast_reading(text) == toml_reading(text)
    else:
        assert fast_reading(text) == ("refused", "roster-format")


def test_a_comment_after_a_table_header_cannot_hide_an_actor() -> None:
    """Valid TOML the recipe's sed would misread: refused, whatever TOML makes of it."""
    hidden = CANONICAL.replace('[[actor]]\nid = "pakistan"', '[[actor]] # x\nid = "pakistan"')
    assert hidden != CANONICAL
    assert isinstance(toml_reading(hidden), Roster)
    assert fast_reading(hidden) == ("refused", "roster-format")


def test_the_canonical_layout_reads_back_as_written() -> None:
    roster = parse_roster(CANONICAL)
    assert roster.to_toml() == CANONICAL
