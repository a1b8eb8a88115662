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
_UNSAFE_MULTIBYTE = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")
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


# Bytes that can start a forbidden character in UTF-8: the C0 controls but tab and newline,
# DEL, and the lead bytes of C1 (C2) and of the bidi controls (E2).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
_LEADS = b"\xc2\xe2"
_NOT_SUSPECT = bytes(b for b in range(256) if b not in _CONTROL_BYTES + _LEADS)


def first_unsafe_bytes(data: bytes) -> int | None:
    """The byte offset of the first forbidden character in UTF-8 bytes. Fast on long drafts:
    one C pass drops every byte that cannot start one; only the lead bytes of two-
    and three-byte characters (C2, E2: dashes and quotes are common in prose) are looked at."""
    suspects = data.translate(None, _NOT_SUSPECT)
    if not suspects:
        return None
    if suspects.strip(_LEADS):
        # A control byte: rare, and a failure anyway; let the regex find the first.
        found = _UNSAFE_BYTES.search(data)
        return None if found is None else found.start()
    if len(suspects) * 64 > len(data):
        found = _UNSAFE_MULTIBYTE.search(data)
        return None if found is None else found.start()
    first: int | None = None
    for lead in (0xC2, 0xE2):
        at = data.find(lead)
        while at != -1 and (first is None or at < first):
            if _UNSAFE_MULTIBYTE.match(data, at):
                first = at
                break
            at = data.find(lead, at + 1)
    return first


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
