"""Tokenizers for the diff engine, and the encoding of tokens as characters.

Word mode splits a text into words and single punctuation marks, each carrying the whitespace
that follows it; only the bare token (the key) is compared, so two words separated by a space
in one version and a line break in the other still match. Line mode uses whole lines.
diff-match-patch compares characters, so each distinct key is encoded as one character
(its line-to-character trick applied to tokens).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal, NamedTuple

TokenMode = Literal["word", "line"]

# A word or one punctuation mark, with the whitespace after it.
_WORD_TOKEN = re.compile(r"\w+\s*|[^\w\s]\s*")
_WORD = re.compile(r"\w+")
_SURROGATES = range(0xD800, 0xE000)


def count_words(text: str) -> int:
    """Number of words (runs of letters and digits) in `text`."""
    return len(_WORD.findall(text))


class Tokens(NamedTuple):
    """A text cut into tokens: `text[:lead]` is leading whitespace outside any token, then
    come the tokens `full` (each its key followed by its whitespace) in order."""

    text: str
    lead: int
    full: Sequence[str]
    keys: Sequence[str]

    def trailing_space(self, k: int) -> str:
        """The whitespace after token k."""
        return self.full[k][len(self.keys[k]) :]


def tokenize(text: str, mode: TokenMode) -> Tokens:
    """Cut `text` into word or line tokens; the tokens always rebuild `text` exactly."""
    if mode == "line":
        lines = text.splitlines(keepends=True)
        return Tokens(text, 0, lines, lines)
    lead = len(text) - len(text.lstrip())
    full = _WORD_TOKEN.findall(text, lead)
    return Tokens(text, lead, full, list(map(str.rstrip, full)))


class TokenEncoder(dict[str, str]):
    """Gives each distinct token its own character, shared by both sides of one diff."""

    def __missing__(self, key: str) -> str:
        n = len(self) + 1
        if n >= _SURROGATES.start:
            n += len(_SURROGATES)  # the C++ library rejects lone surrogates
        if n > 0x10FFFF:
            raise OverflowError("more distinct tokens than Unicode characters")
        char = chr(n)
        self[key] = char
        return char

    def encode(self, keys: Iterable[str]) -> str:
        return "".join(map(self.__getitem__, keys))


def boundary_score(tokens: Tokens, k: int, mode: TokenMode) -> int:
    """How natural a place for an edit to start or end is the point before token k:
    6 at the ends, 5 at a blank line, 4 at a line break, 3 after a sentence, 2 at a space,
    1 next to punctuation, 0 inside a run of words. Mirrors diff-match-patch's scores, but
    looks at the whitespace the token encoding hides."""
    if k <= 0 or k >= len(tokens.keys):
        return 6
    if mode == "line":
        blank = not tokens.keys[k - 1].strip() or not tokens.keys[k].strip()
        return 5 if blank else 4
    space = tokens.trailing_space(k - 1)
    breaks = space.count("\n")
    if breaks >= 2:
        return 5
    if breaks:
        return 4
    before_is_word = tokens.keys[k - 1][-1:].isalnum()
    if space and not before_is_word:
        return 3
    if space:
        return 2
    if not before_is_word or not tokens.keys[k][:1].isalnum():
        return 1
    return 0
