"""Sync judges each remote branch on its own, through a real `git daemon` and real bundles.

A hostile hub holds, beside an honest new version on pakistan's branch:
- `junk`: a commit that fails git's own object checks (an author without an email),
- `garbled`: a commit git cannot even parse (its tree line is not a sha),
- `turkiye`: turkiye's next version, signed, naming a parent that does not exist,
- `afghanistan`: afghanistan's next version, signed, merging an unsigned second root,
- `refs/tags/x` (a malformed tag object) and `refs/notes/y` (a blob), outside `refs/heads/`.
The honest version must land, each other branch must be refused by name, nothing outside
`refs/heads/` may be fetched, the clone must keep every object and ref it had otherwise, and
nothing may crash.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import Table, git, make_table, shuttle, snapshot
from penholder.core.model import Action, Version
from penholder.core.store.negotiation import Negotiation
from penholder.core.sync.exchange import bundle_import, clone, sync
from penholder.core.sync.results import SyncReport
from penholder.core.trust import sshsig
from penholder.core.trust.commit import parse_commit
from penholder.core.views.verify import verify
from test_sync import (
    CONVENER_FP,
    Daemon,
    cli,
    cli_json,
    daemon,  # noqa: F401  (the module's git daemon fixture)
    no_quarantine_left,
    statuses,
)

MISSING = "1" * 40
REFUSED = ("afghanistan", "garbled", "junk", "turkiye")


@dataclass
class Hostile:
    hub: Path
    honest: str  # pakistan's new, honest version
    junk: str
    garbled: str
    missing_parent: str  # turkiye's version naming a parent that does not exist
    stray_root: str  # the unsigned second root
    afghanistan: str  # afghanistan's version that merges the stray root
    outside: tuple[str, str]  # what refs/tags/x and refs/notes/y point at


def write(repo: Path, kind: str, data: bytes) -> str:
    return git(repo, "hash-object", "-t", kind, "-w", "--stdin", "--literally", input=data).strip()


def commit_of(repo: Path, sha: str) -> tuple[str, str]:
    """(tree, message) of the commit `sha`."""
    raw = parse_commit(git(repo, "cat-file", "commit", sha).encode())
    return raw.tree, raw.message


def tip_or_root(repo: Path, actor: str) -> str:
    tip = git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{actor}", check=False)
    return tip.strip() or Negotiation(repo).root.sha


def signed_on(table: Table, actor: str, parents: list[str], subject: str) -> str:
    """`actor`'s tip (or the root), with `parents` and `subject` instead of its own, signed by
    `actor`."""
    template = tip_or_root(table.path, actor)
    raw = parse_commit(git(table.path, "cat-file", "commit", template).encode())
    raw.parents = parents
    raw.message = subject + raw.message[raw.message.index("\n") :]
    raw.signature = sshsig.sign(table.keys[actor], raw.payload())
    return write(table.path, "commit", raw.to_bytes())


def make_hostile(table: Table, answered: Version) -> Hostile:
    """Pakistan's honest comment on `answered`, and every hostile branch beside it."""
    hub = table.path
    honest = table.on("pakistan", Action.COMMENT, answered, to=("qatar",)).sha
    root = Negotiation(hub).root.sha
    root_tree, root_message = commit_of(hub, root)
    person = "Mallory <mallory@example.org> 1761400000 +0000"
    junk = write(
        hub,
        "commit",
        f"tree {root_tree}\nparent {root}\nauthor Mallory 1761400000 +0000\n"
        f"committer {person}\n\njunk\n".encode(),
    )
    garbled = write(
        hub, "commit", f"tree not-a-sha\nparent {root}\nauthor {person}\n\nx\n".encode()
    )
    missing_parent = signed_on(table, "turkiye", [tip_or_root(hub, "turkiye"), MISSING], "Orphaned")
    stray_root = write(
        hub,
        "commit",
        f"tree {root_tree}\nauthor {person}\ncommitter {person}\n\n{root_message}".encode(),
    )
    afghanistan = signed_on(
        table, "afghanistan", [tip_or_root(hub, "afghanistan"), stray_root], "Rooted"
    )
    tag = write(hub, "tag", b"object nonsense\ntype commit\n\nbroken tag\n")
    note = write(hub, "blob", b"not a version\n")
    updates = {
        "heads/junk": junk,
        "heads/garbled": garbled,
        "heads/turkiye": missing_parent,
        "heads/afghanistan": afghanistan,
        "tags/x": tag,
        "notes/y": note,
    }
    # git will not point a ref at an object it cannot parse: a hostile hub writes the files.
    for ref, sha in updates.items():
        path = hub / "refs" / ref
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sha + "\n", encoding="ascii")
    return Hostile(hub, honest, junk, garbled, missing_parent, stray_root, afghanistan, (tag, note))


