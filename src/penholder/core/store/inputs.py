"""What a person gives for a version, checked before anything is computed or written: the
draft's bytes, the free-text fields, the message, the rules' verdict. Refusals are one line."""

from __future__ import annotations

import re
from collections.abc import Sequence

from penholder.core.errors import CommitFormatError, InputError, RefusedError
from penholder.core.trust.message import Trailers, build_message, parse_message
from penholder.core.trust.roster import Roster
from penholder.core.trust.rules import Rule, Violation
from penholder.core.trust.text import first_unsafe, unsafe_problem

PRIVATE_KEY_MARK = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")


def decode_draft(data: bytes, where: str, limit: int) -> str:
    """The draft as text, or a one-line refusal: over the size limit, not UTF-8, holding a
    control or bidi character (carriage returns included), or private key material."""
    if len(data) > limit:
        raise RefusedError(
            f"{where} has {len(data):,} bytes, over the {limit:,}-byte limit of [rules]",
            rule="document-size",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where} is not UTF-8 text (byte {exc.start})", rule=Rule.DOCUMENT_ENCODING
        ) from exc
    found = first_unsafe(text)
    if found is not None:
        offset, name = found
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise InputError(
            f"{where} holds {name} at line {line}, column {column}: control and bidi "
            "characters are refused (save the file as UTF-8 text with plain newlines)",
            rule=Rule.CONTROL_CHARACTERS,
        )
    secret = PRIVATE_KEY_MARK.search(text)
    if secret:
        raise InputError(
            f"{where} holds private key material ({secret.group(0)}): a draft is read by every "
            "side, so it is refused",
            rule="document-secret",
        )
    return text


def check_text_fields(fields: Sequence[tuple[str, str | None]]) -> None:
    """Refuse, before anything is written, a field (named in the one-line error) that holds a
    control or bidi character."""
    for what, value in fields:
        problem = unsafe_problem(value, what) if value else None
        if problem is not None:
            raise InputError(problem, rule=Rule.CONTROL_CHARACTERS)


def roster_fields(roster: Roster) -> list[tuple[str, str | None]]:
    """The free-text fields of a roster a person reads: its title and the actors' names."""
    out: list[tuple[str, str | None]] = [
        ("the roster's title", roster.title),
        ("the negotiation id", roster.negotiation_id),
    ]
    out += [(f"the name of {a.id}", a.name) for a in roster.actors]
    return out


def checked_message(subject: str, note: str, trailers: Trailers) -> str:
    """The canonical message for these parts, checked to read back as written (so nothing is
    signed that Penholder or git would later read differently); refusals are InputErrors."""
    try:
        message = build_message(subject, note, trailers)
        if parse_message(message)[2] != trailers:
            raise CommitFormatError("the trailers do not read back as written")
    except CommitFormatError as exc:
        raise InputError(str(exc), rule=exc.rule) from exc
    return message


def strip_field(value: str | None) -> str | None:
    """A place or date as written: without surrounding whitespace, None when empty."""
    value = value.strip() if value is not None else None
    return value or None


def raise_refusal(violations: list[Violation]) -> None:
    violations = list(dict.fromkeys(violations))
    if not violations:
        return
    first = violations[0]
    more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
    raise RefusedError(first.message + more, rule=first.rule)
