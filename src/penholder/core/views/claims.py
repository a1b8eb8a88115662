"""What a command claims about agreement, recomputed: never from the cache alone.

`status` and the app say a text is agreed only after the kernel finds it agreed in a history
read afresh from git (`Negotiation(path, use_cache=False)`), the signatures of the text and of
every attestation counted for it, and of every roster change (with its endorsements and
receipts) that put that roster in force, check out in-process against the roster in force at
each; no counted version was signed with a key a roster change revoked; and each of those
versions keeps every rule of its own (a sign made under suspension, or one that
changes the tree it signs, counts for nothing).
"""

from __future__ import annotations

from penholder.core.model import Action, SignatureStatus
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.agreement import Agreement, agreement
from penholder.core.trust.history import History
from penholder.core.trust.rosters import roster_for
from penholder.core.trust.rules import Rule
from penholder.core.trust.tips import revocation_findings
from penholder.core.trust.versions import TreeFacts, check_version
from penholder.core.views.signatures import signature_statuses

# Judged once more after the fact, a version's own line has moved on: that rule was judged
# when the version joined its line (agreement counts only versions on their actor's line).
_JUDGED_ON_ARRIVAL = frozenset({Rule.OWN_TIP})


def confirmed_agreement(negotiation: Negotiation, text: str) -> Agreement | None:
    """The agreement of `text` if the kernel finds it agreed, every signature it counts is
    good, and every version it counts keeps its rules; None otherwise."""
    found = agreement(negotiation.history, text)
    if not found.agreed:
        return None
    history = negotiation.history
    counted = [text, *found.signs.values(), *found.endorsements.values()]
    shas = [*counted, *_roster_support(history, text)]
    statuses = signature_statuses(negotiation.path, shas, found.roster, history)
    if any(statuses.get(sha) != SignatureStatus.GOOD for sha in shas):
        return None
    if any(_breaks_a_rule(negotiation, sha) for sha in shas):
        return None
    if _signed_with_revoked_keys(history, counted):
        return None
    return found


def _roster_support(history: History, text: str) -> list[str]:
    """The versions that put the text's roster in force: each roster change in effect in its
    past, and the endorsements and receipts of those changes there. A forged one among them
    could seat forged keys, so their signatures are confirmed too (red team: status claimed an
    agreement made entirely with keys a forged roster change had seated)."""
    out: list[str] = []
    for change in sorted(history.in_effect([text])):
        out.append(change)
        out += [
            w.sha
            for w in history.referring(change)
            if w.action in (Action.ENDORSE, Action.RECEIPT) and history.is_ancestor(w.sha, text)
        ]
    return list(dict.fromkeys(out))


def _signed_with_revoked_keys(history: History, counted: list[str]) -> bool:
    """Whether a counted version was signed with a key some roster change revoked, and is not
    an ancestor of that change (as verify judges it)."""
    keys: dict[str, str] = {}
    for sha in counted:
        v = history.version(sha)
        actor = roster_for(v, history).actor(v.actor)
        if actor is not None:
            keys[sha] = actor.key
    return bool(revocation_findings(history, keys, {}))


def _breaks_a_rule(negotiation: Negotiation, sha: str) -> bool:
    history = negotiation.history
    v = history.version(sha)
    trees: dict[str, TreeFacts] = {v.tree: negotiation.tree_facts(v.tree)}
    for parent in v.parents[:1]:
        tree = history.version(parent).tree
        trees[tree] = negotiation.tree_facts(tree)
    violations = check_version(v, history, roster_for(v, history), trees)
    return any(x.rule not in _JUDGED_ON_ARRIVAL for x in violations)
