"""Histories of a chosen shape, written fast: commits built, signed with the demo keys and
stored in-process (as the store does), without asking the kernel anything. Used to measure the
kernel on shapes a hostile hub could carry, so nothing here checks a rule: the shapes are made
to be honest where they claim to be, and unsigned where they are junk.

A built history is cached under the temp folder, keyed by shape and size, and packed as a
maintained store would be.
"""

from __future__ import annotations

import dataclasses
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bench.common import WORDS, bench_negotiation
from penholder.core.model import SAME_TREE_ACTIONS, TEXT_ACTIONS, Action
from penholder.core.store.gitobjects import tree_bytes
from penholder.core.store.gitrepo import GitRepo
from penholder.core.trust import sshsig
from penholder.core.trust.commit import RawCommit, ident
from penholder.core.trust.message import Trailers, build_message
from penholder.core.trust.roster import ROSTER_FILE, SIGNERS_FILE, Roster, allowed_signers_after

NEGOTIATION_ID = "0b7e3f3c-0000-4000-8000-000000000002"
ACTORS = {
    "qatar": "mediator",
    "turkiye": "mediator",
    "pakistan": "party",
    "afghanistan": "party",
}


@dataclasses.dataclass
class _Commit:
    tree: str
    clock: dict[str, int]
    actor: str


class Builder:
    """Writes versions straight into a new negotiation's object store."""

    def __init__(self, path: Path) -> None:
        store, self.keys = bench_negotiation(path, NEGOTIATION_ID, ACTORS)
        self.path = path
        self.roster: Roster = store.roster
        self.root = store.history.root or ""
        root_tree = store.root.tree
        store.close()
        self.repo = GitRepo(path)
        self.commits: dict[str, _Commit] = {self.root: _Commit(root_tree, {"qatar": 1}, "qatar")}
        self.tips: dict[str, str] = {"qatar": self.root}
        self.extra_refs: dict[str, str] = {}
        self.number: dict[str, int] = {"qatar": 1}
        self.count = 1
        self.when = 1_700_000_100
        self.signers = self.repo.read(self._blobs(root_tree)[1])[1].decode()
        self.roster_blob, self.signers_blob = self._blobs(root_tree)
        self.round = 1

    def _blobs(self, tree: str) -> tuple[str, str]:
        from penholder.core.store.gitobjects import parse_tree

        entries = {name: sha for _, name, sha in parse_tree(self.repo.read(tree)[1])}
        return entries[ROSTER_FILE], entries[SIGNERS_FILE]

    def _reaches(self, parents: list[str], sha: str) -> bool:
        """Whether `sha` (a signed line version) is among the ancestors of `parents`."""
        c = self.commits[sha]
        number = c.clock.get(c.actor, 0)
        return any(self.commits[p].clock.get(c.actor, 0) >= number for p in parents)

    def act(
        self,
        actor: str,
        action: Action,
        *,
        refers: tuple[str, ...] = (),
        to: tuple[str, ...] = (),
        document: str | None = None,
        text: bytes | None = None,
        roster: Roster | None = None,
        signed: bool = True,
        parents: list[str] | None = None,
        branch: str | None = None,
    ) -> str:
        """One version. Parents as the store makes them unless given; an unsigned version does
        not join its actor's line and moves `branch` (default: none) instead."""
        if parents is None:
            tip = self.tips.get(actor)
            parents = list(refers) if refers else [tip or self.root]
            if tip is not None and not self._reaches(parents, tip):
                parents.append(tip)
        first = self.commits[parents[0]]
        if action in SAME_TREE_ACTIONS:
            tree = first.tree
        elif action in TEXT_ACTIONS:
            assert text is not None and document
            blob = self.repo.write("blob", text)
            drafts = self.repo.write("tree", tree_bytes([("100644", f"{document}.md", blob)]))
            tree = self.repo.write(
                "tree",
                tree_bytes(
                    [
                        ("100644", ROSTER_FILE, self.roster_blob),
                        ("100644", SIGNERS_FILE, self.signers_blob),
                        ("40000", "drafts", drafts),
                    ]
                ),
            )
        elif action == Action.ROSTER:
            assert roster is not None
            self.signers = allowed_signers_after(self.signers, roster)
            self.roster_blob = self.repo.write("blob", roster.to_toml().encode())
            self.signers_blob = self.repo.write("blob", self.signers.encode())
            tree = self.repo.write(
                "tree",
                tree_bytes(
                    [
                        ("100644", ROSTER_FILE, self.roster_blob),
                        ("100644", SIGNERS_FILE, self.signers_blob),
                    ]
                ),
            )
            self.roster = roster
        else:
            raise ValueError(f"no tree rule for {action}")
        self.when += 1
        name = self.roster.actor(actor)
        assert name is not None
        who = ident(name.name, f"{actor}@{NEGOTIATION_ID}", self.when)
        trailers = Trailers(
            negotiation=NEGOTIATION_ID,
            action=action.value,
            actor=actor,
            to=to,
            document=document,
            round=self.round,
            refers=refers,
        )
        message = build_message(f"{action.value} {self.count}", "", trailers)
        commit = RawCommit(tree, list(parents), who, who, message)
        if signed:
            commit.signature = sshsig.sign(self.keys[actor], commit.payload())
        sha = self.repo.write("commit", commit.to_bytes())
        clock: dict[str, int] = {}
        for p in parents:
            for a, n in self.commits[p].clock.items():
                clock[a] = max(clock.get(a, 0), n)
        if signed:
            self.number[actor] = self.number.get(actor, 0) + 1
            clock[actor] = self.number[actor]
            self.tips[actor] = sha
        elif branch is not None:
            self.extra_refs[branch] = sha
        self.commits[sha] = _Commit(tree, clock, actor)
        self.count += 1
        return sha

    def finish(self) -> None:
        refs = {**self.tips, **self.extra_refs}
        lines = "".join(f"update refs/heads/{b} {sha}\n" for b, sha in refs.items())
        subprocess.run(
            ["git", "-C", str(self.path), "update-ref", "--stdin"],
            input=lines.encode(),
            check=True,
        )
        self.repo.close()
        # A maintained store is packed (see core/store/packing.py).
        subprocess.run(["git", "-C", str(self.path), "repack", "-adq"], check=True)
        subprocess.run(["git", "-C", str(self.path), "prune-packed"], check=True)


