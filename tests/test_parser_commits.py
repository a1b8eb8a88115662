"""The parser layer: what Penholder reads from a commit is exactly what git reads, and only the
one canonical form passes. Every refusal is a CommitFormatError naming its rule id.

Table-driven over raw commit bytes (one passing and several failing cases per rule), real-git
checks that git reads the trailers Penholder reads, and CLI refusals of control characters
that write nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import TEXT, Table, git, make_table, snapshot
from penholder.core.errors import CommitFormatError, PenholderError
from penholder.core.model import Action
from penholder.core.store.inputs import decode_draft
from penholder.core.store.negotiation import Negotiation, Request
from penholder.core.trust import sshsig
from penholder.core.trust.commit import parse_commit, version_from_commit
from penholder.core.trust.message import Trailers, build_message
from penholder.core.trust.roster import Actor
from penholder.core.trust.rules import Rule
from penholder.demo.keys import demo_private_key
from penholder.demo.scenario import DEMO_PASSPHRASE, write_demo_keys

NEG = "5b0c3e2e-7d1f-4c1e-9a55-2f1d6b3a9c01"
TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
P1 = "1" * 40
P2 = "2" * 40
WHO = f"State of Qatar <qatar@{NEG}> 1761400000 +0000"
HEAD = f"tree {TREE}\nparent {P1}\nauthor {WHO}\ncommitter {WHO}\n"
TRAILERS = (
    f"Penholder-Negotiation: {NEG}\nPenholder-Action: amend\nPenholder-Actor: qatar\n"
    f"Penholder-To: turkiye, pakistan\nPenholder-Document: accord\nPenholder-Round: 2\n"
    f"Penholder-Refers: {P1}\n"
)
MESSAGE = "Amend clause 3\n\nA note.\n\nSecond paragraph.\n\n" + TRAILERS
KEY = demo_private_key("qatar")


def commit(head: str = HEAD, message: str = MESSAGE) -> bytes:
    return (head + "\n" + message).encode("utf-8")


def signed(head: str = HEAD, message: str = MESSAGE) -> bytes:
    armor = sshsig.sign(KEY, commit(head, message))
    return commit(head + "gpgsig " + armor.rstrip("\n").replace("\n", "\n ") + "\n", message)


SIGNED = signed()
SIG_LINES = SIGNED.split(b"\n\n", 1)[0].split(b"\ngpgsig ", 1)[1]


def with_message(message: str) -> bytes:
    return commit(message=message)


def trailers_with(old: str, new: str) -> bytes:
    assert old in MESSAGE
    return with_message(MESSAGE.replace(old, new, 1))


def read(raw: bytes) -> object:
    """Parse a raw commit into a version (the path every reader takes)."""
    return version_from_commit("0" * 40, parse_commit(raw))


PASSING: dict[str, bytes] = {
    "unsigned": commit(),
    "signed": SIGNED,
    "root without parents": commit(head=HEAD.replace(f"parent {P1}\n", "")),
    "two parents": commit(head=HEAD.replace(f"parent {P1}\n", f"parent {P1}\nparent {P2}\n")),
    "no note": with_message("Amend clause 3\n\n" + TRAILERS),
    "tab in the note": trailers_with("A note.", "A\tnote."),
    "non-ASCII text": trailers_with("Amend clause 3", "Amend clause 3: Türkiye’s text"),
    "round place and date": with_message(
        "Round 2\n\n"
        f"Penholder-Negotiation: {NEG}\nPenholder-Action: round\nPenholder-Actor: qatar\n"
        "Penholder-Round: 2\nPenholder-Place: Istanbul\nPenholder-Date: 2025-10-25\n"
    ),
    "consolidate refers twice": trailers_with(
        f"Penholder-Refers: {P1}\n", f"Penholder-Refers: {P1}\nPenholder-Refers: {P2}\n"
    ),
}

FAILING: dict[str, tuple[bytes, Rule]] = {
    # headers: exactly tree, parent*, author, committer, then at most one gpgsig
    "an encoding header": (commit(head=HEAD + "encoding ISO-8859-1\n"), Rule.COMMIT_HEADERS),
    "a mergetag header": (commit(head=HEAD + "mergetag object " + P1 + "\n"), Rule.COMMIT_HEADERS),
    "a gpgsig-sha256 header": (
        SIGNED.replace(b"\ngpgsig ", b"\ngpgsig-sha256 x\ngpgsig ", 1),
        Rule.COMMIT_HEADERS,
    ),
    "two gpgsig headers": (
        SIGNED.replace(b"\n\nAmend", b"\ngpgsig " + SIG_LINES + b"\n\nAmend", 1),
        Rule.COMMIT_HEADERS,
    ),
    "gpgsig before committer": (
        commit(
            head=HEAD.replace(
                f"committer {WHO}\n", "gpgsig " + SIG_LINES.decode() + f"\ncommitter {WHO}\n"
            )
        ),
        Rule.COMMIT_HEADERS,
    ),
    "parent after author": (
        commit(head=f"tree {TREE}\nauthor {WHO}\nparent {P1}\ncommitter {WHO}\n"),
        Rule.COMMIT_HEADERS,
    ),
    "author first": (
        commit(head=f"author {WHO}\ntree {TREE}\nparent {P1}\ncommitter {WHO}\n"),
        Rule.COMMIT_HEADERS,
    ),
    "tree twice": (commit(head=f"tree {TREE}\n" + HEAD), Rule.COMMIT_HEADERS),
    "author twice": (
        commit(head=HEAD.replace(f"author {WHO}\n", f"author {WHO}\nauthor {WHO}\n")),
        Rule.COMMIT_HEADERS,
    ),
    "committer twice": (commit(head=HEAD + f"committer {WHO}\n"), Rule.COMMIT_HEADERS),
    "no committer": (commit(head=HEAD.replace(f"committer {WHO}\n", "")), Rule.COMMIT_HEADERS),
    "upper-case tree sha": (commit(head=HEAD.replace(TREE, TREE.upper())), Rule.COMMIT_HEADERS),
    "short parent": (commit(head=HEAD.replace(P1, P1[:39])), Rule.COMMIT_HEADERS),
    "space after the tree sha": (
        commit(head=HEAD.replace(TREE, TREE + " ")),
        Rule.COMMIT_HEADERS,
    ),
    "author without a time": (
        commit(head=HEAD.replace(f"author {WHO}", f"author State of Qatar <qatar@{NEG}>")),
        Rule.COMMIT_HEADERS,
    ),
    "author time in superscript digits": (
        commit(head=HEAD.replace(f"author {WHO}", f"author {WHO.replace('1761400000', '³')}")),
        Rule.COMMIT_HEADERS,
    ),
    "author time with a leading zero": (
        commit(head=HEAD.replace(f"author {WHO}", f"author {WHO.replace(' 1761', ' 01761')}")),
        Rule.COMMIT_HEADERS,
    ),
    "a continuation line after author": (
        commit(head=HEAD.replace(f"author {WHO}\n", f"author {WHO}\n more\n")),
        Rule.COMMIT_HEADERS,
    ),
    "an empty gpgsig continuation": (
        SIGNED.replace(b"\n -----END", b"\n \n -----END", 1),
        Rule.COMMIT_HEADERS,
    ),
    "an empty header line": (b"\n" + commit(), Rule.COMMIT_HEADERS),
    "headers not UTF-8": (
        commit().replace(b"State of Qatar", b"State of Q\xe4tar", 1),
        Rule.COMMIT_HEADERS,
    ),
    "no message": (HEAD.encode(), Rule.COMMIT_HEADERS),
    # control and bidi characters, anywhere
    "NUL in the subject": (
        trailers_with("Amend clause 3", "Amend\0 clause 3"),
        Rule.CONTROL_CHARACTERS,
    ),
    "ESC in the note": (trailers_with("A note.", "A \x1b[2Jnote."), Rule.CONTROL_CHARACTERS),
    "CR before a newline": (trailers_with("A note.\n", "A note.\r\n"), Rule.CONTROL_CHARACTERS),
    "DEL in the subject": (trailers_with("Amend", "Am\x7fend"), Rule.CONTROL_CHARACTERS),
    "C1 CSI in the note": (trailers_with("A note.", "A \x9b2J note."), Rule.CONTROL_CHARACTERS),
    "RLO in the subject": (
        trailers_with("Amend clause 3", "Amend \u202eclause 3"),
        Rule.CONTROL_CHARACTERS,
    ),
    "LRI in the note": (trailers_with("A note.", "A \u2066note."), Rule.CONTROL_CHARACTERS),
    "BEL in a trailer": (
        trailers_with("Penholder-Document: accord", "Penholder-Document: acc\x07ord"),
        Rule.CONTROL_CHARACTERS,
    ),
    "ESC in the author's name": (
        commit(head=HEAD.replace("State of Qatar", "State \x1b]0;x\x07of Qatar", 1)),
        Rule.CONTROL_CHARACTERS,
    ),
    # the message is exactly what build_message writes from its parts
    "no final newline": (with_message(MESSAGE.rstrip("\n")), Rule.MESSAGE_FORM),
    "two final newlines": (with_message(MESSAGE + "\n"), Rule.MESSAGE_FORM),
    "trailing space on the subject": (
        trailers_with("Amend clause 3\n", "Amend clause 3 \n"),
        Rule.MESSAGE_FORM,
    ),
    "leading space on the subject": (with_message(" " + MESSAGE), Rule.MESSAGE_FORM),
    "trailing space in the note": (trailers_with("A note.", "A note.  "), Rule.MESSAGE_FORM),
    "a whitespace-only note line": (
        trailers_with("A note.\n", "A note.\n   \nmore\n"),
        Rule.MESSAGE_FORM,
    ),
    "two blank lines in the note": (
        trailers_with("A note.\n\n", "A note.\n\n\n"),
        Rule.MESSAGE_FORM,
    ),
    "a blank line before the subject": (with_message("\n" + MESSAGE), Rule.MESSAGE_FORM),
    "a two-line subject": (
        trailers_with("Amend clause 3\n", "Amend clause 3\nand clause 4\n"),
        Rule.MESSAGE_FORM,
    ),
    "text after the trailers": (with_message(MESSAGE + "\nPS: sign here\n"), Rule.MESSAGE_FORM),
    "no trailer block": (with_message("Amend clause 3\n"), Rule.MESSAGE_FORM),
    "trailers out of order": (
        trailers_with(
            "Penholder-Action: amend\nPenholder-Actor: qatar\n",
            "Penholder-Actor: qatar\nPenholder-Action: amend\n",
        ),
        Rule.MESSAGE_FORM,
    ),
    "a '---' line in the note (git reads a patch from there)": (
        trailers_with("A note.", "A note.\n--- quoted"),
        Rule.MESSAGE_FORM,
    ),
    "an empty Document": (
        trailers_with("Penholder-Document: accord", "Penholder-Document: "),
        Rule.MESSAGE_FORM,
    ),
    # trailers: each once, well formed, numbers in plain ASCII digits
    "round in superscript": (trailers_with("Round: 2", "Round: ³"), Rule.TRAILERS),
    "round in Arabic-Indic digits": (trailers_with("Round: 2", "Round: ٣"), Rule.TRAILERS),
    "round with a plus sign": (trailers_with("Round: 2", "Round: +3"), Rule.TRAILERS),
    "round after two spaces": (trailers_with("Round: 2", "Round:  3"), Rule.TRAILERS),
    "round with a leading zero": (trailers_with("Round: 2", "Round: 03"), Rule.TRAILERS),
    "round zero": (trailers_with("Round: 2", "Round: 0"), Rule.TRAILERS),
    "round with a trailing space": (trailers_with("Round: 2", "Round: 2 "), Rule.TRAILERS),
    "round in fullwidth digits": (trailers_with("Round: 2", "Round: ２"), Rule.TRAILERS),
    "round without a space": (trailers_with("Round: 2", "Round:2"), Rule.TRAILERS),
    "round missing": (trailers_with("Penholder-Round: 2\n", ""), Rule.TRAILERS),
    "actor twice": (
        trailers_with(
            "Penholder-Actor: qatar\n", "Penholder-Actor: qatar\nPenholder-Actor: qatar\n"
        ),
        Rule.TRAILERS,
    ),
    "an unknown Penholder trailer": (
        trailers_with("Penholder-Round: 2\n", "Penholder-Round: 2\nPenholder-Seal: yes\n"),
        Rule.TRAILERS,
    ),
    "a foreign trailer in the block": (
        with_message(MESSAGE + "Signed-off-by: someone\n"),
        Rule.TRAILERS,
    ),
    "upper-case Refers": (trailers_with(f"Refers: {P1}", f"Refers: {'A' * 40}"), Rule.TRAILERS),
    "short Refers": (trailers_with(f"Refers: {P1}", f"Refers: {P1[:12]}"), Rule.TRAILERS),
    "Actor not an actor id": (trailers_with("Actor: qatar", "Actor: Qatar"), Rule.TRAILERS),
    "To without the space": (
        trailers_with("To: turkiye, pakistan", "To: turkiye,pakistan"),
        Rule.TRAILERS,
    ),
    "To ending in a comma": (
        trailers_with("To: turkiye, pakistan", "To: turkiye, "),
        Rule.TRAILERS,
    ),
    "To with a stray name": (
        trailers_with("To: turkiye, pakistan", "To: turkiye, the UN"),
        Rule.TRAILERS,
    ),
}


@pytest.mark.parametrize("name", sorted(PASSING))
def test_canonical_commits_parse_and_rebuild_byte_for_byte(name: str) -> None:
    raw = PASSING[name]
    parsed = parse_commit(raw)
    assert parsed.to_bytes() == raw
    version = version_from_commit("0" * 40, parsed)
    assert version.actor == "qatar"
    assert version.round == 2
    rebuilt = build_message(
        version.subject,
        version.note,
        Trailers(
            version.negotiation,
            version.action,
            version.actor,
            version.to,
            version.document,
            version.round,
            version.refers,
            version.place,
            version.date,
        ),
    )
    assert rebuilt == parsed.message


@pytest.mark.parametrize("name", sorted(FAILING))
def test_non_canonical_commits_are_refused_with_their_rule(name: str) -> None:
    raw, rule = FAILING[name]
    with pytest.raises(CommitFormatError) as caught:
        read(raw)
    assert caught.value.rule == rule, str(caught.value)
    assert "\x1b" not in str(caught.value) and "\0" not in str(caught.value)


def test_every_parser_rule_has_passing_and_failing_cases() -> None:
    rules = {rule for _, rule in FAILING.values()}
    assert rules == {
        Rule.COMMIT_HEADERS,
        Rule.CONTROL_CHARACTERS,
        Rule.MESSAGE_FORM,
        Rule.TRAILERS,
    }
    assert CommitFormatError("x").rule == Rule.TRAILERS


def test_superscript_round_is_refused_not_crashed() -> None:
    raw = trailers_with("Round: 2", "Round: ³")
    assert "³".isdigit()  # what made the old parser call int("³") and crash
    with pytest.raises(CommitFormatError, match="plain ASCII digits") as caught:
        read(raw)
    assert caught.value.rule == Rule.TRAILERS


def _receipt_then_sign() -> bytes:
    """A message git reads up to its NUL (a receipt), followed by a whole `sign` message."""
    receipt = MESSAGE.replace("Action: amend", "Action: receipt")
    sign = MESSAGE.replace("Action: amend", "Action: sign")
    return commit(HEAD.replace(f"parent {P1}\n", ""), receipt + "\0\n" + sign)


@pytest.mark.corrupts_store  # the NUL commit is what git fsck itself flags (nulInCommit)
def test_a_nul_cannot_make_penholder_read_sign_where_git_reads_receipt(tmp_path: Path) -> None:
    raw = _receipt_then_sign()
    # What git reads: the message ends at the NUL, so the trailers say receipt.
    git(tmp_path, "init", "-q", "--bare")
    sha = git(
        tmp_path, "hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=raw
    ).strip()
    action = git(tmp_path, "log", "-1", "--format=%(trailers:key=Penholder-Action,valueonly)", sha)
    assert action.strip() == "receipt"
    # The bytes after the NUL would read as a sign; Penholder refuses the whole commit.
    after = raw.split(b"\0", 1)[1].decode()
    assert "Penholder-Action: sign" in after.rsplit("\n\n", 1)[1]
    with pytest.raises(CommitFormatError) as caught:
        read(raw)
    assert caught.value.rule == Rule.CONTROL_CHARACTERS
    assert "U+0000" in str(caught.value)


def test_git_reads_the_trailers_penholder_writes(tmp_path: Path) -> None:
    """For every passing message, `git interpret-trailers --parse` reads exactly our trailers."""
    for name, raw in PASSING.items():
        message = parse_commit(raw).message
        result = subprocess.run(
            ["git", "interpret-trailers", "--parse"],
            input=message.encode(),
            capture_output=True,
            check=True,
            cwd=tmp_path,
        )
        ours = message.rsplit("\n\n", 1)[1]
        assert result.stdout.decode() == ours, name


def test_build_message_refuses_what_git_would_read_differently() -> None:
    base = Trailers(NEG, "comment", "qatar", ("turkiye",), "accord", 2, (P1,))
    with pytest.raises(CommitFormatError) as caught:
        build_message("Noted", "See below.\n--- \nPenholder-Action: sign", base)
    assert caught.value.rule == Rule.MESSAGE_FORM
    with pytest.raises(CommitFormatError) as caught:
        build_message("Noted \x1b]0;owned\x07", "", base)
    assert caught.value.rule == Rule.CONTROL_CHARACTERS
    assert "the subject holds U+001B" in str(caught.value)
    for bad in (
        Trailers(NEG, "comment", "qatar", ("turkiye",), "accord", 0, (P1,)),
        Trailers(NEG, "comment", "qatar", (" turkiye",), "accord", 2, (P1,)),
        Trailers(NEG, "comment", "qatar", ("turkiye",), "accord", 2, (P1,), place=" Doha"),
    ):
        with pytest.raises(CommitFormatError) as caught:
            build_message("Noted", "", bad)
        assert caught.value.rule == Rule.TRAILERS
    # The note is written in its one canonical form, which reads back as written.
    message = build_message("  Noted  ", "\n\nline one   \n\n\n\nline two\n\n", base)
    assert message.startswith("Noted\n\nline one\n\nline two\n\nPenholder-Negotiation:")


def test_unreadable_commits_keep_their_links_as_git_reads_them() -> None:
    from penholder.core.trust.commit import unreadable_version

    raw = trailers_with("A note.", "A \x1b[2Jnote.")
    stand_in = unreadable_version("f" * 40, raw, "control characters")
    assert stand_in.parents == (P1,)
    assert stand_in.tree == TREE
    assert stand_in.action == ""


# write time: nothing is written ---------------------------------------------------------------


@pytest.fixture
def table(tmp_path: Path) -> Table:
    return make_table(tmp_path / "neg")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Agreed\x1b[2J final"),
        ("note", "Read \x9b2J this"),
        ("subject", "Trojan \u202eevil\u202c"),
        ("text", TEXT + "90 days\x1b[2K\r30 days\n"),
        ("text", TEXT + "clause \u2067Trojan\u2069\n"),
        ("text", TEXT.replace("\n", "\r\n")),
    ],
)
def test_write_time_refuses_control_characters_and_writes_nothing(
    table: Table, field: str, value: str
) -> None:
    before = snapshot(table.path)
    kwargs: dict[str, object] = {"note": value} if field == "note" else {}
    subject = value if field == "subject" else "A proposal"
    text = (value if field == "text" else TEXT).encode()
    request = Request(
        "pakistan",
        Action.PROPOSE,
        subject,
        to=("qatar",),
        document="accord",
        text=text,
        **kwargs,  # type: ignore[arg-type]
    )
    store = table.store
    tips = store.tips
    with pytest.raises(PenholderError) as caught:
        store.act(request, table.keys["pakistan"], when=table.clock + 60)
    assert caught.value.rule == Rule.CONTROL_CHARACTERS
    assert "\n" not in caught.value.message and "\x1b" not in caught.value.message
    assert "U+" in caught.value.message
    assert snapshot(table.path) == before
    assert store.tips == tips


def test_write_time_refuses_control_characters_in_round_and_roster(table: Table) -> None:
    before = snapshot(table.path)
    store = table.store
    for place, date in (("Doha\x1b]0;x\x07", "2025-10-25"), ("Doha", "2025-10-25\u202e")):
        with pytest.raises(PenholderError) as caught:
            store.act(
                Request("qatar", Action.ROUND, "Round 2", round_number=2, place=place, date=date),
                table.keys["qatar"],
                when=table.clock + 60,
            )
        assert caught.value.rule == Rule.CONTROL_CHARACTERS
        assert ("the place" if "\x1b" in place else "the date") in caught.value.message
    roster = store.roster
    renamed = tuple(
        Actor(a.id, a.name + "\x1b[8m" if a.id == "turkiye" else a.name, a.role, a.key)
        for a in roster.actors
    )
    new = type(roster)(roster.negotiation_id, roster.title, roster.convener, renamed, roster.rules)
    with pytest.raises(PenholderError) as caught:
        store.act(
            Request("qatar", Action.ROSTER, "Rename", roster=new),
            table.keys["qatar"],
            when=table.clock + 60,
        )
    assert caught.value.rule == Rule.CONTROL_CHARACTERS
    assert "the name of turkiye" in caught.value.message
    assert snapshot(table.path) == before


def test_create_refuses_control_characters_before_making_the_folder(tmp_path: Path) -> None:
    from helpers import make_roster

    keys = {a: demo_private_key(a) for a in ("qatar", "turkiye", "pakistan", "afghanistan")}
    roster = make_roster(keys)
    titled = type(roster)(
        roster.negotiation_id, "Talks\u202e", roster.convener, roster.actors, roster.rules
    )
    for kwargs, which in (
        ({"roster": titled}, "title"),
        ({"roster": roster, "place": "Doha\x07"}, "place"),
        ({"roster": roster, "subject": "Open\x1b[2J"}, "subject"),
    ):
        target = tmp_path / which
        with pytest.raises(PenholderError) as caught:
            Negotiation.create(target, key=keys["qatar"], **kwargs)
        assert caught.value.rule == Rule.CONTROL_CHARACTERS
        assert which in caught.value.message
        assert not target.exists()


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"\xff\xfe not utf-8", Rule.DOCUMENT_ENCODING),
        (b"text\0more", Rule.CONTROL_CHARACTERS),
        (b"line\r\n", Rule.CONTROL_CHARACTERS),
        (b"ok\n90 days\x1b[2K\r30 days\n", Rule.CONTROL_CHARACTERS),
        ("bidi \u202d here\n".encode(), Rule.CONTROL_CHARACTERS),
        ("C1 \x85 next line\n".encode(), Rule.CONTROL_CHARACTERS),
    ],
)
def test_decode_draft_refuses_bad_encodings_and_unsafe_characters(data: bytes, rule: Rule) -> None:
    with pytest.raises(PenholderError) as caught:
        decode_draft(data, "accord.md", 1_000_000)
    assert caught.value.rule == rule
    assert "\n" not in caught.value.message
    if rule == Rule.CONTROL_CHARACTERS:
        assert "line 2" in caught.value.message or "line 1" in caught.value.message


def test_decode_draft_accepts_text_with_tabs() -> None:
    assert decode_draft("a\tb\nTürkiye\n".encode(), "accord.md", 100) == "a\tb\nTürkiye\n"


# through the command line ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_table(tmp_path_factory: pytest.TempPathFactory) -> tuple[Table, dict[str, str], Path]:
    base = tmp_path_factory.mktemp("cli-parser")
    table = make_table(base / "neg")
    table.propose()
    home = base / "home"
    write_demo_keys(home, {a: table.keys[a] for a in ("pakistan", "qatar")}, {})
    env = dict(
        os.environ,
        PENHOLDER_HOME=str(home),
        PENHOLDER_PASSPHRASE=DEMO_PASSPHRASE,
        PENHOLDER_REPO=str(table.path),
    )
    return table, env, base


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "penholder", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


CLI_CASES: list[tuple[str, Callable[[Path], list[str]]]] = [
    (
        "propose with an escape in the subject",
        lambda base: [
            "propose", "--as", "pakistan", "--doc", "annex", "--file", str(base / "clean.md"),
            "--to", "qatar", "-m", "Annex\x1b]0;owned\x07",
        ],
    ),
    (
        "propose with an escape in the draft",
        lambda base: [
            "propose", "--as", "pakistan", "--doc", "annex", "--file", str(base / "dirty.md"),
            "--to", "qatar", "-m", "Annex",
        ],
    ),
    (
        "amend with an escape in the draft",
        lambda base: [
            "amend", "--as", "qatar", "--doc", "accord", "--file", str(base / "dirty.md"),
            "--to", "turkiye", "-m", "Amended", "--refers", "pakistan",
        ],
    ),
    (
        "amend with a bidi override in the note",
        lambda base: [
            "amend", "--as", "qatar", "--doc", "accord", "--file", str(base / "clean.md"),
            "--to", "turkiye", "-m", "Amended", "--note", "see \u202eevil", "--refers", "pakistan",
        ],
    ),
    (
        "comment with an escape in the text",
        lambda base: ["comment", "--as", "qatar", "--refers", "pakistan", "-m", "ok\x1b[2J"],
    ),
]  # fmt: skip


@pytest.mark.parametrize("name", [name for name, _ in CLI_CASES])
def test_cli_refuses_control_characters_in_one_line_and_writes_nothing(
    cli_table: tuple[Table, dict[str, str], Path], name: str
) -> None:
    table, env, base = cli_table
    (base / "clean.md").write_text(TEXT + "\n## Annex\n\nClean.\n", encoding="utf-8")
    (base / "dirty.md").write_text(TEXT + "90 days\x1b[2K\r30 days\n", encoding="utf-8")
    args = dict(CLI_CASES)[name](base)
    before = snapshot(table.path)
    result = _run(env, *args)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("penholder: control-characters: "), lines[0]
    assert "U+" in lines[0]
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(table.path) == before


def test_cli_still_acts_on_clean_input(cli_table: tuple[Table, dict[str, str], Path]) -> None:
    """The refusals above are not a broken CLI: the same command with clean input is stored."""
    table, env, base = cli_table
    (base / "clean.md").write_text(TEXT + "\n## Annex\n\nClean.\n", encoding="utf-8")
    before = snapshot(table.path)
    result = _run(
        env, "propose", "--as", "pakistan", "--doc", "annex2", "--file", str(base / "clean.md"),
        "--to", "qatar", "-m", "Annex two",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert snapshot(table.path) != before


def test_cli_reads_windows_line_endings_as_plain_newlines(
    cli_table: tuple[Table, dict[str, str], Path],
) -> None:
    """A draft saved with CRLF is the same text: it is stored with plain newlines, said so on
    stderr; a lone carriage return (which can hide text on a terminal) is still refused."""
    table, env, base = cli_table
    (base / "crlf.md").write_bytes(
        (TEXT + "\n## Annex\n\nWindows.\n").replace("\n", "\r\n").encode()
    )
    result = _run(
        env, "propose", "--as", "pakistan", "--doc", "annex3", "--file", str(base / "crlf.md"),
        "--to", "qatar", "-m", "Annex three",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "CRLF" in result.stderr
    store = Negotiation(table.path)
    stored = store.text_of(store.resolve(result.stdout.split()[-1]))
    assert "\r" not in stored and stored.endswith("Windows.\n")
    (base / "lone.md").write_bytes((TEXT + "90 days\r30 days\n").encode())
    before = snapshot(table.path)
    refused = _run(
        env, "propose", "--as", "pakistan", "--doc", "annex4", "--file", str(base / "lone.md"),
        "--to", "qatar", "-m", "Annex four",
    )  # fmt: skip
    assert refused.returncode == 1 and "control-characters" in refused.stderr
    assert snapshot(table.path) == before
