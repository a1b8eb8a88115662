"""The rules one version must keep against the history of its ancestors. No I/O.

`check_version` judges one version: the store asks it before writing anything, and `verify`
asks it again for every version it reads. The store also asks `check_against_store`, which
applies the turn rules (`turns`) to everything the store holds (a writer must not answer twice even on a
branch it has not merged, nor take back a signature of a text agreed anywhere).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from penholder.core.model import (
    ALLOWED_UNDER_SUSPENSION,
    DOCUMENT_NAME,
    ROLE_ACTIONS,
    ROSTER_ONLY_ACTIONS,
    SAME_TREE_ACTIONS,
    TEXT_ACTIONS,
    Action,
    Role,
    Version,
)
from penholder.core.trust.commit import IDENT
from penholder.core.trust.history import History, Visible
from penholder.core.trust.roster import Roster
from penholder.core.trust.rules import Rule, Violation
from penholder.core.trust.turns import EVERYTHING, check_turn, describe


@dataclass(frozen=True)
class TreeFacts:
    """What a tree holds, as far as the rules care."""

    sha: str
    roster_blob: str | None
    signers_blob: str | None
    documents: tuple[tuple[str, str, int], ...]  # (name, blob sha, size)
    stray: tuple[str, ...] = ()


def check_version(
    v: Version,
    history: History,
    roster: Roster,
    trees: Mapping[str, TreeFacts],
    *,
    visible: Visible | None = None,
    carried_roster: Roster | None = None,
) -> list[Violation]:
    """All violations of `v` against the history of its ancestors (or `visible`, if given).

    `roster` is the roster in force at `v` (see `roster_for`); `carried_roster` is the roster
    a `roster` version carries."""
    out: list[Violation] = []

    def fail(rule: str, message: str) -> None:
        out.append(Violation(rule, message))

    if visible is None:
        visible = history.visible_from(v.parents)

    if v.negotiation != roster.negotiation_id:
        fail(
            Rule.NEGOTIATION_ID,
            f"names negotiation {v.negotiation!r}, not {roster.negotiation_id!r}",
        )
    try:
        action = Action(v.action)
    except ValueError:
        fail(Rule.ACTION_UNKNOWN, f"unknown action {v.action!r}")
        return out
    if not v.parents and action != Action.OPEN:
        fail(Rule.ROOT, f"a {action} version without parents")
    if action == Action.OPEN and v.parents:
        fail(Rule.ROOT, "an open version with parents")
    actor = roster.actor(v.actor)
    if actor is None:
        fail(Rule.ACTOR_UNKNOWN, f"actor {v.actor!r} is not on the roster")
        return out
    if action not in ROLE_ACTIONS[actor.role]:
        fail(Rule.ROLE_ACTION, f"a {actor.role} may not {action}")
    if action == Action.OPEN and v.actor != roster.convener:
        fail(Rule.ROOT, f"opened by {v.actor}, not the convener {roster.convener}")
    if action == Action.ROSTER and carried_roster is None:
        fail(Rule.ROSTER_CHANGE, "the roster version's penholder.toml cannot be read")
    if v.actor and not history.follows_line(v.actor, v.parents):
        tip = history._line_tip[v.actor]
        fail(
            Rule.OWN_TIP,
            f"{v.actor}'s previous version {tip[:10]} is not among its ancestors: an actor "
            "acts from its own latest view",
        )
    if v.parents and not history.newest_in_effect(v.parents)[1]:
        fail(Rule.ROSTER_FORK, "two roster changes in effect here, neither after the other")
    _check_identity(v, roster, fail)
    _check_recipients(v, action, roster, fail)

    referred = _check_refers(v, action, history, fail)
    if referred is None:
        return out
    _check_document(v, action, referred, fail)
    _check_round(v, action, history, fail)
    _check_suspension(v, action, history, referred, fail)
    check_turn(v, action, history, roster, referred, visible, fail)
    _check_tree(v, action, history, roster, referred, trees, fail)
    return out


def _check_identity(v: Version, roster: Roster, fail: Callable[[str, str], None]) -> None:
    actor = roster.actor(v.actor)
    assert actor is not None
    expected = f"{actor.name} <{actor.id}@{roster.negotiation_id}>"
    for what, value in (("author", v.author), ("committer", v.committer)):
        match = IDENT.match(value)
        if not match or match.group("tz") != "+0000":
            fail(Rule.AUTHOR, f"{what} {value!r} is not `Name <id@negotiation> TIME +0000`")
        elif f"{match.group('name')} <{match.group('email')}>" != expected:
            fail(
                Rule.AUTHOR,
                f"{what} is {match.group('name')} <{match.group('email')}>, not {expected}",
            )
    if v.author != v.committer:
        fail(Rule.AUTHOR, "author and committer differ")


def _check_recipients(
    v: Version, action: Action, roster: Roster, fail: Callable[[str, str], None]
) -> None:
    actor = roster.actor(v.actor)
    assert actor is not None
    if len(set(v.to)) != len(v.to):
        fail(Rule.ROUTE, "a recipient is named twice")
    for recipient in v.to:
        target = roster.actor(recipient)
        if target is None:
            fail(Rule.RECIPIENT_UNKNOWN, f"recipient {recipient!r} is not on the roster")
        elif recipient == v.actor:
            fail(Rule.ROUTE, f"{v.actor} addresses itself")
        elif actor.role == Role.PARTY and target.role not in roster.rules.party_may_address:
            allowed = " or ".join(f"{r}s" for r in roster.rules.party_may_address)
            fail(Rule.ROUTE, f"a party addresses {allowed} only, not the {target.role} {recipient}")
        elif actor.role == Role.OBSERVER:
            fail(Rule.ROUTE, "an observer addresses nobody")
    if action in TEXT_ACTIONS and not v.to:
        fail(Rule.RECIPIENTS_MISSING, f"a {action} must be addressed to someone")


_REFERS_COUNT: dict[Action, tuple[int, int]] = {
    Action.OPEN: (0, 0),
    Action.PROPOSE: (0, 0),
    Action.WITHDRAW: (0, 0),
    Action.ROUND: (0, 0),
    Action.ROSTER: (0, 0),
    Action.CONSOLIDATE: (2, 1 << 30),
}


_ACTIONS = frozenset(a.value for a in Action)


def _check_refers(
    v: Version, action: Action, history: History, fail: Callable[[str, str], None]
) -> list[Version] | None:
    low, high = _REFERS_COUNT.get(action, (1, 1))
    if not low <= len(v.refers) <= high:
        fail(Rule.REFERS_COUNT, f"a {action} refers to {len(v.refers)} versions")
        return None
    if len(set(v.refers)) != len(v.refers):
        fail(Rule.REFERS_COUNT, "a version is referred to twice")
        return None
    referred = []
    for sha in v.refers:
        found = history.get(sha)
        if found is None:
            fail(Rule.REFERS_MISSING, f"refers to {sha[:10]}, which is not in the negotiation")
            return None
        if found.action not in _ACTIONS:
            fail(Rule.REFERS_KIND, f"refers to {sha[:10]}, which is not a readable version")
            return None
        referred.append(found)
    # Parents: the referred versions first, then at most the actor's own previous tip.
    n = len(v.refers)
    if action == Action.OPEN:
        return referred
    if n:
        if action in (Action.AMEND, Action.FORWARD, Action.CONSOLIDATE):
            ok = v.parents[:n] == v.refers
        else:
            ok = v.parents[:1] == v.refers[:1] and (n == 1)
        extra = v.parents[n:]
    else:
        ok = len(v.parents) == 1
        extra = v.parents[:1] if v.parents and v.parents[0] != history.root else ()
    if not ok:
        fail(Rule.REFERS_PARENTS, "the first parents are not the referred versions")
    if len(extra) > 1:
        fail(Rule.REFERS_PARENTS, f"{len(extra)} parents beyond the referred versions")
    for sha in extra:
        own = history.get(sha)
        if own is None or own.actor != v.actor:
            fail(Rule.REFERS_PARENTS, f"parent {sha[:10]} is neither referred nor the actor's own")
        elif n and any(history.is_ancestor(sha, p) for p in v.parents[:n]):
            fail(Rule.REFERS_PARENTS, f"parent {sha[:10]} is already an ancestor")
    return referred


def _check_document(
    v: Version, action: Action, referred: list[Version], fail: Callable[[str, str], None]
) -> None:
    if action in TEXT_ACTIONS:
        if not v.document or not DOCUMENT_NAME.match(v.document):
            fail(Rule.DOCUMENT_NAME, f"document name {v.document!r} is not valid")
        for r in referred:
            if not r.is_text:
                fail(Rule.REFERS_KIND, f"refers to {describe(r)}, not a text version")
            elif r.document != v.document:
                fail(
                    Rule.REFERS_KIND,
                    f"refers to {describe(r)} of document {r.document}, not {v.document}",
                )
    elif action in SAME_TREE_ACTIONS:
        if v.document != referred[0].document:
            fail(
                Rule.DOCUMENT_NAME,
                f"names document {v.document}, the referred version {referred[0].document}",
            )
        target = referred[0]
        if action == Action.SIGN and not target.is_text:
            fail(Rule.REFERS_KIND, f"signs {describe(target)}, not a text version")
        if action == Action.ENDORSE and not (target.is_text or target.action == Action.ROSTER):
            fail(Rule.REFERS_KIND, f"endorses {describe(target)}, not a text or roster version")
        if action == Action.RETRACT and target.actor != v.actor:
            fail(Rule.RETRACT, f"retracts {describe(target)}, which is not its own")
    elif v.document is not None:
        fail(Rule.DOCUMENT_NAME, f"a {action} names a document")
    if action == Action.RESUME and referred[0].action != Action.WITHDRAW:
        fail(Rule.REFERS_KIND, f"resumes {describe(referred[0])}, not a withdrawal")


def _check_round(
    v: Version, action: Action, history: History, fail: Callable[[str, str], None]
) -> None:
    latest = history.round_of_parents(v.parents)
    if action == Action.OPEN:
        if v.round != 1:
            fail(Rule.ROUND_NUMBER, f"open is round 1, not {v.round}")
    elif action == Action.ROUND:
        if v.round != latest + 1:
            fail(
                Rule.ROUND_NUMBER, f"round {v.round} follows round {latest}: expected {latest + 1}"
            )
        if not v.place or not v.date:
            fail(Rule.ROUND_NUMBER, "a round names its place and date")
    elif v.round != latest:
        fail(Rule.ROUND, f"says round {v.round}; the latest round among its ancestors is {latest}")


def _check_suspension(
    v: Version,
    action: Action,
    history: History,
    referred: list[Version],
    fail: Callable[[str, str], None],
) -> None:
    pending = history.suspending_withdrawals(v.parents)
    if pending and action not in ALLOWED_UNDER_SUSPENSION:
        who = ", ".join(sorted({history.version(w).actor for w in pending}))
        fail(Rule.SUSPENDED, f"a {action} while the table is suspended (withdrawal by {who})")
    if action == Action.RESUME and referred[0].sha not in pending:
        fail(Rule.RESUME, f"withdrawal {referred[0].sha[:10]} is already resumed")
    if action == Action.WITHDRAW and any(history.version(w).actor == v.actor for w in pending):
        fail(Rule.WITHDRAW, f"{v.actor} has already withdrawn")


def _roster_blobs(facts: TreeFacts) -> tuple[str | None, str | None]:
    return facts.roster_blob, facts.signers_blob


def _check_tree(
    v: Version,
    action: Action,
    history: History,
    roster: Roster,
    referred: list[Version],
    trees: Mapping[str, TreeFacts],
    fail: Callable[[str, str], None],
) -> None:
    facts = trees.get(v.tree)
    if facts is None:
        fail(Rule.TREE_SHAPE, f"tree {v.tree[:10]} could not be read")
        return
    if facts.stray:
        fail(Rule.TREE_SHAPE, f"the tree holds {facts.stray[0]!r}, which no action puts there")
    if action in SAME_TREE_ACTIONS:
        if v.tree != referred[0].tree:
            fail(Rule.TREE_CHANGED, f"a {action} changes the tree of {describe(referred[0])}")
        return
    if facts.roster_blob is None or facts.signers_blob is None:
        fail(Rule.TREE_SHAPE, "the tree lacks penholder.toml or allowed_signers")
    if action in ROSTER_ONLY_ACTIONS and facts.documents:
        fail(Rule.TREE_SHAPE, f"a {action} carries the document {facts.documents[0][0]}")
    if action in TEXT_ACTIONS:
        names = [name for name, _, _ in facts.documents]
        if names != [v.document]:
            fail(Rule.TREE_SHAPE, f"a {action} of {v.document} carries {names or 'no document'}")
        for name, _, size in facts.documents:
            if size > roster.rules.max_draft_bytes:
                fail(
                    Rule.DOCUMENT_SIZE,
                    f"draft {name} has {size} bytes, over {roster.rules.max_draft_bytes}",
                )
    if action not in (Action.OPEN, Action.ROSTER) and v.parents:
        parent_tree = (
            trees.get(history.version(v.parents[0]).tree) if v.parents[0] in history else None
        )
        if parent_tree is None or _roster_blobs(parent_tree) != _roster_blobs(facts):
            fail(Rule.ROSTER_CHANGED, f"a {action} changes the roster files")


def check_against_store(v: Version, history: History, roster: Roster) -> list[Violation]:
    """The turn rules once more, over everything the store holds: a writer acts on what it has."""
    out: list[Violation] = []
    for w in history.open_withdrawals():
        if Action(v.action) not in ALLOWED_UNDER_SUSPENSION:
            who = history.version(w).actor
            out.append(
                Violation(Rule.SUSPENDED, f"the table is suspended: {who} withdrew ({w[:10]})")
            )
            break
    if (
        v.action == Action.RESUME
        and v.refers
        and any(w.action == Action.RESUME for w in history.referring(v.refers[0]))
    ):
        out.append(Violation(Rule.RESUME, f"withdrawal {v.refers[0][:10]} is already resumed"))
    return out + [
        x
        for x in check_version(v, history, roster, _NO_TREES, visible=EVERYTHING)
        if x.rule in _TURN_RULES
    ]


_NO_TREES: Mapping[str, TreeFacts] = {}
_TURN_RULES = frozenset(
    {Rule.TURN, Rule.CONSOLIDATE_HEADS, Rule.DOCUMENT_EXISTS, Rule.DUPLICATE, Rule.RETRACT}
)
