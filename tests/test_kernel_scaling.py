"""The kernel's indexes answer exactly what walking the graph answers, on histories of any
shape: forks, unsigned versions, retracts that do not descend from what they retract, answers
by many actors. Pure kernel tests: random histories of synthetic versions, no git."""

from __future__ import annotations

import random

import pytest

from penholder.core.model import ANSWER_ACTIONS, TEXT_ACTIONS, Action, Version
from penholder.core.trust.history import Fallback, History
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.roster import Actor, Roster, Rules
from penholder.demo.keys import demo_private_key

ACTORS = ["qatar", "turkiye", "pakistan", "afghanistan"]
ACTIONS = [
    Action.AMEND,
    Action.FORWARD,
    Action.CONSOLIDATE,
    Action.COMMENT,
    Action.SIGN,
    Action.ENDORSE,
    Action.RETRACT,
    Action.RECEIPT,
]


def _version(sha: str, parents: tuple[str, ...], actor: str, action: str, **kw: object) -> Version:
    fields: dict[str, object] = {
        "sha": sha,
        "parents": parents,
        "tree": "t",
        "actor": actor,
        "action": action,
        "to": (),
        "document": "accord",
        "round": 1,
        "refers": (),
        "negotiation": "n",
        "place": None,
        "date": None,
        "subject": "s",
        "note": "",
        "time": 0,
        "author": "",
        "committer": "",
    }
    fields.update(kw)
    return Version(**fields)  # type: ignore[arg-type]


def _random_history(seed: int, size: int) -> History:
    rng = random.Random(seed)
    history = History()
    history.add(_version("v000", (), "qatar", Action.OPEN, document=None))
    tips = {"qatar": "v000"}
    for n in range(1, size):
        sha = f"v{n:03d}"
        actor = rng.choice(ACTORS)
        action = rng.choice(ACTIONS)
        existing = history.shas_in_order()
        refers = tuple(dict.fromkeys(rng.choice(existing) for _ in range(rng.choice([1, 1, 2]))))
        if action == Action.RETRACT and rng.random() < 0.8:
            own = history.versions_by(actor)
            if own:
                refers = (rng.choice(own),)
        parents = list(refers)
        own_tip = tips.get(actor)
        if own_tip is not None and rng.random() < 0.85 and own_tip not in parents:
            parents.append(own_tip)
        if rng.random() < 0.1:
            parents = [rng.choice(existing)]  # a fork
        signed = rng.random() < 0.85
        to = tuple(rng.sample(ACTORS, rng.choice([0, 1, 2])))
        version = _version(sha, tuple(parents), actor, action, refers=refers, to=to)
        history.add(version, signed=signed)
        if history.on_line(sha):
            tips[actor] = sha
    return history


def _naive_ancestors(history: History, parents: tuple[str, ...]) -> set[str]:
    seen: set[str] = set()
    stack = list(parents)
    while stack:
        sha = stack.pop()
        if sha not in seen:
            seen.add(sha)
            stack.extend(history.version(sha).parents)
    return seen


def _referrers(history: History, sha: str) -> list[str]:
    return [w.sha for w in history.referring(sha)]


def _naive_retracted(history: History, sha: str, seen: set[str] | None) -> bool:
    owner = history.version(sha).actor
    return any(
        history.version(r).action == Action.RETRACT
        and history.version(r).actor == owner
        and (seen is None or r in seen)
        for r in _referrers(history, sha)
    )


def _naive_answerers(history: History, sha: str, seen: set[str] | None) -> set[tuple[str, bool]]:
    return {
        (history.version(w).actor, history.version(w).is_text)
        for w in dict.fromkeys(_referrers(history, sha))
        if (seen is None or w in seen)
        and history.version(w).action in ANSWER_ACTIONS
        and not _naive_retracted(history, w, seen)
    }


def _naive_newer(history: History, r: str, actor: str, seen: set[str] | None) -> set[str]:
    below = _naive_ancestors(history, (r,))
    return {
        w
        for w in history.shas_in_order()
        if w != r
        and (seen is None or w in seen)
        and history.version(w).action in TEXT_ACTIONS
        and history.version(w).document == history.version(r).document
        and actor in history.version(w).to
        and not _naive_retracted(history, w, None)
        and r in _naive_ancestors(history, (w,))
        and w not in below
    }


