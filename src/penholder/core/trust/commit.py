"""Raw git commit objects and Penholder's trailers: built and parsed byte for byte. No I/O.

The parser reads a commit exactly as git reads it and accepts only the one canonical form
Penholder writes: headers `tree`, `parent`*, `author`, `committer` and at most one `gpgsig`,
in that order; a message that is byte for byte what `build_message` writes from its parts
(subject, optional note, one trailer block last); numbers in plain ASCII digits; no control
or bidi character anywhere. Anything else is a `CommitFormatError` naming its rule id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from penholder.core.model import ACTOR_ID, Version
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
IDENT = re.compile(
    r"^(?P<name>[^<>\n]*) <(?P<email>[^<>\n]*)> (?P<time>0|[1-9][0-9]{0,14}) (?P<tz>[+-][0-9]{4})$"
)
SHA = re.compile(r"[0-9a-f]{40}")
NUMBER = re.compile(r"[1-9][0-9]{0,8}")
# git (interpret-trailers, am) reads a line starting with "---" and a space as the start of a
# patch: the trailers after it would be read by Penholder and not by git.
_DIVIDER = re.compile(r"^---(?:[ \t]|$)", re.MULTILINE)


class CommitFormatError(ValueError):
    """A commit object or message that is not in Penholder's canonical form; the message names
    what is wrong and `rule` the rule id (a `Rule` value) it breaks."""

    def __init__(self, message: str, *, rule: str = Rule.TRAILERS) -> None:
        super().__init__(message)
        self.rule: str = str(rule)


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


def check_safe(text: str, what: str) -> None:
    """Refuse `text` (called `what` in the message) if it holds a control or bidi character."""
    found = first_unsafe(text)
    if found is not None:
        offset, name = found
        raise CommitFormatError(
            f"{what} holds {name} at character {offset}: control and bidi characters are refused",
            rule=Rule.CONTROL_CHARACTERS,
        )


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


def ident(name: str, email: str, when: int) -> str:
    return f"{name} <{email}> {when} +0000"


@dataclass
class RawCommit:
    tree: str
    parents: list[str]
    author: str
    committer: str
    message: str
    signature: str | None = None
    # Kept for callers that judge headers; a parsed commit never has any (they are refused).
    extra_headers: list[str] = field(default_factory=list)
    signature_headers: int = 0

    def payload(self) -> bytes:
        """The bytes that are signed: the commit without its signature header."""
        head = [f"tree {self.tree}"] + [f"parent {p}" for p in self.parents]
        head += [f"author {self.author}", f"committer {self.committer}"]
        return ("\n".join(head) + "\n\n" + self.message).encode("utf-8")

    def head(self) -> str:
        """The header lines, signature included, without the blank line after them."""
        head = [f"tree {self.tree}"] + [f"parent {p}" for p in self.parents]
        head += [f"author {self.author}", f"committer {self.committer}"]
        if self.signature is not None:
            sig = self.signature.rstrip("\n").split("\n")
            head.append("gpgsig " + "\n ".join(sig))
        return "\n".join(head)

    def to_bytes(self) -> bytes:
        return (self.head() + "\n\n" + self.message).encode("utf-8")


def _header_error(message: str) -> CommitFormatError:
    return CommitFormatError(message, rule=Rule.COMMIT_HEADERS)


def _unsafe_error(text: str, where: str) -> CommitFormatError | None:
    found = first_unsafe(text)
    if found is None:
        return None
    offset, name = found
    return CommitFormatError(
        f"{where} holds {name} at character {offset}: control and bidi characters are refused",
        rule=Rule.CONTROL_CHARACTERS,
    )


def parse_commit(raw: bytes) -> RawCommit:
    """Parse a commit object in its one canonical form; anything else is a CommitFormatError
    (headers: rule commit-headers; a control or bidi character: control-characters)."""
    head_bytes, sep, body = raw.partition(b"\n\n")
    if not sep:
        raise _header_error("the commit has no blank line before its message")
    try:
        head = head_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _header_error(f"the commit headers are not UTF-8 (byte {exc.start})") from exc
    try:
        message = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommitFormatError(
            f"the message is not UTF-8 (byte {exc.start})", rule=Rule.MESSAGE_FORM
        ) from exc
    problem = _unsafe_error(head, "the commit headers") or _unsafe_error(message, "the message")
    if problem is not None:
        raise problem
    lines = head.split("\n")
    at = 0

    def header(key: str) -> str | None:
        nonlocal at
        if at < len(lines) and lines[at].startswith(key + " "):
            at += 1
            return lines[at - 1][len(key) + 1 :]
        return None

    tree = header("tree")
    if tree is None or not SHA.fullmatch(tree):
        raise _header_error("the commit does not start with `tree <sha>`")
    parents: list[str] = []
    while (parent := header("parent")) is not None:
        if not SHA.fullmatch(parent):
            raise _header_error(f"parent {parent[:60]!r} is not a full sha")
        parents.append(parent)
    people: list[str] = []
    for key in ("author", "committer"):
        value = header(key)
        if value is None:
            found = lines[at].partition(" ")[0] if at < len(lines) else "the end of the headers"
            raise _header_error(f"expected the {key} header, found {found[:40]!r}")
        if not IDENT.fullmatch(value):
            raise _header_error(f"{key} {value[:80]!r} is not `Name <email> TIME ±HHMM`")
        people.append(value)
    signature: str | None = None
    armor = header("gpgsig")
    if armor is not None:
        block = [armor]
        while at < len(lines) and lines[at].startswith(" "):
            block.append(lines[at][1:])
            at += 1
        if any(not line for line in block):
            raise _header_error("the gpgsig header has an empty line")
        signature = "\n".join(block) + "\n"
    if at < len(lines):
        found = lines[at].partition(" ")[0]
        raise _header_error(
            f"unexpected header line {found[:40]!r}: only tree, parent, author, committer "
            "and one gpgsig, in that order"
            if found
            else "an empty header line"
        )
    commit = RawCommit(tree, parents, people[0], people[1], message, signature)
    if commit.head() != head:  # a safety net: every check above should already hold
        raise _header_error("the commit headers are not in canonical form")
    return commit


def commit_links(raw: bytes) -> tuple[str, tuple[str, ...], str]:
    """(tree, parents, author) read leniently, as git reads them (a tree line first, then
    consecutive parent lines), for a stand-in of a commit that does not parse."""
    lines = raw.partition(b"\n\n")[0].split(b"\n")
    tree = ""
    parents: list[str] = []
    author = ""
    if lines and lines[0].startswith(b"tree ") and SHA.fullmatch(lines[0][5:].decode("latin-1")):
        tree = lines[0][5:].decode("ascii")
        for line in lines[1:]:
            value = line[7:].decode("latin-1")
            if not line.startswith(b"parent ") or not SHA.fullmatch(value):
                break
            parents.append(value)
        for line in lines[1 + len(parents) :]:
            if line.startswith(b"author "):
                author = line[7:].decode("utf-8", "replace")
                break
    return tree, tuple(parents), author


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
    problem = _unsafe_error(message, "the message")
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


def version_from_commit(sha: str, raw: RawCommit) -> Version:
    """Read a version's facts from its commit; raises CommitFormatError when they do not parse."""
    subject, note, trailers = parse_message(raw.message)
    match = IDENT.fullmatch(raw.committer)
    return Version(
        sha=sha,
        parents=tuple(raw.parents),
        tree=raw.tree,
        actor=trailers.actor,
        action=trailers.action,
        to=trailers.to,
        document=trailers.document,
        round=trailers.round,
        refers=trailers.refers,
        negotiation=trailers.negotiation,
        place=trailers.place,
        date=trailers.date,
        subject=subject,
        note=note,
        time=int(match.group("time")) if match else 0,
        author=raw.author,
        committer=raw.committer,
    )


def strip_signature(raw: bytes) -> bytes:
    """The signed payload, exactly as git computes it: the object without its gpgsig header."""
    head, sep, body = raw.partition(b"\n\n")
    kept: list[bytes] = []
    skipping = False
    for line in head.split(b"\n"):
        if line.startswith(b" ") and skipping:
            continue
        skipping = line.startswith(b"gpgsig ")
        if not skipping:
            kept.append(line)
    return b"\n".join(kept) + sep + body


def header_problems(raw: RawCommit) -> list[str]:
    problems = []
    if raw.signature_headers > 1:
        problems.append(f"{raw.signature_headers} gpgsig headers")
    if raw.extra_headers:
        problems.append(f"unexpected header {raw.extra_headers[0]!r}")
    return problems


__all__ = [
    "CommitFormatError",
    "RawCommit",
    "Trailers",
    "build_message",
    "commit_links",
    "ident",
    "parse_commit",
    "parse_message",
    "version_from_commit",
]
