"""What a command claims about agreement, recomputed: never from the cache alone.

`status` says a text is agreed only when the kernel finds it agreed in the history
`verify` read afresh from git, and that whole history verifies:
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
    """The agreement of `text` if the history verify read verifies, every version of it, and
    the kernel finds `text` agreed in that very history; None otherwise."""
    report = _verified.get(negotiation)
    if report is None:
        report = _verified[negotiation] = verify(negotiation.path)
    return _agreement_in(report, text)


def _agreement_in(report: Report, text: str) -> Agreement | None:
    if not report.ok or report.history is None or text not in report.history:
        return None
    found = agreement(report.history, text)
    return found if found.agreed else None
