"""Raw git commit objects: built and parsed byte for byte. No I/O.

The parser reads a commit exactly as git reads it and accepts only the one canonical form
Penholder writes: headers `tree`, `parent`*, `author`, `committer` and at most one `gpgsig`,
in that order; a message in the one form `message.build_message` writes; no control or bidi
character anywhere. Anything else is a `CommitFormatError` naming its rule id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from penholder.core.errors import CommitFormatError
from penholder.core.model import SHA, Version
from penholder.core.trust.message import parse_message, unsafe_error
from penholder.core.trust.rules import Rule

IDENT = re.compile(
    r"^(?P<name>[^<>\n]*) <(?P<email>[^<>\n]*)> (?P<time>0|[1-9][0-9]{0,14}) (?P<tz>[+-][0-9]{4})$"
)


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
    problem = unsafe_error(head, "the commit headers") or unsafe_error(message, "the message")
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


def unreadable_version(sha: str, data: bytes, problem: str) -> Version:
    """A stand-in for a commit that does not parse, linked to its parents as git reads them, so
    its descendants can be read (it fails verify and never counts)."""
    tree, parents, author = commit_links(data)
    return Version(
        sha, parents, tree, "", "", (), None, 1, (), "", None, None, problem, "", 0, author, author
    )


__all__ = [
    "RawCommit",
    "commit_links",
    "ident",
    "parse_commit",
    "unreadable_version",
    "version_from_commit",
]
