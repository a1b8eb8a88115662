"""What a person sees is what was signed: the one definition of characters no version may carry.

A message, a subject, a note or a draft holds printable text, newlines and tabs only. Control
characters (C0 but newline and tab, DEL, C1) can drive a terminal — move the cursor, rewrite a
line, rename the window — so a painter could show words other than the signed ones; Unicode
bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) reorder
what is shown ("Trojan Source"). The writer refuses them, verify flags them, and every painter
shows them as visible marks through `neutralize`, never as their effect. No I/O.
"""

from __future__ import annotations

import re

# C0 controls but tab (09) and newline (0A), DEL, C1 controls, and the bidi controls.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_BYTES = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)
_NAMES = {
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
}


def first_unsafe(text: str) -> tuple[int, str] | None:
    """The offset and a readable name of the first character no version may carry, or None."""
    found = _UNSAFE.search(text)
    if found is None:
        return None
    return found.start(), describe(found.group())


def first_unsafe_bytes(data: bytes) -> int | None:
    """The byte offset of the first forbidden character in UTF-8 bytes (fast: no decoding)."""
    found = _UNSAFE_BYTES.search(data)
    return None if found is None else found.start()


def describe(char: str) -> str:
    name = _NAMES.get(char)
    if name is not None:
        return f"U+{ord(char):04X} ({name}, a bidirectional control)"
    return f"U+{ord(char):04X} (a control character)"


def unsafe_problem(text: str, what: str) -> str | None:
    """A one-line refusal for `what` (e.g. "the subject") if it carries a forbidden character."""
    found = first_unsafe(text)
    if found is None:
        return None
    offset, name = found
    return f"{what} holds {name} at character {offset}: control and bidi characters are refused"


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␀ ␁ … ␛ …
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def neutralize(text: str) -> str:
    """The text with every forbidden character replaced by a visible mark; newlines and tabs
    are kept. Every painter shows version text through this."""
    return _UNSAFE.sub(_visible, text)
