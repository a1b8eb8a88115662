"""Shared builders for tests: deterministic keys, a roster, a negotiation, a store snapshot."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from penholder.core.model import Action, Version
from penholder.core.store.negotiation import Negotiation, Request
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.roster import Actor, Roster, Rules
from penholder.demo.keys import demo_private_key

ROLES = {
    "qatar": ("State of Qatar", "mediator"),
    "turkiye": ("Republic of Türkiye", "mediator"),
    "pakistan": ("Islamic Republic of Pakistan", "party"),
    "afghanistan": ("Afghan Taliban authorities", "party"),
}
NEGOTIATION_ID = "5b0c3e2e-7d1f-4c1e-9a55-2f1d6b3a9c01"
TEXT = "# Accord\n\n## 1. Ceasefire\n\n1.1 The parties maintain the ceasefire.\n"


def git(repo: Path, *args: str, input: bytes | None = None, check: bool = True) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], input=input, capture_output=True, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"git {args} failed: {result.stderr.decode()}")
    return result.stdout.decode("utf-8", "replace")


def snapshot(repo: Path) -> tuple[str, str]:
    """Every ref and every object of the store: a refused action must change neither."""
    refs = git(repo, "for-each-ref", "--format=%(refname) %(objectname)")
    objects = git(repo, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
    return refs, objects


@dataclass
class Table:
    """A negotiation in a temp folder with the four actors' keys at hand."""

    path: Path
    keys: dict[str, Ed25519PrivateKey] = field(default_factory=dict)
    clock: int = 1_761_400_000

    @property
    def store(self) -> Negotiation:
        return Negotiation(self.path)

    def act(self, actor: str, action: Action, subject: str = "", **fields: object) -> Version:
        self.clock += 60
        request = Request(actor, action, subject or f"{actor} {action.value}", **fields)  # type: ignore[arg-type]
        return self.store.act(request, self.keys[actor], when=self.clock)

    def propose(
        self,
        actor: str = "pakistan",
        doc: str = "accord",
        text: str = TEXT,
        to: tuple[str, ...] = ("qatar", "turkiye"),
    ) -> Version:
        return self.act(actor, Action.PROPOSE, document=doc, text=text.encode(), to=to)

    def amend(self, actor: str, refers: Version, text: str, to: tuple[str, ...]) -> Version:
        return self.act(
            actor,
            Action.AMEND,
            refers=(refers.sha,),
            document=refers.document,
            text=text.encode(),
            to=to,
        )

    def forward(self, actor: str, refers: Version, to: tuple[str, ...]) -> Version:
        return self.act(
            actor, Action.FORWARD, refers=(refers.sha,), document=refers.document, to=to
        )

    def on(self, actor: str, action: Action, refers: Version, **fields: object) -> Version:
        return self.act(actor, action, refers=(refers.sha,), document=refers.document, **fields)  # type: ignore[arg-type]


def make_roster(keys: dict[str, Ed25519PrivateKey], rules: Rules | None = None) -> Roster:
    actors = tuple(
        Actor(actor_id, name, role, public_key_line(keys[actor_id].public_key()))
        for actor_id, (name, role) in ROLES.items()
    )
    return Roster(NEGOTIATION_ID, "Test talks", "qatar", actors, rules or Rules())


def make_table(path: Path, rules: Rules | None = None) -> Table:
    keys = {actor_id: demo_private_key(actor_id) for actor_id in ROLES}
    Negotiation.create(
        path,
        make_roster(keys, rules),
        keys["qatar"],
        place="Doha",
        date="2025-10-18",
        when=1_761_400_000,
    )
    return Table(path, keys)


def shuttle(table: Table) -> dict[str, Version]:
    """A short shuttle: propose, forward, amend both ways, sign and endorse."""
    v: dict[str, Version] = {}
    v["propose"] = table.propose()
    v["forward"] = table.forward("qatar", v["propose"], ("afghanistan", "turkiye"))
    v["amend"] = table.amend(
        "afghanistan",
        v["forward"],
        TEXT.replace("maintain", "strictly maintain"),
        ("qatar", "turkiye"),
    )
    v["forward2"] = table.forward("turkiye", v["amend"], ("pakistan", "afghanistan", "qatar"))
    v["receipt"] = table.on("qatar", Action.RECEIPT, v["forward2"])
    v["sign_pk"] = table.on("pakistan", Action.SIGN, v["forward2"])
    v["sign_af"] = table.on("afghanistan", Action.SIGN, v["forward2"])
    v["endorse_qa"] = table.on("qatar", Action.ENDORSE, v["forward2"])
    v["endorse_tr"] = table.on("turkiye", Action.ENDORSE, v["forward2"])
    return v


def penholder(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real `penholder` command on a negotiation; never raises on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-m", "penholder", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=False,
    )
