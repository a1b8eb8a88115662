"""Joining parallel amendments: find their common base and merge them word by word."""

from __future__ import annotations

from penholder.core.diff.merge import describe_conflicts, three_way_merge
from penholder.core.errors import Hint, InputError, RefusedError
from penholder.core.model import Version
from penholder.core.store.negotiation import Negotiation


def common_base(negotiation: Negotiation, heads: list[Version]) -> Version:
    """The newest text version of the heads' document that is an ancestor of every head."""
    history = negotiation.history
    document = heads[0].document
    best: Version | None = None
    for sha in history.lineage_of(document or ""):
        if sha in {h.sha for h in heads}:
            continue
        if all(history.is_ancestor(sha, h.sha) for h in heads) and (
            best is None or history.generation(sha) > history.generation(best.sha)
        ):
            best = history.version(sha)
    if best is None:
        raise InputError(f"the versions share no earlier text of {document}: nothing to merge from")
    return best


def merge_versions(negotiation: Negotiation, heads: list[Version]) -> str:
    if len(heads) < 2:
        raise InputError("a merge joins two or more versions")
    if len({h.document for h in heads}) != 1:
        raise RefusedError("the versions are of different documents", rule="refers-kind")
    base = common_base(negotiation, heads)
    result = three_way_merge(negotiation.text_of(base), *(negotiation.text_of(h) for h in heads))
    if result.text is None:
        labels = [f"{h.actor} {h.short}" for h in heads]
        shown = describe_conflicts(result, labels)
        raise RefusedError(
            f"{len(result.conflicts)} passages were changed differently; join them by hand:"
            f"\n{shown}",
            rule="merge-conflict",
            hint=Hint.GIVE_TEXT,
        )
    return result.text