class _Text:
    """A small draft that changes one word per version."""

    def __init__(self, seed: int = 3) -> None:
        self.rng = random.Random(seed)
        self.words = [self.rng.choice(WORDS) for _ in range(300)]

    def next(self) -> bytes:
        self.words[self.rng.randrange(len(self.words))] = self.rng.choice(WORDS)
        lines = [" ".join(self.words[i : i + 12]) for i in range(0, len(self.words), 12)]
        return ("\n".join(lines) + "\n").encode()


def honest(b: Builder, n: int) -> None:
    """The demo's shape: drafts shuttle party → mediator → the other party, with receipts and
    comments along the way."""
    text = _Text()
    last = b.act("qatar", Action.PROPOSE, to=("pakistan",), document="accord", text=text.next())
    route = [
        ("pakistan", Action.AMEND, ("qatar",)),
        ("qatar", Action.FORWARD, ("afghanistan",)),
        ("afghanistan", Action.AMEND, ("turkiye",)),
        ("turkiye", Action.FORWARD, ("pakistan",)),
    ]
    step = 0
    while b.count < n:
        actor, action, to = route[step % len(route)]
        step += 1
        last = b.act(actor, action, refers=(last,), to=to, document="accord", text=text.next())
        if step % 5 == 0 and b.count < n:
            b.act(to[0], Action.RECEIPT, refers=(last,), document="accord")
        if step % 7 == 0 and b.count < n:
            other = "turkiye" if actor != "turkiye" else "qatar"
            b.act(
                other,
                Action.COMMENT,
                refers=(last,),
                to=("qatar",) if other != "qatar" else ("turkiye",),
                document="accord",
            )


def revisions(b: Builder, n: int) -> None:
    """Many amendments of one text: a party revises its own unanswered draft again and again."""
    text = _Text()
    first = b.act("qatar", Action.PROPOSE, to=("pakistan",), document="accord", text=text.next())
    last = b.act(
        "pakistan",
        Action.AMEND,
        refers=(first,),
        to=("qatar",),
        document="accord",
        text=text.next(),
    )
    while b.count < n:
        last = b.act(
            "pakistan",
            Action.AMEND,
            refers=(last,),
            to=("qatar",),
            document="accord",
            text=text.next(),
        )


def retracts(b: Builder, n: int) -> None:
    """Many retracts: a party answers one text, takes its answer back, and answers again."""
    text = _Text()
    first = b.act("qatar", Action.PROPOSE, to=("pakistan",), document="accord", text=text.next())
    while b.count < n:
        amend = b.act(
            "pakistan",
            Action.AMEND,
            refers=(first,),
            to=("qatar",),
            document="accord",
            text=text.next(),
        )
        if b.count < n:
            b.act("pakistan", Action.RETRACT, refers=(amend,), document="accord")


