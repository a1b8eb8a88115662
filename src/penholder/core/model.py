"""Plain data of a negotiation: actions, roles, signature statuses and versions. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    OPEN = "open"
    PROPOSE = "propose"
    AMEND = "amend"
    FORWARD = "forward"
    CONSOLIDATE = "consolidate"
    COMMENT = "comment"
    RECEIPT = "receipt"
    SIGN = "sign"
    ENDORSE = "endorse"
    RETRACT = "retract"
    WITHDRAW = "withdraw"
    RESUME = "resume"
    ROUND = "round"
    ROSTER = "roster"


class Role(StrEnum):
    PARTY = "party"
    MEDIATOR = "mediator"
    OBSERVER = "observer"


class SignatureStatus(StrEnum):
    """What a version's signature is worth: made over it by the key the roster in force gives
    its actor (good), no valid signature over it (bad), or one made by another key."""

    GOOD = "good"
    BAD = "bad"
    UNKNOWN_KEY = "unknown-key"


TEXT_ACTIONS = frozenset({Action.PROPOSE, Action.AMEND, Action.FORWARD, Action.CONSOLIDATE})
# Versions that take a position on a text: once an actor has done one of these referring to a
# version, it has answered that version and the pen moves on.
ANSWER_ACTIONS = frozenset(
    {Action.AMEND, Action.FORWARD, Action.CONSOLIDATE, Action.SIGN, Action.ENDORSE}
)
# Versions whose tree is the referred version's tree, unchanged.
SAME_TREE_ACTIONS = frozenset(
    {Action.COMMENT, Action.RECEIPT, Action.SIGN, Action.ENDORSE, Action.RETRACT}
)
# Versions whose tree holds the roster files and nothing else.
ROSTER_ONLY_ACTIONS = frozenset(
    {Action.OPEN, Action.WITHDRAW, Action.RESUME, Action.ROUND, Action.ROSTER}
)
ALLOWED_UNDER_SUSPENSION = frozenset(
    {Action.RESUME, Action.COMMENT, Action.RECEIPT, Action.ROUND, Action.RETRACT}
)
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.PARTY: frozenset(
        {
            Action.PROPOSE,
            Action.AMEND,
            Action.COMMENT,
            Action.RECEIPT,
            Action.SIGN,
            Action.RETRACT,
            Action.WITHDRAW,
        }
    ),
    Role.MEDIATOR: frozenset(
        {
            Action.OPEN,
            Action.PROPOSE,
            Action.AMEND,
            Action.FORWARD,
            Action.CONSOLIDATE,
            Action.COMMENT,
            Action.RECEIPT,
            Action.ENDORSE,
            Action.RETRACT,
            Action.RESUME,
            Action.ROUND,
            Action.ROSTER,
        }
    ),
    Role.OBSERVER: frozenset({Action.RECEIPT}),
}

DOCUMENT_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# An actor id: a lower-case slug, a letter first (the pattern keys.check_actor_id enforces).
ACTOR_ID = re.compile(r"[a-z][a-z0-9-]{0,39}")
# A version's name: a full, lower-case sha.
SHA = re.compile(r"[0-9a-f]{40}")


def document_path(name: str) -> str:
    return f"drafts/{name}.md"


@dataclass(frozen=True, slots=True)
class Version:
    """One signed commit, as its trailers and headers describe it (not yet verified)."""

    sha: str
    parents: tuple[str, ...]
    tree: str
    actor: str
    action: str
    to: tuple[str, ...]
    document: str | None
    round: int
    refers: tuple[str, ...]
    negotiation: str
    place: str | None
    date: str | None
    subject: str
    note: str
    time: int
    author: str
    committer: str

    @property
    def is_text(self) -> bool:
        return self.action in TEXT_ACTIONS

    @property
    def short(self) -> str:
        return self.sha[:10]

    def to_record(self) -> tuple[object, ...]:
        return (
            self.sha,
            self.parents,
            self.tree,
            self.actor,
            self.action,
            self.to,
            self.document,
            self.round,
            self.refers,
            self.negotiation,
            self.place,
            self.date,
            self.subject,
            self.note,
            self.time,
            self.author,
            self.committer,
        )
