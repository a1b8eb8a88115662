"""Penholder reads git as git does, and fails closed on what git would read otherwise.

Each case is built through real git in a temp folder, with commits crafted by hand and signed
with the demo keys: replace refs, grafts, shallow files, symbolic refs and non-commits as
branch tips, junk in a loose ref, non-canonical trees, drafts that are not safe text, roster
TOML too deep or too big, a root without a roster. Each asserts the rule id `penholder verify`
reports, and that no command answers with a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import TEXT, Table, git, penholder, shuttle, snapshot
from hostile import _replace
from penholder.core.errors import InputError, StoreError, TreeFormatError
from penholder.core.model import Action
from penholder.core.store.gitobjects import parse_tree, tree_bytes
from penholder.core.store.gitrepo import GitRepo
from penholder.core.store.negotiation import Negotiation
from penholder.core.store.trusted_root import record_trusted_root
from penholder.core.trust import sshsig
from penholder.core.trust.commit import parse_commit
from penholder.core.trust.keylines import fingerprint
from penholder.core.trust.roster import MAX_TOML_BYTES, Rules, load_toml, parse_roster
from penholder.core.trust.rules import Rule
from penholder.core.views.verify import verify
from penholder.demo.keys import demo_private_key

# Most cases break the store on purpose: git fsck is not expected to stay clean after them.
pytestmark = pytest.mark.corrupts_store

CONVENER_FP = fingerprint(demo_private_key("qatar").public_key())


# crafting ------------------------------------------------------------------------------------


def _write(repo: Path, kind: str, data: bytes) -> str:
    return git(repo, "hash-object", "-t", kind, "-w", "--stdin", "--literally", input=data).strip()


def _tip(repo: Path, branch: str) -> str:
    return git(repo, "rev-parse", f"refs/heads/{branch}").strip()


def resign(repo: Path, sha: str, actor: str, *, tree: str | None = None) -> str:
    """`sha` with its tree swapped, signed again with `actor`'s demo key, moved onto the
    actor's branch in its place (it must be that branch's tip)."""
    commit = parse_commit(git(repo, "cat-file", "commit", sha).encode())
    if tree is not None:
        commit.tree = tree
    commit.signature = sshsig.sign(demo_private_key(actor), commit.payload())
    new = _write(repo, "commit", commit.to_bytes())
    git(repo, "update-ref", f"refs/heads/{actor}", new, sha)
    (repo / "penholder" / "versions.idx").unlink(missing_ok=True)
    return new


def new_root(table: Table, tree: str) -> str:
    """Replace the root (qatar's only version) by one with `tree`, signed by qatar, trusted."""
    repo = table.path
    root = _tip(repo, "qatar")
    new = resign(repo, root, "qatar", tree=tree)
    record_trusted_root(repo, new)
    return new


def raw_entries(repo: Path, tree: str) -> list[tuple[bytes, bytes, bytes]]:
    """(mode, name, 20-byte sha) of each entry of `tree`, in stored order."""
    return [
        (mode.encode(), name.encode(), bytes.fromhex(sha))
        for mode, name, sha in parse_tree(
            subprocess.run(
                ["git", "-C", str(repo), "cat-file", "tree", tree], capture_output=True, check=True
            ).stdout
        )
    ]


def tree_of(entries: list[tuple[bytes, bytes, bytes]]) -> bytes:
    return b"".join(mode + b" " + name + b"\0" + sha for mode, name, sha in entries)


def proposal(table: Table) -> tuple[str, str]:
    """pakistan's proposal (its branch tip) and its tree."""
    v = table.propose()
    return v.sha, v.tree


def verify_json(repo: Path) -> dict[str, object]:
    result = penholder(repo, "verify", "--json")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stdout
    out: dict[str, object] = json.loads(result.stdout)
    return out


def rules_of(report: dict[str, object]) -> set[tuple[str, str]]:
    failures = report["failures"]
    assert isinstance(failures, list)
    return {(f["rule"], f["sha"]) for f in failures}


def rule_ids(report: dict[str, object]) -> set[str]:
    return {rule for rule, _ in rules_of(report)}


def one_line_refusal(result: subprocess.CompletedProcess[str], rule: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"penholder: {rule}: "), result.stderr


# replace refs, grafts, shallow files ---------------------------------------------------------


def test_a_replace_ref_changes_nothing_penholder_reads_and_verify_reports_it(
    table: Table,
) -> None:
    repo = table.path
    signed, _ = proposal(table)
    original = git(repo, "--no-replace-objects", "cat-file", "commit", signed)
    forged = original.replace("pakistan propose", "pakistan proposes a forged text")
    forged_sha = _write(repo, "commit", forged.encode())
    git(repo, "replace", signed, forged_sha)
    assert git(repo, "cat-file", "commit", signed) == forged  # plain git shows the forgery

    store = GitRepo(repo)
    try:
        assert store.read(signed) == ("commit", original.encode())
        assert store.read_many([signed])[signed] == ("commit", original.encode())
    finally:
        store.close()
    negotiation = Negotiation(repo, use_cache=False)
    assert negotiation.version(signed).subject == "pakistan propose"
    negotiation.close()

    report = verify_json(repo)
    assert rules_of(report) == {(Rule.REF_FORM, signed)}  # the forgery is never read
    failures = report["failures"]
    assert isinstance(failures, list)
    assert [f["rule"] for f in failures] == [Rule.REF_FORM]
    assert "replace ref" in failures[0]["message"]


def test_grafts_are_refused_and_reported(table: Table) -> None:
    repo = table.path
    signed, _ = proposal(table)
    root = _tip(repo, "qatar")
    (repo / "info").mkdir(exist_ok=True)
    (repo / "info" / "grafts").write_text(f"{signed}\n")  # cut the proposal from its root
    assert root not in git(repo, "rev-list", signed)  # plain git follows the graft

    store = GitRepo(repo, hazards_ok=True)
    try:
        assert store.rev_list([signed]) == [root, signed]  # Penholder reads the stored parents
    finally:
        store.close()
    report = verify_json(repo)
    assert Rule.REF_FORM in rule_ids(report)
    one_line_refusal(penholder(repo, "status"), Rule.REF_FORM)


def test_a_shallow_repository_is_refused_and_reported(table: Table) -> None:
    repo = table.path
    signed, _ = proposal(table)
    (repo / "shallow").write_text(f"{signed}\n")
    report = verify_json(repo)
    assert Rule.REF_FORM in rule_ids(report)
    one_line_refusal(penholder(repo, "log"), Rule.REF_FORM)
    with pytest.raises(StoreError) as refused:
        Negotiation(repo)
    assert refused.value.rule == Rule.REF_FORM


def test_a_shallow_cut_inside_the_history_is_reported_not_a_crash(table: Table) -> None:
    """A shallow file naming a version with others on top: git would hide its parents; verify
    reports the hazard and reads nothing else (it used to crash on the missing parents)."""
    repo = table.path
    signed, _ = proposal(table)
    table.forward("qatar", Negotiation(repo).version(signed), ("afghanistan", "turkiye"))
    (repo / "shallow").write_text(f"{signed}\n")
    assert rule_ids(verify_json(repo)) == {Rule.REF_FORM}
    plain = penholder(repo, "verify")
    assert plain.returncode == 1 and "Traceback" not in plain.stderr


def test_an_unreadable_trusted_root_record_fails_root(table: Table) -> None:
    repo = table.path
    proposal(table)
    (repo / "penholder" / "trusted-root").write_bytes(b"\xff\xfe not a sha \x00\n")
    assert Rule.ROOT in rule_ids(verify_json(repo))
    for command in ("doctor", "certificate"):
        done = penholder(repo, command, *(["pakistan"] if command == "certificate" else []))
        assert "Traceback" not in done.stderr, done.stderr


# branch tips ---------------------------------------------------------------------------------


def test_a_symbolic_ref_under_refs_heads_is_a_failure_and_not_a_tip(table: Table) -> None:
    repo = table.path
    proposal(table)
    git(repo, "symbolic-ref", "refs/heads/turkiye", "refs/heads/pakistan")
    store = GitRepo(repo)
    try:
        assert "turkiye" not in store.branches()
    finally:
        store.close()
    report = verify_json(repo)
    failures = report["failures"]
    assert isinstance(failures, list)
    assert [(f["rule"], f["actor"]) for f in failures] == [(Rule.REF_FORM, "turkiye")]


@pytest.mark.parametrize("kind", ["tag", "blob", "tree"])
def test_a_non_commit_as_a_branch_tip_is_a_failure(table: Table, kind: str) -> None:
    repo = table.path
    signed, tree = proposal(table)
    if kind == "tag":
        git(repo, "tag", "-a", "-m", "a tag, not a version", "t", signed)
        target = git(repo, "rev-parse", "refs/tags/t").strip()
    elif kind == "blob":
        target = _write(repo, "blob", b"not a version\n")
    else:
        target = tree
    # git's update-ref refuses a non-commit under refs/heads/: the file is written by hand.
    (repo / "refs" / "heads" / "afghanistan").write_text(target + "\n")
    assert git(repo, "for-each-ref", "--format=%(objecttype)", "refs/heads/afghanistan") == (
        kind + "\n"
    )
    report = verify_json(repo)
    assert (Rule.REF_FORM, target) in rules_of(report)
    store = GitRepo(repo)
    try:
        assert "afghanistan" not in store.branches()
    finally:
        store.close()


@pytest.mark.parametrize(
    "junk", [" junk\n", "\n\ntrailing lines\n", "junk\n", "\t\n", "0\n"], ids=repr
)
def test_a_loose_ref_with_junk_is_read_exactly_as_git_reads_it(table: Table, junk: str) -> None:
    repo = table.path
    signed, _ = proposal(table)
    (repo / "refs" / "heads" / "pakistan").write_text(signed + junk)
    listed = git(repo, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/")
    as_git = {
        ref.removeprefix("refs/heads/"): sha
        for ref, sha in (line.split(" ") for line in listed.splitlines())
    }
    store = GitRepo(repo)
    try:
        assert store.branches() == as_git
    finally:
        store.close()
    assert ("pakistan" in as_git) == junk[0].isspace()  # git takes `sha<space>…`, not `sha…`
    result = penholder(repo, "verify", "--json")
    assert "Traceback" not in result.stderr
    json.loads(result.stdout)


def test_a_tip_whose_object_is_missing_is_a_failure_not_a_crash(table: Table) -> None:
    repo = table.path
    proposal(table)
    missing = "1234567890" * 4
    (repo / "refs" / "heads" / "afghanistan").write_text(missing + "\n")
    store = GitRepo(repo)
    try:
        tips, problems = store.read_refs()
    finally:
        store.close()
    assert "afghanistan" not in tips and "pakistan" in tips
    assert [(p.ref, p.rule) for p in problems] == [("refs/heads/afghanistan", Rule.REF_FORM)]


# trees ---------------------------------------------------------------------------------------


def _hostile_tree(table: Table, edit: str) -> tuple[str, str]:
    """pakistan's proposal with its root tree made non-canonical by `edit`: (new sha, tree)."""
    repo = table.path
    signed, tree = proposal(table)
    entries = raw_entries(repo, tree)
    by_name = {name: (mode, name, sha) for mode, name, sha in entries}
    if edit == "duplicate":
        entries.insert(1, by_name[b"allowed_signers"])
    elif edit == "unsorted":
        entries = [entries[-1], *entries[:-1]]
    elif edit == "zero-padded":
        entries = [(b"040000" if m == b"40000" else m, n, s) for m, n, s in entries]
    elif edit == "bad-mode":
        entries = [(b"100666" if n == b"allowed_signers" else m, n, s) for m, n, s in entries]
    elif edit == "tree-as-name/":
        # git orders a tree named "drafts" as "drafts/": after "drafts.md", not before it.
        blob = _write(repo, "blob", b"x\n")
        entries = sorted(
            [*entries, (b"100644", b"drafts.md", bytes.fromhex(blob))], key=lambda e: e[1]
        )
    hostile = _write(repo, "tree", tree_of(entries))
    return resign(repo, signed, "pakistan", tree=hostile), hostile


@pytest.mark.parametrize(
    "edit", ["duplicate", "unsorted", "zero-padded", "bad-mode", "tree-as-name/"]
)
def test_a_non_canonical_tree_fails_tree_form(table: Table, edit: str) -> None:
    new, tree = _hostile_tree(table, edit)
    report = verify_json(table.path)
    assert (Rule.TREE_FORM, new) in rules_of(report)
    if edit in ("duplicate", "unsorted", "zero-padded"):
        # git's own fsck finds these too: Penholder is not stricter than git about them.
        fsck = subprocess.run(
            ["git", "-C", str(table.path), "fsck", "--strict", "--no-dangling"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert tree in fsck.stdout + fsck.stderr


def test_the_store_refuses_to_read_a_non_canonical_tree_in_one_line(table: Table) -> None:
    new, _ = _hostile_tree(table, "unsorted")
    result = penholder(table.path, "show", new)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"penholder: {Rule.TREE_FORM}: ")


@pytest.mark.parametrize(
    "data",
    [
        b"100644",
        b"100644 name",
        b"100644 name\0" + b"\x01" * 19,
        b"40000 drafts\0" + b"\x01" * 20 + b"100644",
        b"0100644 a\0" + b"\x01" * 20,
        b"100644 \0" + b"\x01" * 20,
        b"100644 a/b\0" + b"\x01" * 20,
        b"100644 ..\0" + b"\x01" * 20,
        b"100644 \xff\0" + b"\x01" * 20,
        b"\xff\xfe \xff\0" + b"\x01" * 20,
        b"100644 b\0" + b"\x01" * 20 + b"100644 a\0" + b"\x01" * 20,
        b"100644 a\0" + b"\x01" * 20 + b"100644 a\0" + b"\x02" * 20,
        b"100644 a\0" + b"\x01" * 20 + b"100644 a-b\0" + b"\x01" * 20 + b"40000 a\0" + b"\x02" * 20,
    ],
)
def test_parse_tree_refuses_hostile_bytes_with_tree_form_only(data: bytes) -> None:
    with pytest.raises(TreeFormatError) as refused:
        parse_tree(data)
    assert refused.value.rule == Rule.TREE_FORM
    assert isinstance(refused.value, ValueError) and isinstance(refused.value, StoreError)


def test_parse_tree_reads_what_tree_bytes_writes() -> None:
    entries = [
        ("100644", "drafts.md", "11" * 20),
        ("40000", "drafts", "22" * 20),
        ("100644", "allowed_signers", "33" * 20),
    ]
    assert sorted(parse_tree(tree_bytes(entries))) == sorted(entries)
    assert [n for _, n, _ in parse_tree(tree_bytes(entries))] == [
        "allowed_signers",
        "drafts.md",
        "drafts",
    ]


# drafts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "rule"),
    [
        (b"# Accord\n\n\xff\xfe not UTF-8\n", Rule.DOCUMENT_ENCODING),
        (TEXT.encode() + b"within 90 days\x1b[2K\r30 days\n", Rule.CONTROL_CHARACTERS),
        (TEXT.encode() + "clause \u202eTrojan\u202c\n".encode(), Rule.CONTROL_CHARACTERS),
        (TEXT.encode() + b"\0", Rule.CONTROL_CHARACTERS),
    ],
    ids=["non-utf8", "escape", "bidi", "nul"],
)
def test_a_draft_that_is_not_safe_text_fails(table: Table, draft: bytes, rule: Rule) -> None:
    repo = table.path
    signed, tree = proposal(table)
    new = resign(
        repo, signed, "pakistan", tree=_replace(repo, tree, ["drafts", "accord.md"], draft)
    )
    # qatar forwards it unchanged: the same blob, reported once, at the version bringing it in.
    forward = table.forward("qatar", table.store.version(new), ("afghanistan", "turkiye"))
    report = verify_json(repo)
    found = rules_of(report)
    assert (rule, new) in found
    assert (rule, forward.sha) not in found
    assert sum(1 for r, _ in found if r == rule) == 1


# roster TOML ---------------------------------------------------------------------------------


DEEP = ("x = " + "[" * 100_000 + "]" * 100_000 + "\n").encode()
HUGE = b"# " + b"padding " * (MAX_TOML_BYTES // 8 + 1) + b"\n"


def test_load_toml_refuses_deep_and_huge_input_as_roster_format() -> None:
    for text in (DEEP.decode(), "y = " + "{a = " * 50_000 + "1" + "}" * 50_000, HUGE.decode()):
        with pytest.raises(InputError) as refused:
            load_toml(text, "penholder.toml")
        assert refused.value.rule == Rule.ROSTER_FORMAT
    # brackets inside strings and comments do not count
    assert load_toml('t = "' + "[" * 40 + '" # ' + "{" * 40 + "\n", "x") == {"t": "[" * 40}


@pytest.mark.parametrize("roster", [DEEP, HUGE], ids=["deep", "huge"])
def test_a_root_whose_roster_is_hostile_toml_fails_root(table: Table, roster: bytes) -> None:
    repo = table.path
    root = _tip(repo, "qatar")
    tree = git(repo, "rev-parse", f"{root}^{{tree}}").strip()
    new = new_root(table, _replace(repo, tree, ["penholder.toml"], roster))
    report = verify_json(repo)
    assert rules_of(report) == {(Rule.ROOT, new)}
    with pytest.raises(InputError) as refused:
        parse_roster(roster.decode())
    assert refused.value.rule == Rule.ROSTER_FORMAT


def test_a_roster_100000_levels_deep_never_gives_a_traceback(table: Table, tmp_path: Path) -> None:
    repo = table.path
    root = _tip(repo, "qatar")
    tree = git(repo, "rev-parse", f"{root}^{{tree}}").strip()
    new_root(table, _replace(repo, tree, ["penholder.toml"], DEEP))
    hub = tmp_path / "hub.git"
    git(tmp_path, "clone", "--bare", "--quiet", str(repo), str(hub))
    assert penholder(repo, "remote", "add", "origin", str(hub)).returncode == 0
    before = snapshot(repo)
    verified = penholder(repo, "verify")
    assert verified.returncode == 1 and "Traceback" not in verified.stderr
    assert verified.stdout.startswith(f"FAIL {Rule.ROOT} ")
    one_line_refusal(penholder(repo, "sync", "origin"), Rule.ROSTER_FORMAT)
    cloned = subprocess.run(
        [
            sys.executable,
            "-m",
            "penholder",
            "clone",
            str(hub),
            str(tmp_path / "clone"),
            "--expect-fingerprint",
            CONVENER_FP,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert cloned.returncode != 0 and "Traceback" not in cloned.stderr, cloned.stderr
    assert len(cloned.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "clone").exists()
    assert snapshot(repo) == before


@pytest.mark.parametrize("command", ["status", "log"])
def test_status_and_log_refuse_a_deep_roster_in_one_line(table: Table, command: str) -> None:
    repo = table.path
    root = _tip(repo, "qatar")
    tree = git(repo, "rev-parse", f"{root}^{{tree}}").strip()
    new_root(table, _replace(repo, tree, ["penholder.toml"], DEEP))
    result = penholder(repo, command)
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("penholder: root: "), result.stderr


def test_a_root_without_a_roster_fails_root(table: Table) -> None:
    repo = table.path
    root = _tip(repo, "qatar")
    tree = git(repo, "rev-parse", f"{root}^{{tree}}").strip()
    kept = [
        line for line in git(repo, "ls-tree", tree).splitlines() if "penholder.toml" not in line
    ]
    bare = git(repo, "mktree", input=("\n".join(kept) + "\n").encode()).strip()
    new = new_root(table, bare)
    report = verify_json(repo)
    assert rules_of(report) == {(Rule.ROOT, new)}
    assert verify(repo).ok is False


# writing -------------------------------------------------------------------------------------


def test_a_write_racing_another_writer_to_the_same_object_succeeds(
    table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = table.path
    data = b"a draft both writers store at once\n"
    expected = git(repo, "hash-object", "-t", "blob", "--stdin", input=data).strip()
    real_replace = os.replace

    def other_writer_won(src: str, dst: str) -> None:
        # The other writer's rename lands first; ours then finds the name taken.
        Path(dst).write_bytes(zlib.compress(f"blob {len(data)}\0".encode() + data))
        os.unlink(src)
        raise FileExistsError(dst)

    monkeypatch.setattr(os, "replace", other_writer_won)
    store = GitRepo(repo)
    try:
        assert store.write("blob", data) == expected
        monkeypatch.setattr(os, "replace", real_replace)
        assert store.read(expected) == ("blob", data)
        assert store.has(expected)
    finally:
        store.close()
    assert git(repo, "cat-file", "blob", expected).encode() == data


def test_has_sees_packed_objects(table: Table) -> None:
    repo = table.path
    signed, _ = proposal(table)
    git(repo, "repack", "-a", "-d", "-q")
    git(repo, "prune-packed")
    store = GitRepo(repo)
    try:
        assert store.has(signed)
        assert not store.has("0" * 40)
    finally:
        store.close()


def test_an_honest_history_still_verifies(table: Table) -> None:
    shuttle(table)
    result = penholder(table.path, "verify", "--json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["ok"] is True


def test_doctor_reports_ref_problems_as_the_git_reader_finds_them(table: Table) -> None:
    repo = table.path
    signed, _ = proposal(table)
    git(repo, "symbolic-ref", "refs/heads/turkiye", "refs/heads/pakistan")
    (repo / "shallow").write_text(f"{signed}\n")
    result = penholder(repo, "doctor", "--json")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    refs = [f for f in json.loads(result.stdout)["findings"] if f["check"] == "refs"]
    assert {(f["ok"], f["path"]) for f in refs} == {
        (False, "shallow"),
        (False, "refs/heads/turkiye"),
    }


def test_a_roster_version_whose_toml_is_too_deep_fails_roster_format(table: Table) -> None:
    repo = table.path
    store = table.store
    renamed = replace(store.roster, rules=Rules(witness_quorum=1))
    store.close()
    made = table.act("qatar", Action.ROSTER, "One witness suffices", roster=renamed)
    new = resign(repo, made.sha, "qatar", tree=_replace(repo, made.tree, ["penholder.toml"], DEEP))
    report = verify_json(repo)
    assert (Rule.ROSTER_FORMAT, new) in rules_of(report)
    result = penholder(repo, "status")
    assert "Traceback" not in result.stderr, result.stderr


def _mutate(data: st.DataObject) -> bytes:
    """The canonical tree with a few bytes flipped, inserted, deleted or a slice repeated."""
    out = bytearray(_CANONICAL)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(out)))
        how = data.draw(st.sampled_from(["flip", "insert", "delete", "repeat"]))
        if how == "flip" and at < len(out):
            out[at] = data.draw(st.integers(0, 255))
        elif how == "insert":
            out[at:at] = data.draw(st.binary(min_size=1, max_size=4))
        elif how == "delete":
            del out[at : at + data.draw(st.integers(1, 4))]
        else:
            out[at:at] = out[at : at + data.draw(st.integers(1, 30))]
    return bytes(out)


_CANONICAL = tree_bytes(
    [
        ("100644", "allowed_signers", "11" * 20),
        ("40000", "drafts", "22" * 20),
        ("100644", "penholder.toml", "33" * 20),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.builds(_mutate, st.data()))
def test_parse_tree_never_raises_anything_but_tree_form(data: bytes) -> None:
    try:
        entries = parse_tree(data)
    except TreeFormatError as refused:
        assert refused.rule == Rule.TREE_FORM
        return
    # What parses is canonical: written back, it is the same bytes.
    assert tree_bytes(entries) == data