def comments(b: Builder, n: int) -> None:
    """Many comments on one text, by both parties and a mediator."""
    text = _Text()
    first = b.act("qatar", Action.PROPOSE, to=("pakistan",), document="accord", text=text.next())
    who = [("pakistan", ("qatar",)), ("afghanistan", ("turkiye",)), ("turkiye", ("qatar",))]
    i = 0
    while b.count < n:
        actor, to = who[i % len(who)]
        i += 1
        b.act(actor, Action.COMMENT, refers=(first,), to=to, document="accord")


def junk(b: Builder, n: int) -> None:
    """A short honest start, then unsigned commits on a branch of their own, each claiming to
    answer the same text, addressed back and forth: what a hostile hub could carry."""
    text = _Text()
    first = b.act("qatar", Action.PROPOSE, to=("pakistan",), document="accord", text=text.next())
    last = first
    actors = [("pakistan", ("qatar",)), ("qatar", ("pakistan",))]
    i = 0
    while b.count < n:
        actor, to = actors[i % 2]
        i += 1
        last = b.act(
            actor,
            Action.AMEND,
            refers=(first,),
            to=to,
            document="accord",
            text=text.next(),
            signed=False,
            parents=[first, last] if last != first else [first],
            branch="hub-junk",
        )


def junk_fan(b: Builder, n: int) -> None:
    """Unsigned commits that all answer one text, each on a branch of its own."""
    text = _Text()
    first = b.act("qatar", Action.PROPOSE, to=("pakistan",), document="accord", text=text.next())
    i = 0
    while b.count < n:
        i += 1
        b.act(
            "pakistan",
            Action.AMEND,
            refers=(first,),
            to=("qatar",),
            document="accord",
            text=text.next(),
            signed=False,
            parents=[first],
            branch=f"hub-junk-{i}",
        )


def _another_limit(b: Builder, i: int) -> Roster:
    """The roster with a draft limit that alternates between two values: a real change."""
    limit = (300_000, 200_000)[i % 2]
    return dataclasses.replace(
        b.roster, rules=dataclasses.replace(b.roster.rules, max_draft_bytes=limit)
    )


def rosters(b: Builder, n: int) -> None:
    """Many roster changes, each endorsed by both mediators (4 versions a change)."""
    i = 0
    while b.count + 4 <= n:
        i += 1
        change = b.act("qatar", Action.ROSTER, roster=_another_limit(b, i))
        seen = b.act("turkiye", Action.ENDORSE, refers=(change,))
        b.act("qatar", Action.RECEIPT, refers=(seen,))
        b.act("qatar", Action.ENDORSE, refers=(change,))
    while b.count < n:
        b.act("pakistan", Action.COMMENT, refers=(b.tips["qatar"],), to=("qatar",))


def roster_junk(b: Builder, n: int) -> None:
    """One roster change, then unsigned endorsements of it on a branch of their own: a hub's
    junk that once made every mark re-walk all the marks before it."""
    new = dataclasses.replace(
        b.roster, rules=dataclasses.replace(b.roster.rules, max_draft_bytes=200_000)
    )
    change = b.act("qatar", Action.ROSTER, roster=new)
    last = change
    while b.count < n:
        last = b.act(
            "turkiye",
            Action.ENDORSE,
            refers=(change,),
            signed=False,
            parents=[change, last] if last != change else [change],
            branch="hub-junk",
        )


def pending_rosters(b: Builder, n: int) -> None:
    """Half the history roster changes no mediator endorses (each stays pending for every later
    version), half comments that merge two branches: every merge once re-judged them all."""
    i = 0
    while b.count + 2 <= n:
        i += 1
        b.act("qatar", Action.ROSTER, roster=_another_limit(b, i))
        b.act("turkiye", Action.COMMENT, refers=(b.tips["qatar"],), to=("qatar",))
    while b.count < n:
        b.act("pakistan", Action.COMMENT, refers=(b.tips["qatar"],), to=("qatar",))


SHAPES: dict[str, Callable[[Builder, int], None]] = {
    "honest": honest,
    "revisions": revisions,
    "retracts": retracts,
    "comments": comments,
    "junk": junk,
    "junk-fan": junk_fan,
    "rosters": rosters,
    "roster-junk": roster_junk,
    "pending-rosters": pending_rosters,
}
# Shapes whose history is meant to fail verify (and must fail it quickly).
FAILING = {"junk", "junk-fan", "roster-junk"}


def build(shape: str, n: int, folder: Path) -> Path:
    """The cached repository of `shape` with `n` versions, built if missing."""
    repo = folder / f"verify-{shape}-{n}"
    if (repo / "penholder-bench-complete").exists():
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    print(f"  building {shape} with {n:,} versions…", file=sys.stderr, flush=True)
    builder = Builder(repo)
    SHAPES[shape](builder, n)
    builder.finish()
    (repo / "penholder-bench-complete").write_text("")
    return repo
