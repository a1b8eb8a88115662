"""Hostile input: every malformed commit, signature armor or roster gives one clean error.

In CI (CI set) each target runs 10,000 examples; locally 500.
"""

from __future__ import annotations

import contextlib
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import git, make_table
from penholder.core.errors import CommitFormatError, InputError, SignatureFormError
from penholder.core.model import SignatureStatus
from penholder.core.trust import sshsig
from penholder.core.trust.commit import parse_commit, version_from_commit
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.message import parse_trailers
from penholder.core.trust.roster import Actor, Roster, Rules, parse_roster
from penholder.core.views.signatures import signature_status
from penholder.demo.keys import demo_private_key

EXAMPLES = 10_000 if os.environ.get("CI") else 500
FUZZ = settings(max_examples=EXAMPLES, deadline=2000, suppress_health_check=list(HealthCheck))
# The real-commit targets: a few hundred examples each, no deadline (the first example warms up).
REAL = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))

KEY = demo_private_key("qatar")
KEY_LINE = public_key_line(KEY.public_key())
COMMIT = (
    b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
    b"parent 1111111111111111111111111111111111111111\n"
    b"author State of Qatar <qatar@5b0c3e2e-7d1f-4c1e-9a55-2f1d6b3a9c01> 1761400000 +0000\n"
    b"committer State of Qatar <qatar@5b0c3e2e-7d1f-4c1e-9a55-2f1d6b3a9c01> 1761400000 +0000\n"
    b"\nAmend clause 3\n\nA note.\n\n"
    b"Penholder-Negotiation: 5b0c3e2e-7d1f-4c1e-9a55-2f1d6b3a9c01\nPenholder-Action: amend\n"
    b"Penholder-Actor: qatar\nPenholder-To: turkiye, pakistan\nPenholder-Document: accord\n"
    b"Penholder-Round: 2\nPenholder-Refers: 1111111111111111111111111111111111111111\n"
)
ARMOR = sshsig.sign(KEY, COMMIT)
SIGNED = COMMIT.replace(
    b"\n\nAmend", b"\ngpgsig " + ARMOR.rstrip("\n").replace("\n", "\n ").encode() + b"\n\nAmend", 1
)
# The roster as the store writes it: the one layout parse_roster reads.
ROSTER = Roster(
    "5b0c3e2e-7d1f-4c1e-9a55-2f1d6b3a9c01",
    "Talks",
    "qatar",
    (Actor("qatar", "State of Qatar", "mediator", KEY_LINE),),
    Rules(witness_quorum=1),
).to_toml()