@dataclass
class World:
    hostile: Hostile
    mine: Path
    before: dict[str, str]  # the clone's tips before the hostile sync
    url: str


@pytest.fixture
def world(daemon: Daemon, tmp_path: Path, request: pytest.FixtureRequest) -> World:  # noqa: F811
    name = re.sub(r"\W", "-", request.node.name)
    table = make_table(daemon.path(name))
    forward2 = shuttle(table)["forward2"]
    mine = tmp_path / "mine"
    clone(daemon.url(name), mine, CONVENER_FP)
    before = Negotiation(mine).tips
    return World(make_hostile(table, forward2), mine, before, daemon.url(name))


def assert_mix_judged(report: SyncReport | dict[str, object], world: World) -> None:
    """pakistan landed; every hostile branch refused by name; nothing else moved."""
    found = statuses(report)
    assert found["pakistan"] == "fast-forward"
    assert {b: found[b] for b in REFUSED} == {b: "refused-verify" for b in REFUSED}
    assert found["qatar"] == "unchanged"
    tips = Negotiation(world.mine).tips
    assert tips == {**world.before, "pakistan": world.hostile.honest}
    refs = git(world.mine, "for-each-ref", "--format=%(refname)")
    assert "refs/tags/" not in refs and "refs/notes/" not in refs
    h = world.hostile
    for sha in (h.junk, h.garbled, h.missing_parent, h.stray_root, h.afghanistan, *h.outside):
        assert git(world.mine, "cat-file", "-t", sha, check=False) == "", sha
    assert no_quarantine_left(world.mine)
    assert verify(world.mine).ok


def test_an_honest_branch_lands_beside_every_kind_of_hostile_branch(world: World) -> None:
    tracked = git(world.mine, "for-each-ref", "--format=%(refname) %(objectname)", "refs/remotes")
    code, out = cli_json("-C", str(world.mine), "sync")
    assert code == 1  # as for any refused branch
    assert_mix_judged(out, world)
    branches = out["branches"]
    assert isinstance(branches, list)
    by_name = {b["branch"]: b for b in branches}
    assert "missingEmail" in by_name["junk"]["message"]
    assert MISSING in by_name["turkiye"]["message"]
    assert by_name["turkiye"]["remote"] == world.hostile.missing_parent
    assert by_name["garbled"]["message"].startswith("cannot fetch garbled from origin: ")
    rules = {(f["sha"], f["rule"]) for f in by_name["afghanistan"]["failures"]}
    assert (world.hostile.stray_root, "root") in rules
    # What the remote was seen to show moved for pakistan only.
    after = git(world.mine, "for-each-ref", "--format=%(refname) %(objectname)", "refs/remotes")
    moved = set(after.splitlines()) - set(tracked.splitlines())
    assert moved == {f"refs/remotes/origin/pakistan {world.hostile.honest}"}

    # Again, in plain words: the same refusals, one line each, and nothing changes.
    before = snapshot(world.mine)
    human = cli("-C", str(world.mine), "sync")
    assert human.exit_code == 1
    for branch in REFUSED:
        assert re.search(rf"^refused-verify +{branch} ", human.stdout, re.M), human.stdout
        assert f"penholder: sync-verify: {branch} " in human.stderr
    assert "Traceback" not in human.output
    assert snapshot(world.mine) == before


