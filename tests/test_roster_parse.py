"""`penholder.toml` is read quickly when it is in the exact layout Penholder writes, and then
reads exactly as the TOML parser reads it; any other layout goes through the TOML parser."""

from __future__ import annotations

import pytest

from helpers import make_roster
from penholder.core.errors import InputError
from penholder.core.keys import demo_private_key
from penholder.core.roster import Rules, _roster_from, load_toml, parse_roster

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
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_the_fast_reading_is_the_toml_reading(name: str) -> None:
    text = VARIANTS[name]
    assert fast_reading(text) == toml_reading(text)


def test_the_canonical_layout_reads_back_as_written() -> None:
    roster = parse_roster(CANONICAL)
    assert roster.to_toml() == CANONICAL
