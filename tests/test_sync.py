"""Sync across machines through a real `git daemon`: a full round, and every refusal.

The hub is a bare repository served on 127.0.0.1; each delegation's machine is a clone made with
`penholder clone`. An attacker (or a careless admin) controls the hub and moves its refs; the
refusing clone's refs and objects must not change.
"""

from __future__ import annotations

import fcntl
import json
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helpers import TEXT, Table, git, make_table, shuttle, snapshot
from penholder.cli.main import main
from penholder.core.model import Action, Version
from penholder.core.store.negotiation import Negotiation
from penholder.core.sync.exchange import clone, sync
from penholder.core.sync.results import SyncReport
from penholder.core.sync.state import branch_states, last_heard
from penholder.core.trust import sshsig
from penholder.core.trust.commit import parse_commit
from penholder.core.trust.keylines import fingerprint
from penholder.core.trust.roster import Rules
from penholder.core.views.verify import verify
from penholder.demo.keys import demo_private_key

CONVENER_FP = fingerprint(demo_private_key("qatar").public_key())


# the daemon ---------------------------------------------------------------------------------


@dataclass
class Daemon:
    base: Path
    port: int

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}.git"

    def path(self, name: str) -> Path:
        return self.base / f"{name}.git"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_until_serving(proc: subprocess.Popen[bytes], port: int) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.02)  # a bounded poll, not a wait for work to finish
    return False


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    base = tmp_path_factory.mktemp("served")
    for _attempt in range(3):
        port = _free_port()
        proc = subprocess.Popen(
            [
                "git",
                "daemon",
                "--export-all",
                "--enable=receive-pack",
                f"--base-path={base}",
                "--listen=127.0.0.1",
                f"--port={port}",
                "--reuseaddr",
                "--informative-errors",
                str(base),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if _wait_until_serving(proc, port):
            break
        proc.kill()
        proc.wait()
    else:
        pytest.fail("git daemon did not start")
    try:
        yield Daemon(base, port)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# helpers ------------------------------------------------------------------------------------


def cli(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    # Never a traceback: only clean exits.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def cli_json(*args: str) -> tuple[int, dict[str, object]]:
    result = cli(*args, "--json")
    return result.exit_code, json.loads(result.stdout)


def statuses(report: SyncReport | dict[str, object]) -> dict[str, str]:
    if isinstance(report, SyncReport):
        return {b.branch: b.status for b in report.branches}
    branches = report["branches"]
    assert isinstance(branches, list)
    return {b["branch"]: b["status"] for b in branches}


def no_quarantine_left(repo: Path) -> bool:
    return not list((repo / "penholder").glob("quarantine-*"))


def write_object(repo: Path, kind: str, data: bytes) -> str:
    return git(repo, "hash-object", "-t", kind, "-w", "--stdin", "--literally", input=data).strip()


def resign(repo: Path, sha: str, key: Ed25519PrivateKey, subject: str | None = None) -> str:
    """The commit `sha`, its subject optionally changed, signed again with `key`."""
    commit = parse_commit(git(repo, "cat-file", "commit", sha).encode())
    if subject is not None:
        commit.message = subject + commit.message[commit.message.index("\n") :]
    commit.signature = sshsig.sign(key, commit.payload())
    return write_object(repo, "commit", commit.to_bytes())


def on(table: Table, actor: str, action: Action, refers: Version, **fields: object) -> Version:
    return table.act(actor, action, refers=(refers.sha,), document=refers.document, **fields)  # type: ignore[arg-type]


# a full round ---------------------------------------------------------------------------------


def test_full_round_across_three_machines(daemon: Daemon, tmp_path: Path) -> None:
    keys = {a: demo_private_key(a) for a in ("qatar", "turkiye", "pakistan", "afghanistan")}
    convener = make_table(tmp_path / "convener", Rules(witness_quorum=1))
    root = convener.store.root.sha
    git(daemon.base, "init", "--bare", "--quiet", str(daemon.path("round")))
    assert (
        cli("-C", str(convener.path), "remote", "add", "origin", daemon.url("round")).exit_code == 0
    )
    code, out = cli_json("-C", str(convener.path), "sync")
    assert (code, statuses(out)) == (0, {"qatar": "pushed"})

    machines: dict[str, Table] = {}
    for name in ("pakistan", "afghanistan", "mediator"):
        folder = tmp_path / name
        code, out = cli_json(
            "clone",
            daemon.url("round"),
            str(folder),
            "--expect-fingerprint",
            CONVENER_FP,
            "--expect-root",
            root,
        )
        assert (code, statuses(out), out["root"]) == (0, {"qatar": "new"}, root)
        machines[name] = Table(folder, keys, clock=convener.clock + 1000 * len(machines))
    pk, af, med = machines["pakistan"], machines["afghanistan"], machines["mediator"]

    def sync_ok(machine: Table) -> dict[str, str]:
        report = sync(machine.path)
        assert report.ok, report.to_json()
        assert no_quarantine_left(machine.path)
        return statuses(report)

    propose = pk.propose(to=("qatar",))
    assert [s.ahead for s in branch_states(pk.path) if s.branch == "pakistan"] == [1]
    assert sync_ok(pk) == {"pakistan": "pushed", "qatar": "unchanged"}
    assert [s.ahead for s in branch_states(pk.path) if s.branch == "pakistan"] == [0]

    assert sync_ok(med)["pakistan"] == "new"
    heard = last_heard(med.path)["pakistan"]
    assert heard.newest_version == propose.sha and heard.synced_at is not None
    assert heard.source == "origin"
    forward = med.forward("qatar", med.store.version(propose.sha), ("pakistan", "afghanistan"))
    assert sync_ok(med)["qatar"] == "pushed"

    # Both parties amend the mediator's text in parallel, each on its own machine.
    assert sync_ok(pk)["qatar"] == "fast-forward"
    assert sync_ok(af) == {"pakistan": "new", "qatar": "fast-forward"}
    amend_pk = pk.amend("pakistan", forward, TEXT.replace("maintain", "keep"), ("qatar",))
    amend_af = af.amend("afghanistan", forward, TEXT + "\n1.2 Monitors.\n", ("qatar",))
    assert sync_ok(pk)["pakistan"] == "pushed"
    assert sync_ok(af) == {
        "afghanistan": "pushed",
        "pakistan": "fast-forward",
        "qatar": "unchanged",
    }
    assert sync_ok(med) == {"afghanistan": "new", "pakistan": "fast-forward", "qatar": "unchanged"}

    consolidate = med.act(
        "qatar",
        Action.CONSOLIDATE,
        refers=(amend_pk.sha, amend_af.sha),
        document="accord",
        text=(TEXT.replace("maintain", "keep") + "\n1.2 Monitors.\n").encode(),
        to=("pakistan", "afghanistan"),
    )
    assert sync_ok(med)["qatar"] == "pushed"
    for party, actor in ((pk, "pakistan"), (af, "afghanistan")):
        sync_ok(party)
        on(party, actor, Action.SIGN, consolidate)
        assert sync_ok(party)[actor] == "pushed"
    sync_ok(med)
    on(med, "qatar", Action.ENDORSE, consolidate)
    sync_ok(med)
    sync_ok(pk)
    sync_ok(af)

    hub = daemon.path("round")
    tips = Negotiation(hub).tips
    for machine in (pk, af, med):
        assert Negotiation(machine.path).tips == tips
        assert verify(machine.path).ok
        assert all(s.ahead == s.behind == 0 for s in branch_states(machine.path))
    assert verify(hub).ok
    answers = {(v.actor, v.action) for v in Negotiation(pk.path).history.referring(consolidate.sha)}
    assert answers == {("pakistan", "sign"), ("afghanistan", "sign"), ("qatar", "endorse")}
    assert cli("-C", str(af.path), "verify").exit_code == 0
    status = cli("-C", str(af.path), "remote", "status", "--json")
    assert status.exit_code == 0 and json.loads(status.stdout)["remote"] == "origin"


def test_mediator_relays_between_two_remotes(daemon: Daemon, tmp_path: Path) -> None:
    """Each delegation keeps its own hub; the mediator's machine carries versions across."""
    side_a = make_table(daemon.path("side-a"))
    git(daemon.base, "clone", "--bare", "--quiet", str(side_a.path), str(daemon.path("side-b")))
    med = tmp_path / "mediator"
    clone(daemon.url("side-a"), med, CONVENER_FP)
    cli("-C", str(med), "remote", "add", "side-b", daemon.url("side-b"))
    proposal = side_a.propose()  # pakistan, on its own side's hub
    assert statuses(sync(med, "origin")) == {"pakistan": "new", "qatar": "unchanged"}
    assert statuses(sync(med, "side-b")) == {"pakistan": "pushed", "qatar": "unchanged"}
    assert Negotiation(daemon.path("side-b")).tips["pakistan"] == proposal.sha
    assert verify(daemon.path("side-b")).ok


def test_no_push_reports_the_remote_behind(daemon: Daemon, tmp_path: Path) -> None:
    make_table(daemon.path("nopush"))
    mine = Table(tmp_path / "mine", {"pakistan": demo_private_key("pakistan")})
    clone(daemon.url("nopush"), mine.path, CONVENER_FP)
    mine.propose()
    code, out = cli_json("-C", str(mine.path), "sync", "--no-push")
    assert (code, statuses(out)["pakistan"]) == (0, "behind")
    assert "pakistan" not in Negotiation(daemon.path("nopush")).tips


# clone refusals -------------------------------------------------------------------------------


def test_clone_with_a_wrong_fingerprint_leaves_nothing(daemon: Daemon, tmp_path: Path) -> None:
    make_table(daemon.path("wrongfp"))
    wrong = fingerprint(demo_private_key("pakistan").public_key())
    target = tmp_path / "here" / "clone"
    result = cli("clone", daemon.url("wrongfp"), str(target), "--expect-fingerprint", wrong)
    assert result.exit_code == 1
    assert re.fullmatch(r"penholder: clone-fingerprint: .+\n", result.stderr)
    assert not (tmp_path / "here").exists()


def test_clone_with_a_wrong_root_leaves_nothing(daemon: Daemon, tmp_path: Path) -> None:
    make_table(daemon.path("wrongroot"))
    target = tmp_path / "clone"
    result = cli(
        "clone",
        daemon.url("wrongroot"),
        str(target),
        "--expect-fingerprint",
        CONVENER_FP,
        "--expect-root",
        "1" * 40,
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("penholder: clone-root: ")
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_clone_usage_errors_exit_2(daemon: Daemon, tmp_path: Path) -> None:
    bad = cli("clone", daemon.url("x"), str(tmp_path / "c"), "--expect-fingerprint", "nope")
    assert bad.exit_code == 2
    assert cli("clone", daemon.url("x"), str(tmp_path / "c")).exit_code == 2
    assert cli("sync", "--bogus").exit_code == 2
    assert not (tmp_path / "c").exists()


def test_clone_of_a_missing_repository_is_one_clean_line(daemon: Daemon, tmp_path: Path) -> None:
    result = cli(
        "clone", daemon.url("absent"), str(tmp_path / "c"), "--expect-fingerprint", CONVENER_FP
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("penholder: sync-fetch: ") and result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


# sync refusals --------------------------------------------------------------------------------


@dataclass
class World:
    hub: Table
    versions: dict[str, Version]
    clone: Table
    url: str


@pytest.fixture
def world(daemon: Daemon, tmp_path: Path, request: pytest.FixtureRequest) -> World:
    name = re.sub(r"\W", "-", request.node.name)
    hub = make_table(daemon.path(name))
    versions = shuttle(hub)
    mine = Table(tmp_path / "mine", hub.keys, clock=hub.clock + 10_000)
    clone(daemon.url(name), mine.path, CONVENER_FP)
    return World(hub, versions, mine, daemon.url(name))


def refused_sync(world: World, branch: str, status: str) -> dict[str, object]:
    """Sync the clone through the CLI; exactly `branch` is refused and nothing here changes."""
    before = snapshot(world.clone.path)
    code, out = cli_json("-C", str(world.clone.path), "sync")
    assert code == 1
    found = statuses(out)
    assert found[branch] == status
    assert all(s in ("unchanged",) for b, s in found.items() if b != branch), found
    assert snapshot(world.clone.path) == before
    assert no_quarantine_left(world.clone.path)
    branches = out["branches"]
    assert isinstance(branches, list)
    result: dict[str, object] = next(b for b in branches if b["branch"] == branch)
    return result


def test_rollback_is_refused(world: World) -> None:
    hub = world.hub.path
    git(hub, "update-ref", "refs/heads/pakistan", world.versions["propose"].sha)
    result = refused_sync(world, "pakistan", "refused-rollback")
    assert result["remote"] == world.versions["propose"].sha
    assert result["old"] == result["new"] == world.versions["sign_pk"].sha
    # Human output names the rule, the branch and the version.
    before = snapshot(world.clone.path)
    human = cli("-C", str(world.clone.path), "sync")
    assert human.exit_code == 1
    assert "refused-rollback" in human.stdout
    assert (
        f"penholder: sync-rollback: pakistan {world.versions['propose'].sha[:10]}" in human.stderr
    )
    assert snapshot(world.clone.path) == before


def test_rewritten_history_is_refused(world: World) -> None:
    hub = world.hub.path
    sideways = resign(hub, world.versions["sign_pk"].sha, world.hub.keys["pakistan"], "Rewritten")
    git(hub, "update-ref", "refs/heads/pakistan", sideways)
    result = refused_sync(world, "pakistan", "refused-rewrite")
    assert result["remote"] == sideways
    assert git(world.clone.path, "cat-file", "-t", sideways, check=False) == ""


def test_version_signed_by_a_key_not_on_the_roster_is_refused(world: World) -> None:
    comment = on(world.hub, "pakistan", Action.COMMENT, world.versions["forward2"], to=("qatar",))
    forged = resign(world.hub.path, comment.sha, Ed25519PrivateKey.generate())
    git(world.hub.path, "update-ref", "refs/heads/pakistan", forged)
    result = refused_sync(world, "pakistan", "refused-verify")
    failures = result["failures"]
    assert isinstance(failures, list)
    assert {"sha": forged, "actor": "pakistan", "rule": "signature-key"} in [
        {k: f[k] for k in ("sha", "actor", "rule")} for f in failures
    ]
    assert git(world.clone.path, "cat-file", "-t", forged, check=False) == ""


def test_branch_moved_to_a_version_its_owner_did_not_sign(world: World) -> None:
    v = world.versions
    comment = on(world.hub, "qatar", Action.COMMENT, v["sign_pk"], to=("pakistan",))
    assert statuses(sync(world.clone.path))["qatar"] == "fast-forward"
    git(world.hub.path, "update-ref", "refs/heads/pakistan", comment.sha)
    result = refused_sync(world, "pakistan", "refused-verify")
    failures = result["failures"]
    assert isinstance(failures, list)
    assert [(f["sha"], f["rule"]) for f in failures] == [(comment.sha, "branch-tip")]


def test_what_verifies_lands_beside_a_refused_branch(world: World) -> None:
    v = world.versions
    comment = on(world.hub, "qatar", Action.COMMENT, v["sign_pk"], to=("pakistan",))
    git(world.hub.path, "update-ref", "refs/heads/pakistan", comment.sha)
    tracked_before = git(world.clone.path, "rev-parse", "refs/remotes/origin/pakistan")
    report = sync(world.clone.path)
    assert statuses(report) == {
        "afghanistan": "unchanged",
        "pakistan": "refused-verify",
        "qatar": "fast-forward",
        "turkiye": "unchanged",
    }
    tips = Negotiation(world.clone.path).tips
    assert tips["qatar"] == comment.sha and tips["pakistan"] == v["sign_pk"].sha
    assert git(world.clone.path, "rev-parse", "refs/remotes/origin/pakistan") == tracked_before
    assert verify(world.clone.path).ok


def test_a_branch_replaced_by_another_negotiation_is_a_rewrite(
    world: World, tmp_path: Path
) -> None:
    other = make_table(tmp_path / "other", Rules(witness_quorum=1))
    stray = other.propose("afghanistan")
    git(
        other.path,
        "push",
        "--quiet",
        "--force",
        str(world.hub.path),
        f"{stray.sha}:refs/heads/afghanistan",
    )
    result = refused_sync(world, "afghanistan", "refused-rewrite")
    assert result["remote"] == stray.sha


def test_new_branch_from_another_negotiation_is_refused(daemon: Daemon, tmp_path: Path) -> None:
    hub = make_table(daemon.path("foreign"))
    mine = tmp_path / "mine"
    clone(daemon.url("foreign"), mine, CONVENER_FP)
    other = make_table(tmp_path / "other", Rules(witness_quorum=1))
    foreign = other.propose("turkiye", to=("qatar",))
    git(other.path, "push", "--quiet", str(hub.path), f"{foreign.sha}:refs/heads/turkiye")
    before = snapshot(mine)
    report = sync(mine)
    assert statuses(report) == {"qatar": "unchanged", "turkiye": "refused-verify"}
    result = report.branch("turkiye")
    assert result is not None and "root" in {f.rule for f in result.failures}
    assert snapshot(mine) == before


def test_one_key_on_two_machines_is_reported_as_a_rewrite(world: World, tmp_path: Path) -> None:
    other = Table(tmp_path / "other", world.hub.keys, clock=world.clone.clock)
    clone(world.url, other.path, CONVENER_FP)
    forward2 = world.versions["forward2"]
    on(world.clone, "qatar", Action.COMMENT, forward2, to=("pakistan",), subject="from machine 1")
    on(other, "qatar", Action.COMMENT, forward2, to=("afghanistan",), subject="from machine 2")
    assert statuses(sync(world.clone.path))["qatar"] == "pushed"
    before = snapshot(other.path)
    report = sync(other.path)
    assert statuses(report)["qatar"] == "refused-rewrite"
    refused = report.branch("qatar")
    assert refused is not None and "two machines" in refused.message
    assert refused.rule == "sync-equivocation" and refused.to_json()["rule"] == refused.rule
    assert snapshot(other.path) == before


# bundles ------------------------------------------------------------------------------------


def test_bundle_round_trip_and_tampered_bundles(world: World, tmp_path: Path) -> None:
    sender, receiver = world.clone, Table(tmp_path / "receiver", world.hub.keys)
    clone(world.url, receiver.path, CONVENER_FP)
    comment = on(sender, "pakistan", Action.COMMENT, world.versions["forward2"], to=("qatar",))
    full, delta = tmp_path / "full.bundle", tmp_path / "delta.bundle"
    assert cli("-C", str(sender.path), "bundle", "export", str(full)).exit_code == 0
    since = ["--since", world.versions["sign_pk"].sha]
    assert cli("-C", str(sender.path), "bundle", "export", *since, str(delta)).exit_code == 0
    assert delta.stat().st_size < full.stat().st_size
    every = [arg for b in ("qatar", "turkiye", "pakistan", "afghanistan") for arg in ("--since", b)]
    nothing = cli("-C", str(sender.path), "bundle", "export", *every, str(tmp_path / "x"))
    assert nothing.exit_code == 1 and nothing.stderr.startswith("penholder: bundle-empty: ")

    # Tampered: pakistan's newest version re-signed by a stranger, carried in a bundle.
    forger = tmp_path / "forger"
    git(tmp_path, "clone", "--bare", "--quiet", str(sender.path), str(forger))
    forged = resign(forger, comment.sha, Ed25519PrivateKey.generate())
    git(forger, "update-ref", "refs/heads/pakistan", forged)
    tampered = tmp_path / "tampered.bundle"
    git(forger, "bundle", "create", "--quiet", str(tampered), "--branches")
    before = snapshot(receiver.path)
    code, out = cli_json("-C", str(receiver.path), "bundle", "import", str(tampered))
    assert code == 1 and statuses(out)["pakistan"] == "refused-verify"
    assert snapshot(receiver.path) == before

    corrupt = tmp_path / "corrupt.bundle"
    data = bytearray(full.read_bytes())
    data[-40:-20] = b"\0" * 20
    corrupt.write_bytes(bytes(data))
    result = cli("-C", str(receiver.path), "bundle", "import", str(corrupt))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("penholder: ")
    assert snapshot(receiver.path) == before
    assert no_quarantine_left(receiver.path)

    code, out = cli_json("-C", str(receiver.path), "bundle", "import", str(delta))
    assert (code, statuses(out)["pakistan"]) == (0, "fast-forward")
    assert {s for b, s in statuses(out).items() if b != "pakistan"} == {"unchanged"}
    assert Negotiation(receiver.path).tips["pakistan"] == comment.sha
    code, out = cli_json("-C", str(receiver.path), "bundle", "import", str(full))
    assert code == 0 and set(statuses(out).values()) == {"unchanged"}
    assert verify(receiver.path).ok
    assert last_heard(receiver.path)["pakistan"].source == str(delta)


# the API the app uses -----------------------------------------------------------------------


def test_progress_lock_and_leftovers(world: World) -> None:
    mine = world.clone.path
    stale = mine / "penholder" / "quarantine-crashed"
    (stale / "objects").mkdir(parents=True)
    on(world.hub, "qatar", Action.COMMENT, world.versions["forward2"], to=("pakistan",))
    seen: list[tuple[str, int, int]] = []
    report = sync(mine, progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert report.ok and statuses(report)["qatar"] == "fast-forward"
    assert {"fetch", "verify", "accept"} <= {stage for stage, _, _ in seen}
    assert all(0 <= done <= total for _, done, total in seen)
    assert not stale.exists()
    assert set(report.to_json()["branches"][0]) >= {"branch", "old", "new", "status"}  # type: ignore[index]

    with (mine / "penholder" / "sync.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        busy = cli("-C", str(mine), "sync")
    assert busy.exit_code == 1 and busy.stderr.startswith("penholder: sync-busy: ")
    unknown = cli("-C", str(mine), "sync", "elsewhere")
    assert unknown.exit_code == 1 and unknown.stderr.startswith("penholder: sync-remote: ")