def test_a_clone_of_a_hostile_hub_takes_the_honest_branches(
    daemon: Daemon,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A fresh clone: turkiye and afghanistan have no honest versions on this hub, so what
    pakistan and qatar wrote stands on its own and lands; every hostile branch is refused."""
    table = make_table(daemon.path("hostile-clone"))
    proposal = table.propose(to=("qatar",))
    forward = table.forward("qatar", proposal, ("pakistan",))
    hostile = make_hostile(table, forward)
    fresh = tmp_path / "fresh"
    url = daemon.url("hostile-clone")
    code, out = cli_json("clone", url, str(fresh), "--expect-fingerprint", CONVENER_FP)
    assert code == 1
    found = statuses(out)
    assert found == {"pakistan": "new", "qatar": "new", **{b: "refused-verify" for b in REFUSED}}
    assert Negotiation(fresh).tips == {"pakistan": hostile.honest, "qatar": forward.sha}
    refs = git(fresh, "for-each-ref", "--format=%(refname)")
    assert "refs/tags/" not in refs and "refs/notes/" not in refs
    assert git(fresh, "cat-file", "-t", hostile.stray_root, check=False) == ""
    assert verify(fresh).ok


def test_a_lone_hostile_branch_refuses_only_itself(world: World) -> None:
    """Only the junk commit on the hub: everything else already here, so only junk is news."""
    hub = world.hostile.hub
    for branch in ("turkiye", "afghanistan"):
        git(hub, "update-ref", f"refs/heads/{branch}", world.before[branch])
    git(hub, "update-ref", "-d", "refs/heads/garbled")
    git(hub, "update-ref", "refs/heads/pakistan", world.before["pakistan"])
    before = snapshot(world.mine)
    report = sync(world.mine)
    assert {b.branch: b.status for b in report.branches if b.status != "unchanged"} == {
        "junk": "refused-verify"
    }
    assert snapshot(world.mine) == before


def hand_made_bundle(repo: Path, refs: dict[str, str], target: Path) -> None:
    """A v2 bundle of every object in `repo` (`git bundle create` cannot write one whose
    history lacks a parent): the header names `refs`, the pack holds every object."""
    objects = git(repo, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
    pack = subprocess_bytes(repo, "pack-objects", "--stdout", input=objects.encode())
    header = "# v2 git bundle\n" + "".join(f"{sha} {ref}\n" for ref, sha in refs.items()) + "\n"
    target.write_bytes(header.encode() + pack)


def subprocess_bytes(repo: Path, *args: str, input: bytes) -> bytes:
    import subprocess

    result = subprocess.run(
        ["git", "-C", str(repo), *args], input=input, capture_output=True, check=True
    )
    return result.stdout


def test_a_bundle_with_the_same_mix(world: World, tmp_path: Path) -> None:
    hub = world.hostile.hub
    listed = git(hub, "for-each-ref", "--format=%(refname) %(objectname)")
    refs = dict(line.split(" ", 1) for line in listed.splitlines())
    assert {"refs/tags/x", "refs/notes/y", "refs/heads/junk"} <= set(refs)
    bundle = tmp_path / "mix.bundle"
    hand_made_bundle(hub, refs, bundle)
    code, out = cli_json("-C", str(world.mine), "bundle", "import", str(bundle))
    assert code == 1
    assert_mix_judged(out, world)
    # The honest branch alone, re-imported: nothing more to take in.
    report = bundle_import(world.mine, bundle)
    assert statuses(report)["pakistan"] == "unchanged"
    assert json.dumps(report.to_json())  # a report, never a traceback
