"""Questions people ask of a negotiation: its state, who holds the pen, what awaits whom.

Pure functions over a `History` and its roster; the CLI and the TUI both paint their answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from penholder.core.model import Action, Version
from penholder.core.trust.agreement import is_agreed
from penholder.core.trust.history import History
from penholder.core.trust.roster import Roster


@dataclass(frozen=True)
class DocumentState:
    name: str
    heads: list[str]
    pen: list[str]
    agreed: str | None


@dataclass(frozen=True)
class TableState:
    negotiation: str
    title: str
    state: str  # open or suspended
    round: int
    place: str | None
    date: str | None
    documents: list[DocumentState]
    suspended_by: list[str]

    def to_json(self) -> dict[str, object]:
        return {
            "negotiation": self.negotiation,
            "title": self.title,
            "state": self.state,
            "round": {"number": self.round, "place": self.place, "date": self.date},
            "documents": {
                d.name: {"heads": d.heads, "pen": d.pen, "agreed": d.agreed} for d in self.documents
            },
        }


def iso_time(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def agreed_version(history: History, roster: Roster, document: str) -> str | None:
    best = None
    for sha in history.lineage_of(document):
        if is_agreed(history, sha) and (
            best is None or history.generation(sha) > history.generation(best)
        ):
            best = sha
    return best


def table_state(history: History, roster: Roster) -> TableState:
    documents = []
    for name in history.documents():
        heads = history.heads(name)
        pen: list[str] = []
        for head in heads:
            pen += [a for a in history.pen(head) if a not in pen]
        documents.append(DocumentState(name, heads, pen, agreed_version(history, roster, name)))
    withdrawals = history.open_withdrawals()
    current = history.current_round()
    return TableState(
        negotiation=roster.negotiation_id,
        title=roster.title,
        state="suspended" if withdrawals else "open",
        round=current.number if current else 1,
        place=current.place if current else None,
        date=current.date if current else None,
        documents=documents,
        suspended_by=[history.version(w).actor for w in withdrawals],
    )


def inbox(history: History, actor: str) -> list[Version]:
    """Versions addressed to `actor` that it has neither answered nor receipted, oldest first."""
    out = []
    for v in history.versions_in_order():
        if actor not in v.to or v.actor == actor or history.is_retracted(v.sha):
            continue
        if any(w.actor == actor and w.action != Action.RETRACT for w in history.referring(v.sha)):
            continue
        out.append(v)
    return out


def version_json(v: Version, roster: Roster, signature: str) -> dict[str, object]:
    actor = roster.actor(v.actor)
    return {
        "sha": v.sha,
        "actor": v.actor,
        "role": actor.role if actor else None,
        "action": v.action,
        "to": list(v.to),
        "document": v.document,
        "round": v.round,
        "refers": list(v.refers),
        "subject": v.subject,
        "note": v.note,
        "time": iso_time(v.time),
        "signature": signature,
    }
