"""`History` is asked, never read: its data is private to the trust kernel, and its queries say
what the rest of Penholder asks of it.

The first tests read every module outside `core/trust` and fail on any that reaches into a
`History` (a private attribute on something named like one, or a private field of `History`
on anything but `self`). The others check the queries on a real small negotiation: a shuttle
on one document, a second document, a pending roster change, a second round, a withdrawal.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

import penholder
from helpers import ROLES, Table, make_table, shuttle
from penholder.core.model import TEXT_ACTIONS, Action, Version
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.history import History, RoundInfo
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.roster import Actor
from penholder.demo.keys import demo_private_key

SRC = Path(penholder.__file__).resolve().parent
KERNEL = SRC / "core" / "trust"

# Names a History goes by outside the kernel: history, h, hist, store.history, new_history…
_HISTORY_NAME = re.compile(r"_?(h|hist|\w*history)")


def _private_fields() -> frozenset[str]:
    """Every private attribute and method of `History` and its layers."""
    names = set(vars(History()))
    for cls in History.__mro__:
        names.update(vars(cls))
    return frozenset(n for n in names if n.startswith("_") and not n.startswith("__"))


PRIVATE = _private_fields()


def _name_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_history(node: ast.expr) -> bool:
    name = _name_of(node)
    return name is not None and _HISTORY_NAME.fullmatch(name) is not None


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("self", "cls")


def reaches_in(source: str) -> list[tuple[int, str]]:
    """(line, expression) of each read of History's insides in a module's source."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            attr = node.attr
            private = attr.startswith("_") and not attr.startswith("__")
            if (private and _is_history(node.value)) or (
                attr in PRIVATE and not _is_self(node.value)
            ):
                found.append((node.lineno, ast.unparse(node)))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and _is_history(node.args[0])
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and node.args[1].value.startswith("_")
        ):
            found.append((node.lineno, ast.unparse(node)))
    return found


def _modules_outside_the_kernel() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        if not path.is_relative_to(KERNEL):
            yield path


def test_nothing_outside_the_kernel_reads_the_history_s_insides() -> None:
    offences = [
        f"{path.relative_to(SRC.parent)}:{line}: {expression}"
        for path in _modules_outside_the_kernel()
        for line, expression in reaches_in(path.read_text(encoding="utf-8"))
    ]
    assert not offences, "\n".join(offences)


def test_the_check_reads_every_front_end_and_every_core_package() -> None:
    seen = {path.relative_to(SRC).parts[0] for path in _modules_outside_the_kernel()}
    assert {"cli", "tui", "core", "report"} <= seen
    core = {path.relative_to(SRC / "core").parts[0] for path in SRC.glob("core/*/*.py")}
    assert {"store", "views", "sync", "diff"} <= core


@pytest.mark.parametrize(
    "source",
    [
        "history._versions[sha]",
        "negotiation.history._gen[sha]",
        "self.history._order[:count]",
        "self.snapshot.history._lineage.get(doc)",
        "h._line_tip['qatar']",
        "store.history._roster_versions.values()",
        "trial_history._by_actor",
        "getattr(history, '_key_owner')",
        "x = snapshot.versions_source._lineage",
        "for sha in hist._order: pass",
    ],
)
def test_the_check_catches_a_read_of_the_insides(source: str) -> None:
    assert reaches_in(source), source


@pytest.mark.parametrize(
    "source",
    [
        "history.version(sha)",
        "history.generation(sha)",
        "sha in history",
        "self._versions = {}",
        "history.__class__",
        "negotiation._tips",
        "roster.actors",
    ],
)
def test_the_check_lets_queries_and_other_objects_be(source: str) -> None:
    assert not reaches_in(source), source


def test_every_field_of_a_history_is_private() -> None:
    public = [name for name in vars(History()) if not name.startswith("_")]
    assert public == []


# --- the queries, on a real small negotiation ---------------------------------------------------

ANNEX = "# Annex\n\n## 1. Monitoring\n\nA joint team monitors the ceasefire.\n"
UN_KEY = demo_private_key("un-observer")


@dataclass
class World:
    history: History
    v: dict[str, Version]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    table: Table = make_table(tmp_path_factory.mktemp("history-api") / "negotiation")
    v = shuttle(table)
    v["annex"] = table.propose("afghanistan", doc="annex", text=ANNEX, to=("qatar",))
    roster = Negotiation(table.path).roster
    seated = Actor("un", "UN observer", "observer", public_key_line(UN_KEY.public_key()))
    v["seat"] = table.act(
        "qatar",
        Action.ROSTER,
        "Seat an observer",
        roster=replace(roster, actors=(*roster.actors, seated)),
    )
    v["round2"] = table.act(
        "turkiye", Action.ROUND, "Round 2", round_number=2, place="Istanbul", date="2025-10-25"
    )
    v["withdraw"] = table.act("pakistan", Action.WITHDRAW, "We leave", to=("qatar", "turkiye"))
    store = Negotiation(table.path, use_cache=False)
    history = store.history
    v["open"] = store.root
    store.close()
    return World(history, v)


def _sha(world: World, name: str) -> str:
    return world.v[name].sha


def test_versions_come_parents_first_and_are_looked_up_by_sha(world: World) -> None:
    h = world.history
    order = list(h.shas_in_order())
    assert len(order) == len(h) == len(set(order))
    assert [v.sha for v in h.versions_in_order()] == order
    position = {sha: k for k, sha in enumerate(order)}
    for v in h.versions_in_order():
        assert all(position[p] < position[v.sha] for p in v.parents)
        assert h.version(v.sha) is v and h.get(v.sha) is v and v.sha in h
    assert order[0] == h.root == _sha(world, "open")
    assert h.get("0" * 40) is None and "0" * 40 not in h
    with pytest.raises(KeyError):
        h.version("0" * 40)


