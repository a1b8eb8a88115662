"""A negotiation whose history carries hostile text, crafted by hand with the demo keys.

The store refuses control and bidi characters when it writes, but a history made by hand can
carry them: a subject, a note and a draft holding terminal escape sequences (clear the screen,
rename the window, rewrite a line so that "90 days" shows as "30 days") and a bidi override,
and subjects and notes that look like Rich/Textual markup. Every painter must show them as
visible marks and literal text, never as their effect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from helpers import TEXT, Table, git, make_table
from penholder.core.model import Action
from penholder.core.trust import sshsig
from penholder.core.trust.commit import parse_commit
from penholder.demo.keys import demo_private_key

# Every character no painter may let through to a terminal: C0 but newline and tab, DEL, C1,
# and the bidi embedding, override and isolate controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

CLEAR = "\x1b[2J"
TITLE = "\x1b]0;owned\x07"
SUBJECT = f"Agreed text{CLEAR} final{TITLE} \u202eevil\u202c"
NOTE = "Read\x1b[31m red\x1b[0m and \x9b2J C1 too"
DAYS = "2.1 Forces withdraw within 90 days\x1b[2K\r30 days."
TABS = "2.2 Monitors\tcount\tto three."  # tabs are allowed; painters must not send them raw
DRAFT = (
    TEXT + "\n## 2. Withdrawal\n\n" + DAYS + "\n\n" + TABS + "\n\nclause \u202eTrojan\u202c end\n"
)
MARKUP_SUBJECT = "Noted [/]"
MARKUP_NOTE = "[bold red]x[/bold red] and [link=https://example.org]y[/link] [$accent]z"

AMEND_SUBJECT = "Amend clause 2: withdrawal"
AMEND_NOTE = "Ninety days, as agreed in Doha."

_TEMPLATE_SUBJECT = "TEMPLATE-SUBJECT"
_TEMPLATE_NOTE = "TEMPLATE-NOTE"
_TEMPLATE_TEXT = TEXT + "\nTEMPLATE-TEXT\n"


@dataclass(frozen=True)
class Hostile:
    table: Table
    forward: str  # qatar's forward of pakistan's proposal (clean text)
    amend: str  # afghanistan's amend: a clean message, the hostile draft, properly signed
    noted: str  # qatar's comment on it: subject "Noted [/]", a note of markup (stored honestly)
    escaped: str  # pakistan's comment on it: the hostile subject and note, properly signed

    @property
    def repo(self) -> Path:
        return self.table.path


def _blob(repo: Path, data: bytes) -> str:
    return git(repo, "hash-object", "-w", "--stdin", input=data).strip()


def _replace(repo: Path, tree: str, path: list[str], data: bytes) -> str:
    """The sha of `tree` with the file at `path` replaced by `data` (trees rebuilt by git)."""
    lines = [line for line in git(repo, "ls-tree", tree).splitlines() if line]
    out = []
    for line in lines:
        meta, name = line.split("\t", 1)
        mode, kind, sha = meta.split()
        if name == path[0]:
            sha = _blob(repo, data) if len(path) == 1 else _replace(repo, sha, path[1:], data)
        out.append(f"{mode} {kind} {sha}\t{name}")
    return git(repo, "mktree", input=("\n".join(out) + "\n").encode()).strip()


def recraft(
    table: Table,
    template: str,
    actor: str,
    *,
    subject: str | None = None,
    note: str | None = None,
    draft: str | None = None,
) -> str:
    """The honest version `template` (the tip of `actor`'s branch) rewritten by hand: its
    template subject, note or draft replaced, re-signed with the actor's demo key and put on
    its branch in its place. The store refuses such text when it writes; a history made by
    hand can carry it."""
    repo = table.path
    commit = parse_commit(git(repo, "cat-file", "commit", template).encode())
    if subject is not None:
        assert _TEMPLATE_SUBJECT in commit.message
        commit.message = commit.message.replace(_TEMPLATE_SUBJECT, subject)
    if note is not None:
        assert _TEMPLATE_NOTE in commit.message
        commit.message = commit.message.replace(_TEMPLATE_NOTE, note)
    if draft is not None:
        commit.tree = _replace(repo, commit.tree, ["drafts", "accord.md"], draft.encode())
    commit.signature = sshsig.sign(demo_private_key(actor), commit.payload())
    sha = git(
        repo, "hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=commit.to_bytes()
    ).strip()
    git(repo, "update-ref", f"refs/heads/{actor}", sha, template)
    # The honest template is now unreachable: drop the derived cache that still lists it.
    (repo / "penholder" / "versions.idx").unlink(missing_ok=True)
    return sha


def craft(table: Table) -> Hostile:
    """Propose, forward; afghanistan's amend carrying the hostile draft under a clean message;
    qatar's comment on it whose subject and note look like markup; then pakistan's comment on
    it whose subject and note hold terminal escapes and a bidi override.

    The hostile message comes last, on its own branch: a parser that refuses it (rule
    control-characters) leaves the rest of the history readable, and every painter must still
    show what it does show of that commit safely."""
    proposal = table.propose()
    forward = table.forward("qatar", proposal, ("afghanistan", "turkiye"))
    template = table.act(
        "afghanistan",
        Action.AMEND,
        AMEND_SUBJECT,
        refers=(forward.sha,),
        document="accord",
        text=_TEMPLATE_TEXT.encode(),
        to=("qatar", "turkiye"),
        note=AMEND_NOTE,
    )
    amend = recraft(table, template.sha, "afghanistan", draft=DRAFT)
    noted = table.act(
        "qatar",
        Action.COMMENT,
        MARKUP_SUBJECT,
        refers=(amend,),
        document="accord",
        to=("turkiye",),
        note=MARKUP_NOTE,
    )
    comment = table.act(
        "pakistan",
        Action.COMMENT,
        _TEMPLATE_SUBJECT,
        refers=(amend,),
        document="accord",
        to=("qatar", "turkiye"),
        note=_TEMPLATE_NOTE,
    )
    escaped = recraft(table, comment.sha, "pakistan", subject=SUBJECT, note=NOTE)
    return Hostile(table, forward.sha, amend, noted.sha, escaped)


def hostile_table(path: Path) -> Hostile:
    return craft(make_table(path))
