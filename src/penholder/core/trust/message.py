"""Penholder's commit messages: a subject, an optional note and one block of trailers, built
and parsed byte for byte. No I/O.

A message is accepted only as exactly what `build_message` writes from its parts: numbers in
plain ASCII digits, every trailer once and in its order, no control or bidi character.
Anything else is a `CommitFormatError` naming its rule id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from penholder.core.errors import CommitFormatError
from penholder.core.model import ACTOR_ID, SHA
from penholder.core.trust.rules import Rule
from penholder.core.trust.text import first_unsafe

TRAILER_PREFIX = "Penholder-"
TRAILER_KEYS = (
    "Negotiation",
    "Action",
    "Actor",
    "To",
    "Document",
    "Round",
    "Refers",
    "Place",
    "Date",
)
NUMBER = re.compile(r"[1-9][0-9]{0,8}")
# git (interpret-trailers, am) reads a line starting with "---" and a space as the start of a
# patch: the trailers after it would be read by Penholder and not by git.
_DIVIDER = re.compile(r"^---(?:[ \t]|$)", re.MULTILINE)


@dataclass
class Trailers:
    negotiation: str
    action: str
    actor: str
    to: tuple[str, ...] = ()
    document: str | None = None
    round: int = 1
    refers: tuple[str, ...] = ()
    place: str | None = None
    date: str | None = None

    def lines(self) -> list[str]:
        p = TRAILER_PREFIX
        out = [
            f"{p}Negotiation: {self.negotiation}",
            f"{p}Action: {self.action}",
            f"{p}Actor: {self.actor}",
        ]
        if self.to:
            out.append(f"{p}To: {', '.join(self.to)}")
        if self.document:
            out.append(f"{p}Document: {self.document}")
        out.append(f"{p}Round: {self.round}")
        out += [f"{p}Refers: {sha}" for sha in self.refers]
        if self.place:
            out.append(f"{p}Place: {self.place}")
        if self.date:
            out.append(f"{p}Date: {self.date}")
        return out


def unsafe_error(text: str, where: str) -> CommitFormatError | None:
    """The refusal of `text` (called `where`) if it holds a control or bidi character."""
    found = first_unsafe(text)
    if found is None:
        return None
    offset, name = found
    return CommitFormatError(
        f"{where} holds {name} at character {offset}: control and bidi characters are refused",
        rule=Rule.CONTROL_CHARACTERS,
    )


def check_safe(text: str, what: str) -> None:
    """Refuse `text` (called `what` in the message) if it holds a control or bidi character."""
    problem = unsafe_error(text, what)
    if problem is not None:
        raise problem


def _single_line(text: str, what: str) -> str:
    if "\n" in text:
        raise CommitFormatError(f"{what} must be a single line", rule=Rule.MESSAGE_FORM)
    return text.strip()


def _canonical_note(note: str) -> str:
    """The note as it is written: lines without trailing whitespace, no blank line at either
    end, paragraphs separated by exactly one blank line (a blank line cannot end the note's
    last paragraph early, so a note can never be mistaken for the trailer block)."""
    if not note:
        return note
    lines = [line.rstrip() for line in note.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


_REQUIRED_VALUES = frozenset({"Negotiation", "Action", "Actor", "To", "Refers"})


def build_message(subject: str, note: str, trailers: Trailers) -> str:
    """The one canonical message for these parts; refuses what git would read differently and
    any control or bidi character (rule control-characters)."""
    check_safe(subject, "the subject")
    check_safe(note, "the note")
    for line in trailers.lines():
        check_safe(line, "a trailer")
    return _compose(subject, note, trailers)


def _compose(subject: str, note: str, trailers: Trailers) -> str:
    """build_message for parts already known to be free of control and bidi characters."""
    subject = _single_line(subject, "the subject")
    if not subject:
        raise CommitFormatError("the subject is empty", rule=Rule.MESSAGE_FORM)
    for name, value in (
        ("Negotiation", trailers.negotiation),
        ("Action", trailers.action),
        ("Actor", trailers.actor),
        ("Document", trailers.document),
        ("Place", trailers.place),
        ("Date", trailers.date),
        *(("To", one) for one in trailers.to),
        *(("Refers", one) for one in trailers.refers),
    ):
        if value is None:
            continue
        if _single_line(value, f"Penholder-{name}") != value or (
            not value and name in _REQUIRED_VALUES
        ):
            raise CommitFormatError(
                f"Penholder-{name} {value!r} is empty or has surrounding whitespace",
                rule=Rule.TRAILERS,
            )
    if any("," in one for one in trailers.to):
        raise CommitFormatError("a Penholder-To recipient holds a comma", rule=Rule.TRAILERS)
    if isinstance(trailers.round, bool) or trailers.round < 1:
        raise CommitFormatError(
            f"Penholder-Round {trailers.round!r} is not a positive number", rule=Rule.TRAILERS
        )
    parts = [subject]
    note = _canonical_note(note)
    if note:
        parts.append(note)
    parts.append("\n".join(trailers.lines()))
    message = "\n\n".join(parts) + "\n"
    if "---" in message and _DIVIDER.search(message) is not None:
        raise CommitFormatError(
            "a line of the subject or note starts with '---': git would read the rest as a "
            "patch and not see the trailers",
            rule=Rule.MESSAGE_FORM,
        )
    return message


def _split_message(message: str) -> tuple[str, str, list[tuple[str, str]]]:
    """Subject, note and the trailer lines (name, value) in their order."""
    if not message.endswith("\n") or message.endswith("\n\n"):
        raise CommitFormatError(
            "the message does not end with exactly one newline", rule=Rule.MESSAGE_FORM
        )
    paragraphs = message[:-1].split("\n\n")
    if len(paragraphs) < 2:
        raise CommitFormatError("the message has no trailer block", rule=Rule.MESSAGE_FORM)
    block = paragraphs[-1].split("\n")
    if not any(line.startswith(TRAILER_PREFIX) for line in block):
        raise CommitFormatError(
            "the message does not end with its Penholder trailer block", rule=Rule.MESSAGE_FORM
        )
    pairs: list[tuple[str, str]] = []
    for line in block:
        key, sep, value = line.partition(": ")
        if not sep or not key.startswith(TRAILER_PREFIX):
            raise CommitFormatError(f"not a Penholder trailer: {line[:60]!r}")
        name = key[len(TRAILER_PREFIX) :]
        if name not in TRAILER_KEYS:
            raise CommitFormatError(f"unknown trailer {key[:60]!r}")
        pairs.append((name, value))
    return paragraphs[0], "\n\n".join(paragraphs[1:-1]), pairs


def parse_trailers(message: str) -> tuple[str, str, dict[str, list[str]]]:
    """Split a message into subject, note and Penholder trailers (the last paragraph)."""
    subject, note, pairs = _split_message(message)
    trailers: dict[str, list[str]] = {}
    for name, value in pairs:
        trailers.setdefault(name, []).append(value)
    return subject, note, trailers


def _one(trailers: dict[str, list[str]], name: str, required: bool = True) -> str | None:
    values = trailers.get(name, [])
    if len(values) > 1:
        raise CommitFormatError(f"trailer Penholder-{name} appears {len(values)} times")
    if not values:
        if required:
            raise CommitFormatError(f"trailer Penholder-{name} is missing")
        return None
    return values[0]


def _actor_id(value: str, what: str) -> str:
    if not ACTOR_ID.fullmatch(value):
        raise CommitFormatError(f"{what} {value[:60]!r} is not an actor id")
    return value


def parse_message(message: str) -> tuple[str, str, Trailers]:
    """Subject, note and trailers of a canonical message: exactly what `build_message` writes
    from them, or a CommitFormatError (rules control-characters, trailers, message-form)."""
    problem = unsafe_error(message, "the message")
    if problem is not None:
        raise problem
    return _parse_safe_message(message)


def _parse_safe_message(message: str) -> tuple[str, str, Trailers]:
    """parse_message for a message already known to be free of control and bidi characters
    (parse_commit checks the whole object)."""
    subject, note, trailers = parse_trailers(message)
    round_text = _one(trailers, "Round") or ""
    if not NUMBER.fullmatch(round_text):
        raise CommitFormatError(
            f"Penholder-Round {round_text[:20]!r} is not a positive number in plain ASCII digits"
        )
    to_text = _one(trailers, "To", required=False)
    to = (
        tuple(_actor_id(t, "Penholder-To recipient") for t in to_text.split(", "))
        if to_text is not None
        else ()
    )
    refers = tuple(trailers.get("Refers", []))
    for sha in refers:
        if not SHA.fullmatch(sha):
            raise CommitFormatError(f"Penholder-Refers {sha[:60]!r} is not a full lower-case sha")
    parsed = Trailers(
        negotiation=_one(trailers, "Negotiation") or "",
        action=_one(trailers, "Action") or "",
        actor=_actor_id(_one(trailers, "Actor") or "", "Penholder-Actor"),
        to=to,
        document=_one(trailers, "Document", required=False),
        round=int(round_text),
        refers=refers,
        place=_one(trailers, "Place", required=False),
        date=_one(trailers, "Date", required=False),
    )
    if _compose(subject, note, parsed) != message:
        raise CommitFormatError(
            "the message is not in canonical form (a subject line, an optional note, then the "
            "trailers in their order, each once, ending in one newline)",
            rule=Rule.MESSAGE_FORM,
        )
    return subject, note, parsed
