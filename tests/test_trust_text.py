"""The fast scan for forbidden characters in drafts finds exactly what the plain definition
finds, wherever dashes, quotes and controls fall."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from penholder.core.trust.text import first_unsafe, first_unsafe_bytes

PLAIN = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)
PIECES = ["x", " ", "\n", "\t", "—", "“", "”", "…", "é", "€", "\x1b", "\u202e", "\u0085", "\x7f"]
PIECES += ["\u2066", "\u2028", "\u00a0"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=300), st.integers(0, 400))
def test_the_fast_scan_finds_what_the_definition_finds(pieces: list[str], padding: int) -> None:
    text = "a" * padding + "".join(pieces)
    data = text.encode()
    found = PLAIN.search(data)
    assert first_unsafe_bytes(data) == (None if found is None else found.start())
    assert (first_unsafe(text) is None) == (found is None)