@pytest.mark.parametrize("seed", range(30))
def test_indexes_agree_with_walking_the_graph(seed: int) -> None:
    history = _random_history(seed, 70)
    rng = random.Random(seed + 1000)
    shas = history.shas_in_order()
    for _ in range(60):
        parents = tuple(dict.fromkeys(rng.choice(shas) for _ in range(rng.choice([1, 2]))))
        view = history.visible_from(parents)
        seen = _naive_ancestors(history, parents)
        assert {s for s in shas if view(s)} == seen
        for sha in rng.sample(shas, 8):
            assert history.is_retracted(sha, view) == _naive_retracted(history, sha, seen)
            assert history.is_retracted(sha) == _naive_retracted(history, sha, None)
            assert {(w.actor, w.is_text) for w in history.answers(sha, view)} == (
                _naive_answerers(history, sha, seen)
            )
            for scope, naive in ((view, seen), (None, None)):
                try:
                    fast = history.standing_answerers(sha, scope)
                except Fallback:
                    continue
                assert fast == _naive_answerers(history, sha, naive), (sha, parents)
            for action in (Action.SIGN, Action.RETRACT, Action.COMMENT):
                for actor in ACTORS:
                    assert history.referring_as(sha, action.value, actor) == [
                        w
                        for w in dict.fromkeys(_referrers(history, sha))
                        if history.version(w).action == action and history.version(w).actor == actor
                    ]
                    assert history.any_referring(sha, action.value, actor, view) == any(
                        history.version(w).action == action
                        and history.version(w).actor == actor
                        and w in seen
                        for w in _referrers(history, sha)
                    )
        text = [s for s in shas if history.version(s).is_text]
        for r in rng.sample(text, min(5, len(text))):
            for actor in ACTORS:
                for scope, naive in ((view, seen), (None, None)):
                    try:
                        found = history.newer_addressed(history.version(r), actor, scope, "")
                    except Fallback:
                        continue
                    expected = _naive_newer(history, r, actor, naive)
                    assert (found is None) == (not expected), (r, actor, parents)
                    assert found is None or found in expected


def test_a_retracted_answer_stops_counting_only_where_its_retract_is_seen() -> None:
    history = History()
    history.add(_version("root", (), "qatar", Action.OPEN, document=None))
    history.add(_version("p", ("root",), "qatar", Action.PROPOSE, to=("pakistan",)))
    history.add(_version("a", ("p",), "pakistan", Action.AMEND, refers=("p",), to=("qatar",)))
    history.add(_version("r", ("a",), "pakistan", Action.RETRACT, refers=("a",)))
    before = history.visible_from(("a",))
    after = history.visible_from(("r",))
    assert history.standing_answerers("p", before) == {("pakistan", True)}
    assert history.standing_answerers("p", after) == set()
    assert history.standing_answerers("p") == set()
    assert history.is_retracted("a") and not history.is_retracted("a", before)


def _roster() -> Roster:
    actors = tuple(
        Actor(a, a.title(), role, public_key_line(demo_private_key(a).public_key()))
        for a, role in (("qatar", "mediator"), ("turkiye", "mediator"), ("pakistan", "party"))
    )
    return Roster("n", "t", "qatar", actors, Rules())


def _naive_in_effect(history: History, v: str) -> set[str]:
    """A roster version is in effect at v when, at some ancestor-or-self u of v, the replaced
    roster's quorum stood: among u's parents' ancestors if u is a merge, or among u's ancestors
    and u if u is one of its endorsements."""
    below = _naive_ancestors(history, (v,))
    out = set()
    for t in history.roster_changes():
        if t not in below:
            continue
        for u in below:
            w = history.version(u)
            views = []
            if len(w.parents) > 1:  # a merge: what its parents hold together
                views.append(_naive_ancestors(history, w.parents))
            if w.refers[:1] == (t,) and w.action == Action.ENDORSE and history.on_line(u):
                views.append(_naive_ancestors(history, (u,)))
            if any(t in seen and _quorum(history, t, seen) for seen in views):
                out.add(t)
                break
    return out


def _quorum(history: History, t: str, seen: set[str]) -> bool:
    endorsed = {
        history.version(m).actor
        for m in seen
        if history.version(m).action == Action.ENDORSE
        and history.version(m).refers[:1] == (t,)
        # only a mark on its actor's line counts (signed, continuing the line), as for texts
        and history.on_line(m)
        and not any(
            history.version(r).action == Action.RETRACT
            and history.version(r).actor == history.version(m).actor
            and history.version(r).refers[:1] == (m,)
            for r in seen
        )
    }
    return len(endorsed) >= 2