def test_a_generation_is_above_every_parent_s(world: World) -> None:
    h = world.history
    assert h.generation(_sha(world, "open")) == 1
    for v in h.versions_in_order():
        assert h.generation(v.sha) == 1 + max((h.generation(p) for p in v.parents), default=0)


def test_documents_and_their_lineage(world: World) -> None:
    h = world.history
    assert h.documents() == ["accord", "annex"]
    accord = [_sha(world, n) for n in ("propose", "forward", "amend", "forward2")]
    assert list(h.lineage_of("accord")) == accord
    assert list(h.lineage_of("annex")) == [_sha(world, "annex")]
    assert list(h.lineage_of("no such document")) == []
    assert all(h.version(s).action in TEXT_ACTIONS for s in h.lineage_of("accord"))


def test_the_latest_text_at_a_version_is_its_newest_ancestor_in_the_lineage(world: World) -> None:
    h = world.history
    at_sign = _sha(world, "sign_pk")
    assert h.latest_of("accord", at=at_sign) == _sha(world, "forward2")
    assert h.latest_of("accord", at=_sha(world, "amend")) == _sha(world, "amend")
    assert h.latest_of("accord", at=_sha(world, "propose")) == _sha(world, "propose")
    assert h.latest_of("accord", at=_sha(world, "open")) is None
    assert h.latest_of("accord", at=at_sign, by="afghanistan") == _sha(world, "amend")
    assert h.latest_of("accord", at=at_sign, by="pakistan") == _sha(world, "propose")
    assert h.latest_of("accord", at=at_sign, by="observer") is None
    for doc in h.documents():
        for at in h.shas_in_order():
            for by in (None, *ROLES):
                below = [
                    s
                    for s in h.lineage_of(doc)
                    if h.is_ancestor(s, at) and (by is None or h.version(s).actor == by)
                ]
                expected = max(below, key=h.generation, default=None)
                assert h.latest_of(doc, at=at, by=by) == expected, (doc, at, by)


def test_heads_and_pen(world: World) -> None:
    h = world.history
    assert h.heads("accord") == [_sha(world, "forward2")]
    assert h.heads("annex") == [_sha(world, "annex")]
    # every recipient of forward2 answered it (qatar's receipt does not; its endorsement does)
    assert h.pen(_sha(world, "forward2")) == []
    assert h.pen(_sha(world, "forward")) == ["turkiye"]  # afghanistan answered with its amend
    assert h.pen(_sha(world, "annex")) == ["qatar"]


def test_actors_their_versions_and_their_lines(world: World) -> None:
    h = world.history
    assert set(h.actors()) == set(ROLES)
    qatar = [_sha(world, n) for n in ("open", "forward", "receipt", "endorse_qa", "seat")]
    assert list(h.versions_by("qatar")) == qatar
    assert list(h.versions_by("nobody")) == []
    assert h.latest_by("qatar") == _sha(world, "seat")
    assert h.latest_by("pakistan") == _sha(world, "withdraw")
    assert h.latest_by("nobody") is None
    assert h.line_tip("afghanistan") == _sha(world, "annex")
    assert h.line_tips() == {actor: h.latest_by(actor) for actor in ROLES}
    assert all(h.on_line(sha) for sha in h.shas_in_order())  # an honest history
    with pytest.raises(KeyError):
        h.line_tip("nobody")


def test_rounds_and_withdrawals(world: World) -> None:
    h = world.history
    opened = RoundInfo(1, "Doha", "2025-10-18", _sha(world, "open"))
    second = RoundInfo(2, "Istanbul", "2025-10-25", _sha(world, "round2"))
    assert list(h.rounds()) == [opened, second]
    assert h.current_round() == second
    assert h.round_at(_sha(world, "sign_pk")) == 1
    assert h.round_at(_sha(world, "round2")) == 2
    assert h.round_at(_sha(world, "withdraw")) == 1  # pakistan had not seen round 2 open
    assert list(h.withdrawals()) == h.open_withdrawals() == [_sha(world, "withdraw")]


def test_rosters_carried_and_key_owners(world: World) -> None:
    h = world.history
    root_roster = h.root_roster
    assert root_roster is not None and root_roster.convener == "qatar"
    assert h.roster_carried_by(_sha(world, "open")) is root_roster
    seat = _sha(world, "seat")
    assert h.roster_changes() == [seat]
    assert "un" in {a.id for a in h.roster_carried_by(seat).actors}
    assert h.effective_anywhere() == []  # nobody endorsed it: the root's roster rules
    assert h.roster_in_force([_sha(world, "withdraw")]) is root_roster
    with pytest.raises(KeyError):
        h.roster_carried_by(_sha(world, "propose"))
    for actor in root_roster.actors:
        assert h.owner_of_key(actor.key) == actor.id
    assert h.owner_of_key(public_key_line(UN_KEY.public_key())) == "un"  # named, not in force
    assert h.owner_of_key("ssh-ed25519 AAAA unknown") is None


def test_a_history_built_from_the_queries_answers_alike(world: World) -> None:
    """What the queries give is enough to rebuild the history, version by version."""
    h = world.history
    copy = History(h.root_roster)
    for v in h.versions_in_order():
        copy.add(v, roster=h.roster_carried_by(v.sha) if v.action == Action.ROSTER else None)
    assert list(copy.shas_in_order()) == list(h.shas_in_order())
    assert copy.line_tips() == h.line_tips()
    assert copy.roster_changes() == h.roster_changes()
    assert copy.heads("accord") == h.heads("accord")
