"""The command line as a script or a person uses it: real processes, real keys, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import snapshot

PASS = "correct horse battery"
ACTORS = [
    ("qatar", "mediator"),
    ("turkiye", "mediator"),
    ("pakistan", "party"),
    ("afghanistan", "party"),
]


def run(
    env: dict[str, str], *args: str, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "penholder", *args],
        env=env,
        capture_output=True,
        text=True,
        input=input,
        check=False,
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    base = tmp_path_factory.mktemp("cli")
    env = dict(os.environ, PENHOLDER_HOME=str(base / "home"), PENHOLDER_PASSPHRASE=PASS)
    env.pop("PENHOLDER_REPO", None)
    lines = []
    for actor, role in ACTORS:
        made = run(env, "key", "new", actor, "--name", actor.title())
        assert made.returncode == 0, made.stderr
        assert "SHA256:" in made.stdout
        key = made.stdout.strip().splitlines()[-1]
        assert key.startswith("ssh-ed25519 ")
        exported = run(env, "key", "export", actor)
        assert exported.stdout.strip().splitlines()[-1] == key
        lines.append(
            f'[[actor]]\nid = "{actor}"\nname = "{actor.title()}"\nrole = "{role}"\nkey = "{key}"\n'
        )
    roster = base / "roster.toml"
    roster.write_text("\n".join(lines))
    repo = base / "neg"
    made = run(
        env,
        "init",
        str(repo),
        "--as",
        "qatar",
        "--title",
        "Talks",
        "--roster",
        str(roster),
        "--place",
        "Doha",
        "--date",
        "2025-10-18",
    )
    assert made.returncode == 0, made.stderr
    env["PENHOLDER_REPO"] = str(repo)
    draft = base / "accord.md"
    draft.write_text("# Accord\n\n1. The ceasefire holds.\n")
    assert (
        run(
            env,
            "propose",
            "--as",
            "pakistan",
            "--doc",
            "accord",
            "--file",
            str(draft),
            "--to",
            "qatar,turkiye",
            "-m",
            "Table",
        ).returncode
        == 0
    )
    assert (
        run(
            env, "forward", "--as", "qatar", "--refers", "pakistan", "--to", "afghanistan,turkiye"
        ).returncode
        == 0
    )
    draft.write_text("# Accord\n\n1. The ceasefire holds firmly.\n")
    made = run(
        env,
        "amend",
        "--as",
        "afghanistan",
        "--doc",
        "accord",
        "--file",
        str(draft),
        "--to",
        "qatar,turkiye",
        "-m",
        "Firmly",
    )
    assert made.returncode == 0, made.stderr
    return env, base


def test_key_list_and_json_shapes(world: tuple[dict[str, str], Path]) -> None:
    env, _ = world
    listed = run(env, "key", "list").stdout.splitlines()
    assert sorted(line.split("\t")[0] for line in listed) == sorted(a for a, _ in ACTORS)
    log = json.loads(run(env, "log", "--json").stdout)
    assert [v["action"] for v in log] == ["open", "propose", "forward", "amend"]
    assert set(log[0]) == {
        "sha",
        "actor",
        "role",
        "action",
        "to",
        "document",
        "round",
        "refers",
        "subject",
        "note",
        "time",
        "signature",
    }
    assert all(v["signature"] == "good" for v in log)
    assert log[3]["refers"] == [log[2]["sha"]] and log[3]["time"].endswith("Z")
    status = json.loads(run(env, "status", "--json").stdout)
    assert status["state"] == "open"
    assert status["round"] == {"number": 1, "place": "Doha", "date": "2025-10-18"}
    assert status["documents"]["accord"] == {
        "heads": [log[3]["sha"]],
        "pen": ["qatar", "turkiye"],
        "agreed": None,
    }
    inbox = json.loads(run(env, "inbox", "--as", "turkiye", "--json").stdout)
    assert [v["sha"] for v in inbox] == [log[1]["sha"], log[2]["sha"], log[3]["sha"]]
    verified = run(env, "verify", "--json")
    assert verified.returncode == 0
    assert json.loads(verified.stdout) == {"ok": True, "versions": 4, "failures": []}


def test_show_prints_the_text(world: tuple[dict[str, str], Path]) -> None:
    env, _ = world
    shown = run(env, "show", "afghanistan")
    assert shown.returncode == 0
    assert "1. The ceasefire holds firmly." in shown.stdout
    assert "action    amend" in shown.stdout


def refusal(env: dict[str, str], *args: str, rule: str) -> None:
    repo = Path(env["PENHOLDER_REPO"])
    before = snapshot(repo)
    result = run(env, *args)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"penholder: {rule}: ")
    assert "Traceback" not in result.stderr
    assert snapshot(repo) == before


def test_refusals_are_one_line_and_write_nothing(world: tuple[dict[str, str], Path]) -> None:
    env, base = world
    good = base / "good.md"
    good.write_text("# Accord\n\nText.\n")
    binary = base / "binary.md"
    binary.write_bytes(b"\xff\xfe\x00bad")
    missing = base / "missing.md"
    cases = [
        (
            f"amend --as pakistan --doc accord --file {good} --to afghanistan -m x --refers afghanistan",
            "route",
        ),
        (f"amend --as pakistan --doc accord --file {good} --to qatar -m x --refers qatar", "turn"),
        ("endorse --as pakistan --refers afghanistan", "role-action"),
        ("sign --as qatar --refers afghanistan", "role-action"),
        (f"propose --as afghanistan --doc accord --file {good} --to qatar -m x", "document-exists"),
        (
            f"amend --as afghanistan --doc accord --file {good} --to qatar -m x --refers qatar",
            "turn",
        ),
        ("comment --as usa --refers qatar -m x", "actor-unknown"),
        (f"propose --as pakistan --doc annex --file {binary} --to qatar -m x", "document-encoding"),
        (f"propose --as pakistan --doc annex --file {missing} --to qatar -m x", "input"),
        ("comment --as pakistan --refers no-such-rev -m x", "unknown-rev"),
    ]
    for command, rule in cases:
        refusal(env, *command.split(), rule=rule)
    wrong = dict(env, PENHOLDER_PASSPHRASE="wrong")
    refusal(
        wrong, "comment", "--as", "pakistan", "--refers", "qatar", "-m", "x", rule="key-passphrase"
    )


def test_loose_key_permissions_are_refused(world: tuple[dict[str, str], Path]) -> None:
    env, base = world
    key = base / "home" / "keys" / "turkiye"
    key.chmod(0o644)
    try:
        refusal(
            env,
            "comment",
            "--as",
            "turkiye",
            "--refers",
            "afghanistan",
            "-m",
            "x",
            rule="key-permissions",
        )
    finally:
        key.chmod(0o600)


def test_suspension_refuses_and_resume_defaults_to_the_open_withdrawal(
    world: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, base = world
    import shutil

    repo = tmp_path / "copy"
    shutil.copytree(base / "neg", repo)
    env = dict(env, PENHOLDER_REPO=str(repo))
    assert run(env, "withdraw", "--as", "pakistan", "-m", "We leave").returncode == 0
    assert json.loads(run(env, "status", "--json").stdout)["state"] == "suspended"
    refusal(env, "endorse", "--as", "qatar", "--refers", "afghanistan", rule="suspended")
    resumed = run(env, "resume", "--as", "turkiye", "-m", "Back to the table")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(run(env, "status", "--json").stdout)["state"] == "open"
    assert (
        run(
            env,
            "round",
            "--as",
            "qatar",
            "--number",
            "2",
            "--place",
            "Istanbul",
            "--date",
            "2025-10-25",
        ).returncode
        == 0
    )
    assert run(env, "verify").returncode == 0


def test_no_passphrase_key_warns(tmp_path: Path) -> None:
    env = dict(os.environ, PENHOLDER_HOME=str(tmp_path / "home"))
    made = run(env, "key", "new", "observer1", "--no-passphrase")
    assert made.returncode == 0
    assert "WITHOUT a passphrase" in made.stderr
    again = run(env, "key", "new", "observer1", "--no-passphrase")
    assert again.returncode == 1 and again.stderr.startswith("penholder: key-exists:")


def test_verify_exits_non_zero_on_tampering(
    world: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    env, base = world
    import shutil

    repo = tmp_path / "copy"
    shutil.copytree(base / "neg", repo)
    qatar = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "qatar"], capture_output=True, text=True, check=True
    ).stdout.strip()
    subprocess.run(["git", "-C", str(repo), "update-ref", "refs/heads/pakistan", qatar], check=True)
    result = run(dict(env, PENHOLDER_REPO=str(repo)), "verify", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert {"sha": qatar, "actor": "qatar", "rule": "branch-tip"}.items() <= next(
        f for f in report["failures"] if f["rule"] == "branch-tip"
    ).items()


def test_a_named_version_is_the_one_acted_on(world: tuple[dict[str, str], Path]) -> None:
    """The app moves a selection to the version that awaits the actor; a command refuses the
    version it was given instead, and says which one awaits (the hint as a flag)."""
    env, base = world
    good = base / "good.md"
    good.write_text("# Accord\n\nText.\n")
    repo = Path(env["PENHOLDER_REPO"])
    before = snapshot(repo)
    result = run(
        env,
        *f"amend --as qatar --doc accord --file {good} --to turkiye -m x --refers qatar".split(),
    )
    assert result.returncode == 1
    assert result.stderr.startswith("penholder: turn: ")
    assert "does not await qatar's amend" in result.stderr
    assert result.stderr.rstrip().endswith("(give --refers)")
    assert snapshot(repo) == before


def test_hints_are_given_as_flags(world: tuple[dict[str, str], Path]) -> None:
    env, _ = world
    root = json.loads(run(env, "log", "--json").stdout)[0]["sha"]
    result = run(env, "blame", root)
    assert result.returncode == 1
    assert result.stderr == f"penholder: input: {root[:10]} names no document (give --doc)\n"


def test_a_roster_change_is_addressed_to_the_mediators(
    world: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    """As from the app: the mediators, whose endorsements make it take effect, get it in their
    inboxes; the actor it seats proves its key by a receipt, judged by the new roster."""
    env, base = world
    import shutil

    repo = tmp_path / "copy"
    shutil.copytree(base / "neg", repo)
    env = dict(env, PENHOLDER_REPO=str(repo), PENHOLDER_HOME=str(tmp_path / "home"))
    shutil.copytree(base / "home", tmp_path / "home")
    made = run(env, "key", "new", "usa", "--name", "USA")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    seated = run(
        env,
        *[
            "roster",
            "add",
            "--as",
            "qatar",
            "--id",
            "usa",
            "--name",
            "USA",
            "--role",
            "observer",
            "--key",
        ],
        key,
    )
    assert seated.returncode == 0, seated.stderr
    sha = seated.stdout.strip().splitlines()[-1]
    assert "It takes effect once 2 of the mediators (qatar, turkiye) endorse it" in seated.stderr
    assert f"(penholder endorse --refers {sha[:10]})" in seated.stderr
    version = json.loads(run(env, "log", "--json").stdout)[-1]
    assert version["sha"] == sha and version["to"] == ["turkiye"]
    inbox = json.loads(run(env, "inbox", "--as", "turkiye", "--json").stdout)
    assert sha in [v["sha"] for v in inbox]
    proof = run(env, "receipt", "--as", "usa", "--refers", sha)
    assert proof.returncode == 0, proof.stderr
    assert run(env, "verify").returncode == 0
