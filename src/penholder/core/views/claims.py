"""What a command claims about agreement, recomputed: never from the cache alone.

`status` and the app say a text is agreed only when the kernel finds it agreed in a history
read afresh from git (`Negotiation(path, use_cache=False)`) and that whole history verifies:
every version's signature against the roster in force at it, every rule of every version, and
the rules over the whole history (each branch its owner's, no retract an agreement voids, no
revoked key). Anything less was tried and left holes each time (a claim resting on a forged
roster change, on an equivocating branch, on a sign its party had taken back): a store that
does not verify claims no agreement at all, and says so.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.agreement import Agreement, agreement
from penholder.core.views.verify import Report, verify

# One verify per opened negotiation, however many texts a command asks about.
_verified: WeakKeyDictionary[Negotiation, Report] = WeakKeyDictionary()


def confirmed_agreement(negotiation: Negotiation, text: str) -> Agreement | None:
    """The agreement of `text` if the kernel finds it agreed and the history it was read from
    verifies, every version of it; None otherwise."""
    found = agreement(negotiation.history, text)
    if not found.agreed or not history_verifies(negotiation):
        return None
    return found


def history_verifies(negotiation: Negotiation) -> bool:
    """Whether `verify` passes on the store, and covered every version this negotiation read
    (a branch moved back between the two reads leaves versions verify never saw)."""
    report = _verified.get(negotiation)
    if report is None:
        report = _verified[negotiation] = verify(negotiation.path)
    return report.ok and all(
        sha in report.signatures for sha in negotiation.history.shas_in_order()
    )
