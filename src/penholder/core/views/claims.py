"""What a command claims about agreement, recomputed: never from the cache alone.

`status` and the app say a text is agreed only after the kernel finds it agreed in a history
read afresh from git (`Negotiation(path, use_cache=False)`), the signatures of the text and of
every attestation counted for it check out in-process against the roster in force at each, and
each of those versions keeps every rule of its own (a sign made under suspension, or one that
changes the tree it signs, counts for nothing).
"""

from __future__ import annotations

from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.agreement import Agreement, agreement
from penholder.core.trust.rosters import roster_for
from penholder.core.trust.rules import Rule
from penholder.core.trust.versions import TreeFacts, check_version
from penholder.core.views.verify import signature_statuses

# Judged once more after the fact, a version's own line has moved on: that rule was judged
# when the version joined its line (agreement counts only versions on their actor's line).
_JUDGED_ON_ARRIVAL = frozenset({Rule.OWN_TIP})


def confirmed_agreement(negotiation: Negotiation, text: str) -> Agreement | None:
    """The agreement of `text` if the kernel finds it agreed, every signature it counts is
    good, and every version it counts keeps its rules; None otherwise."""
    found = agreement(negotiation.history, text)
    if not found.agreed:
        return None
    shas = [text, *found.signs.values(), *found.endorsements.values()]
    statuses = signature_statuses(negotiation.path, shas, found.roster, negotiation.history)
    if any(statuses.get(sha) != "good" for sha in shas):
        return None
    if any(_breaks_a_rule(negotiation, sha) for sha in shas):
        return None
    return found


def _breaks_a_rule(negotiation: Negotiation, sha: str) -> bool:
    history = negotiation.history
    v = history.version(sha)
    trees: dict[str, TreeFacts] = {v.tree: negotiation.tree_facts(v.tree)}
    for parent in v.parents[:1]:
        tree = history.version(parent).tree
        trees[tree] = negotiation.tree_facts(tree)
    violations = check_version(v, history, roster_for(v, history), trees)
    return any(x.rule not in _JUDGED_ON_ARRIVAL for x in violations)