@pytest.mark.parametrize("seed", range(20))
def test_roster_changes_take_effect_where_their_quorum_stands(seed: int) -> None:
    rng = random.Random(seed)
    history = History()
    history.add(_version("v000", (), "qatar", Action.OPEN, document=None), roster=_roster())
    rosters: list[str] = []
    endorsements: list[str] = []
    for n in range(1, 60):
        sha = f"v{n:03d}"
        existing = history.shas_in_order()
        parents = tuple(dict.fromkeys(rng.choice(existing) for _ in range(rng.choice([1, 2]))))
        kind = rng.random()
        if kind < 0.2 or not rosters:
            version = _version(sha, parents, "qatar", Action.ROSTER, document=None)
            history.add(version, roster=_roster())
            rosters.append(sha)
            continue
        if kind < 0.75:
            target = rng.choice(rosters)
            actor = rng.choice(["qatar", "turkiye"])
            version = _version(
                sha, (target, *parents), actor, Action.ENDORSE, document=None, refers=(target,)
            )
            endorsements.append(sha)
        elif endorsements:
            target = rng.choice(endorsements)
            actor = history.version(target).actor
            version = _version(
                sha, (target, *parents), actor, Action.RETRACT, document=None, refers=(target,)
            )
        else:
            version = _version(sha, parents, "turkiye", Action.COMMENT, document=None)
        history.add(version, signed=rng.random() < 0.9)
    for sha in history.shas_in_order():
        assert set(history.in_effect([sha])) == _naive_in_effect(history, sha), sha
        newest, ordered = history.newest_in_effect([sha])
        effective = history.in_effect([sha])
        if effective:
            assert newest == max(effective, key=lambda s: (history.generation(s), s))
            assert ordered == all(history.is_ancestor(e, newest) for e in effective)


def _count_quorum_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original = History._quorum_met

    def counting(self: History, sha: str, view: object) -> bool:
        calls.append(sha)
        return original(self, sha, view)  # type: ignore[arg-type]

    monkeypatch.setattr(History, "_quorum_met", counting)
    return calls


def test_junk_marks_of_a_roster_change_cost_nothing_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unsigned endorsements of a roster change (a hub's junk) are never kept nor re-judged:
    verify stays linear (red team: 2,000 of them took 16 s, each re-walking all before it)."""
    calls = _count_quorum_checks(monkeypatch)
    history = History()
    history.add(_version("v000", (), "qatar", Action.OPEN, document=None), roster=_roster())
    history.add(_version("r", ("v000",), "qatar", Action.ROSTER, document=None), roster=_roster())
    for n in range(500):
        mark = _version(f"j{n}", ("r",), "turkiye", Action.ENDORSE, document=None, refers=("r",))
        history.add(mark, signed=False)
    assert calls == []
    assert history.in_effect(["j499"]) == frozenset()


def test_roster_changes_no_mark_could_put_in_effect_are_not_judged_at_merges(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pending roster changes without the marks to take effect anywhere are not judged again
    where branches meet (red team: each merge re-judged every pending change: quadratic)."""
    calls = _count_quorum_checks(monkeypatch)
    history = History()
    history.add(_version("v000", (), "qatar", Action.OPEN, document=None), roster=_roster())
    tip = "v000"
    for n in range(200):
        history.add(_version(f"r{n}", (tip,), "qatar", Action.ROSTER, document=None), _roster())
        tip = f"r{n}"
    side = "v000"
    for n in range(200):
        history.add(_version(f"c{n}", (side,), "turkiye", Action.COMMENT, document=None))
        history.add(_version(f"m{n}", (tip, f"c{n}"), "qatar", Action.COMMENT, document=None))
        tip, side = f"m{n}", f"c{n}"
    assert calls == []


def test_an_undecided_roster_quorum_counts_as_having_stood(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a roster change's quorum ever stood together is searched within a budget; past
    it the answer is yes, which only ever refuses (a retract of its endorsement, a version
    signed with a key it revokes), never lets anything through."""
    from penholder.core.trust import history_carried

    history = History()
    history.add(_version("v000", (), "qatar", Action.OPEN, document=None), roster=_roster())
    history.add(_version("r", ("v000",), "qatar", Action.ROSTER, document=None), roster=_roster())
    history.add(_version("e1", ("r",), "qatar", Action.ENDORSE, document=None, refers=("r",)))
    history.add(_version("x1", ("e1",), "qatar", Action.RETRACT, document=None, refers=("e1",)))
    history.add(
        _version("e2", ("r", "x1"), "turkiye", Action.ENDORSE, document=None, refers=("r",))
    )
    assert history.effective_anywhere() == []
    monkeypatch.setattr(history_carried, "_STOOD_TOGETHER_STEPS", 0)
    assert history.effective_anywhere() == ["r"]
