"""Raw git commit objects and Penholder's trailers: built and parsed byte for byte. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from penholder.core.model import Version

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
IDENT = re.compile(r"^(?P<name>[^<>\n]*) <(?P<email>[^<>\n]*)> (?P<time>\d+) (?P<tz>[+-]\d{4})$")


class CommitFormatError(ValueError):
    """A commit object or message that does not parse; the message names what is wrong."""


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


def _clean_line(text: str, what: str) -> str:
    if "\n" in text or "\r" in text or "\0" in text:
        raise CommitFormatError(f"{what} must be a single line")
    return text.strip()


def build_message(subject: str, note: str, trailers: Trailers) -> str:
    subject = _clean_line(subject, "the subject")
    if not subject:
        raise CommitFormatError("the subject is empty")
    for line in trailers.lines():
        _clean_line(line, "a trailer")
    parts = [subject]
    note = note.replace("\r\n", "\n").strip("\n")
    if "\0" in note:
        raise CommitFormatError("the note contains a NUL byte")
    if note.strip():
        # A blank line cannot end the note's last paragraph early, so a note can never be
        # mistaken for the trailer block.
        parts.append(note.rstrip())
    parts.append("\n".join(trailers.lines()))
    return "\n\n".join(parts) + "\n"


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
    extra_headers: list[str] = field(default_factory=list)
    signature_headers: int = 0

    def payload(self) -> bytes:
        """The bytes that are signed: the commit without its signature header."""
        head = [f"tree {self.tree}"] + [f"parent {p}" for p in self.parents]
        head += [f"author {self.author}", f"committer {self.committer}"]
        return ("\n".join(head) + "\n\n" + self.message).encode("utf-8")

    def to_bytes(self) -> bytes:
        if self.signature is None:
            return self.payload()
        head = [f"tree {self.tree}"] + [f"parent {p}" for p in self.parents]
        head += [f"author {self.author}", f"committer {self.committer}"]
        sig = self.signature.rstrip("\n").split("\n")
        head.append("gpgsig " + "\n ".join(sig))
        return ("\n".join(head) + "\n\n" + self.message).encode("utf-8")


def parse_commit(raw: bytes) -> RawCommit:
    """Parse a commit object. Unknown or repeated signature headers are kept for verify to judge."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommitFormatError("commit is not UTF-8") from exc
    head, sep, message = text.partition("\n\n")
    if not sep:
        raise CommitFormatError("commit has no message")
    tree = ""
    parents: list[str] = []
    author = committer = ""
    signature: str | None = None
    extra: list[str] = []
    signature_headers = 0
    lines = head.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        key, _, value = line.partition(" ")
        block = [value]
        while i + 1 < len(lines) and lines[i + 1].startswith(" "):
            i += 1
            block.append(lines[i][1:])
        i += 1
        if key == "tree" and not tree and not parents:
            tree = value
        elif key == "parent" and tree and not author:
            parents.append(value)
        elif key == "author" and tree and not author:
            author = value
        elif key == "committer" and author and not committer:
            committer = value
        elif key == "gpgsig":
            signature_headers += 1
            signature = "\n".join(block) + "\n"
        else:
            extra.append(key)
    if not tree or not author or not committer:
        raise CommitFormatError("commit lacks a tree, author or committer header")
    return RawCommit(tree, parents, author, committer, message, signature, extra, signature_headers)


def parse_trailers(message: str) -> tuple[str, str, dict[str, list[str]]]:
    """Split a message into subject, note and Penholder trailers (the last paragraph)."""
    body = message.rstrip("\n")
    paragraphs = body.split("\n\n")
    if len(paragraphs) < 2:
        raise CommitFormatError("message has no trailer block")
    trailers: dict[str, list[str]] = {}
    for line in paragraphs[-1].split("\n"):
        key, sep, value = line.partition(": ")
        if not sep or not key.startswith(TRAILER_PREFIX):
            raise CommitFormatError(f"not a Penholder trailer: {line[:60]!r}")
        name = key[len(TRAILER_PREFIX) :]
        if name not in TRAILER_KEYS:
            raise CommitFormatError(f"unknown trailer {key!r}")
        trailers.setdefault(name, []).append(value.strip())
    subject = paragraphs[0]
    note = "\n\n".join(paragraphs[1:-1])
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


def version_from_commit(sha: str, raw: RawCommit) -> Version:
    """Read a version's facts from its commit; raises CommitFormatError when they do not parse."""
    subject, note, trailers = parse_trailers(raw.message)
    round_text = _one(trailers, "Round")
    if round_text is None or not round_text.isdigit() or round_text.startswith("0"):
        raise CommitFormatError(f"Penholder-Round {round_text!r} is not a positive number")
    to_text = _one(trailers, "To", required=False)
    to = tuple(t.strip() for t in to_text.split(",")) if to_text else ()
    refers = tuple(trailers.get("Refers", []))
    if any(not re.fullmatch(r"[0-9a-f]{40}", r) for r in refers):
        raise CommitFormatError("Penholder-Refers is not a full sha")
    match = IDENT.match(raw.committer)
    return Version(
        sha=sha,
        parents=tuple(raw.parents),
        tree=raw.tree,
        actor=_one(trailers, "Actor") or "",
        action=_one(trailers, "Action") or "",
        to=to,
        document=_one(trailers, "Document", required=False),
        round=int(round_text),
        refers=refers,
        negotiation=_one(trailers, "Negotiation") or "",
        place=_one(trailers, "Place", required=False),
        date=_one(trailers, "Date", required=False),
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
