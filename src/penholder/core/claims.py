"""What a command claims about agreement, recomputed: never from the cache alone.

`status` and the app say a text is agreed only after the kernel finds it agreed in a history
read afresh from git (`Negotiation(path, use_cache=False)`) and the signatures of the text and
of every attestation counted for it check out in-process against the roster in force at each.
"""

from __future__ import annotations

from penholder.core.store import Negotiation
from penholder.core.trust.agreement import Agreement, agreement
from penholder.core.verify import signature_statuses


def confirmed_agreement(negotiation: Negotiation, text: str) -> Agreement | None:
    """The agreement of `text` if the kernel finds it agreed and every signature it counts is
    good; None otherwise."""
    found = agreement(negotiation.history, text)
    if not found.agreed:
        return None
    shas = [text, *found.signs.values(), *found.endorsements.values()]
    statuses = signature_statuses(negotiation.path, shas, found.roster, negotiation.history)
    if any(statuses.get(sha) != "good" for sha in shas):
        return None
    return found