@st.composite
def mutated(draw: st.DrawFn, original: bytes, span: tuple[int, int] | None = None) -> bytes:
    """The original with a few bytes flipped, cut, duplicated or inserted (within `span`,
    the start and end of a region, when given)."""
    data = bytearray(original)
    start, end = span or (0, len(original))
    for _ in range(draw(st.integers(1, 6))):
        if not data or start >= min(end, len(data)):
            break
        at = draw(st.integers(start, min(end, len(data)) - 1))
        kind = draw(st.sampled_from(["flip", "cut", "dup", "insert", "truncate"]))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "dup":
            data[at:at] = data[at : at + draw(st.integers(1, 80))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
        else:
            del data[at:]
    return bytes(data)


def _parse_version(data: bytes) -> SignatureStatus | None:
    """The signature status of `data` read as a signed commit, None if it is refused as one;
    nothing but a CommitFormatError may escape."""
    try:
        commit = parse_commit(data)
        version_from_commit("0" * 40, commit)
    except CommitFormatError:
        return None
    status = signature_status(data, commit.signature, KEY_LINE)[0]
    assert status in set(SignatureStatus)
    return status


@FUZZ
@given(mutated(SIGNED))
def test_mutated_commits_parse_or_fail_cleanly_and_never_verify(data: bytes) -> None:
    status = _parse_version(data)
    # Only the original bytes verify: the signature covers everything but its own header,
    # and that header is read in its one canonical form.
    if data != SIGNED:
        assert status != SignatureStatus.GOOD, data


# The signature's own header: the one part of a commit its signature does not cover.
GPGSIG = (SIGNED.index(b"\ngpgsig ") + 1, SIGNED.index(b"\n\nAmend") + 1)


@FUZZ
@given(mutated(SIGNED, GPGSIG))
def test_a_commit_whose_signature_header_is_mutated_never_verifies(data: bytes) -> None:
    if data != SIGNED:
        assert _parse_version(data) != SignatureStatus.GOOD, data


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_as_commits_fail_cleanly(data: bytes) -> None:
    assert _parse_version(data) != SignatureStatus.GOOD


@FUZZ
@given(st.text(max_size=400))
def test_random_messages_as_trailers_fail_cleanly(message: str) -> None:
    with contextlib.suppress(CommitFormatError):
        parse_trailers(message)


@FUZZ
@given(mutated(ARMOR.encode()))
def test_mutated_signature_armor_fails_cleanly_and_never_verifies(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        parsed = sshsig.parse(text)
    except SignatureFormError:
        return
    # The one other form that reads the same: without the final newline (as a commit's
    # gpgsig header carries it).
    if text not in (ARMOR, ARMOR.removesuffix("\n")):
        assert not parsed.verify(COMMIT), text


@FUZZ
@given(mutated(ROSTER.encode()))
def test_mutated_rosters_fail_cleanly(data: bytes) -> None:
    try:
        roster = parse_roster(data.decode("utf-8", "replace"))
    except InputError:
        return
    assert roster.actors


def test_the_originals_are_valid() -> None:
    commit = parse_commit(SIGNED)
    assert version_from_commit("0" * 40, commit).action == "amend"
    assert signature_status(SIGNED, commit.signature, KEY_LINE)[0] == SignatureStatus.GOOD
    assert sshsig.parse(ARMOR).verify(COMMIT)
    assert parse_roster(ROSTER).convener == "qatar"


# A real signed commit, as the store writes it -------------------------------------------------


@pytest.fixture(scope="module")
def real_commit(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, str]:
    """qatar's forward of pakistan's proposal in a demo table: its raw bytes and qatar's key."""
    table = make_table(tmp_path_factory.mktemp("fuzz") / "neg")
    forward = table.forward("qatar", table.propose(), ("afghanistan", "turkiye"))
    raw = git(table.path, "cat-file", "commit", forward.sha).encode("utf-8")
    return raw, public_key_line(table.keys["qatar"].public_key())


@st.composite
def line_mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """The original with whole lines duplicated, deleted, swapped or blanked."""
    lines = original.split(b"\n")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["dup", "delete", "swap", "blank", "indent"]))
        if kind == "dup":
            lines.insert(at, lines[at])
        elif kind == "delete" and len(lines) > 1:
            del lines[at]
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif kind == "blank":
            lines[at] = b""
        else:
            lines[at] = b" " + lines[at]
    return b"\n".join(lines)


def _never_good_unless_original(data: bytes, original: bytes, key_line: str) -> None:
    """A mutated commit parses into a version or is refused with a CommitFormatError (no other
    exception), and its signature is never good: only the original bytes verify."""
    try:
        commit = parse_commit(data)
        version = version_from_commit("0" * 40, commit)
    except CommitFormatError as exc:
        assert exc.rule in {
            "commit-headers",
            "control-characters",
            "message-form",
            "trailers",
        }
        return
    assert version.actor
    status = signature_status(data, commit.signature, key_line)[0]
    assert status in set(SignatureStatus)
    if data != original:
        assert status != SignatureStatus.GOOD, data


@REAL
@given(data=st.data())
def test_mutated_real_commits_never_verify_and_never_crash(
    real_commit: tuple[bytes, str], data: st.DataObject
) -> None:
    original, key_line = real_commit
    mutant = data.draw(mutated(original))
    _never_good_unless_original(mutant, original, key_line)


@REAL
@given(data=st.data())
def test_line_mutated_real_commits_never_verify_and_never_crash(
    real_commit: tuple[bytes, str], data: st.DataObject
) -> None:
    original, key_line = real_commit
    mutant = data.draw(line_mutated(original))
    _never_good_unless_original(mutant, original, key_line)


def test_the_real_commit_is_good(real_commit: tuple[bytes, str]) -> None:
    original, key_line = real_commit
    commit = parse_commit(original)
    assert version_from_commit("0" * 40, commit).action == "forward"
    assert signature_status(original, commit.signature, key_line)[0] == SignatureStatus.GOOD
