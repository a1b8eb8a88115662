"""Every rule a negotiation's history must keep, by its stable id, with one line saying what
holds when it passes. Failures and refusals name one of these; the README's rule table is
tested against this list."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Rule(StrEnum):
    # the parser: canonical objects only
    COMMIT_HEADERS = "commit-headers"
    TRAILERS = "trailers"
    MESSAGE_FORM = "message-form"
    CONTROL_CHARACTERS = "control-characters"
    TREE_FORM = "tree-form"
    DOCUMENT_ENCODING = "document-encoding"
    ROSTER_FORMAT = "roster-format"
    REF_FORM = "ref-form"
    # signatures and keys
    SIGNATURE_MISSING = "signature-missing"
    SIGNATURE_FORM = "signature-form"
    SIGNATURE_BAD = "signature-bad"
    SIGNATURE_KEY = "signature-key"
    REVOKED_KEY = "revoked-key"
    KEY_OWNER = "key-owner"
    SIGNERS_DERIVED = "signers-derived"
    # identity of the negotiation and of each version
    NEGOTIATION_ID = "negotiation-id"
    ACTION_UNKNOWN = "action-unknown"
    ROOT = "root"
    ACTOR_UNKNOWN = "actor-unknown"
    ROLE_ACTION = "role-action"
    AUTHOR = "author"
    OWN_TIP = "own-tip"
    # routes and turns
    RECIPIENT_UNKNOWN = "recipient-unknown"
    RECIPIENTS_MISSING = "recipients-missing"
    ROUTE = "route"
    DOCUMENT_NAME = "document-name"
    DOCUMENT_EXISTS = "document-exists"
    DOCUMENT_SIZE = "document-size"
    REFERS_COUNT = "refers-count"
    REFERS_MISSING = "refers-missing"
    REFERS_KIND = "refers-kind"
    REFERS_PARENTS = "refers-parents"
    TURN = "turn"
    CONSOLIDATE_HEADS = "consolidate-heads"
    SUSPENDED = "suspended"
    RESUME = "resume"
    WITHDRAW = "withdraw"
    RETRACT = "retract"
    DUPLICATE = "duplicate"
    ROUND = "round"
    ROUND_NUMBER = "round-number"
    # rosters
    ROSTER_CHANGED = "roster-changed"
    ROSTER_CHANGE = "roster-change"
    ROSTER_FORK = "roster-fork"
    # trees
    TREE_SHAPE = "tree-shape"
    TREE_CHANGED = "tree-changed"
    # branches
    BRANCH_UNKNOWN = "branch-unknown"
    BRANCH_TIP = "branch-tip"
    BRANCH_ANCESTRY = "branch-ancestry"
    # sync: what a branch update from another copy may be
    SYNC_ROLLBACK = "sync-rollback"
    SYNC_REWRITE = "sync-rewrite"
    SYNC_EQUIVOCATION = "sync-equivocation"
    SYNC_VERIFY = "sync-verify"


RULE_TEXT: dict[Rule, str] = {
    Rule.COMMIT_HEADERS: "the commit has exactly tree, parents, author, committer and one gpgsig, "
    "in that order",
    Rule.TRAILERS: "the message carries the Penholder trailers, each once, well formed, numbers "
    "in plain ASCII digits",
    Rule.MESSAGE_FORM: "the message is a subject, an optional note and one trailer block, with "
    "nothing after it",
    Rule.CONTROL_CHARACTERS: "no NUL, no control character but newline and tab, and no Unicode "
    "bidirectional control in any message or text",
    Rule.TREE_FORM: "every tree is canonical: entries sorted as git sorts them, none twice",
    Rule.DOCUMENT_ENCODING: "every draft is UTF-8 text",
    Rule.ROSTER_FORMAT: "every penholder.toml parses, within sane size and depth",
    Rule.REF_FORM: "every branch is a plain ref to a commit; no symbolic refs, replace refs, "
    "grafts or shallow history",
    Rule.SIGNATURE_MISSING: "every version carries one SSH signature",
    Rule.SIGNATURE_FORM: "the signature is canonical: SSHSIG v1, Ed25519, namespace git, sha512, "
    "empty reserved, base64 wrapped at 70",
    Rule.SIGNATURE_BAD: "the signature verifies over the commit",
    Rule.SIGNATURE_KEY: "the signing key is the actor's key in the roster in force",
    Rule.REVOKED_KEY: "a version by a revoked key, under any id, is an ancestor of the roster "
    "version revoking it",
    Rule.KEY_OWNER: "a key belongs to one actor for the life of the negotiation; a removed or "
    "revoked key is never seated again",
    Rule.SIGNERS_DERIVED: "allowed_signers is derived from the roster history, byte for byte",
    Rule.NEGOTIATION_ID: "the version names this negotiation's id",
    Rule.ACTION_UNKNOWN: "the action is one of the fourteen actions",
    Rule.ROOT: "one root, the `open` version by the convener, carrying a readable roster, and no "
    "other version without parents",
    Rule.ACTOR_UNKNOWN: "the actor is on the roster in force",
    Rule.ROLE_ACTION: "the actor's role may take this action",
    Rule.AUTHOR: "author = committer = `Display Name <actor@negotiation>` in UTC",
    Rule.OWN_TIP: "every version an actor signs has the actor's previous version among its "
    "ancestors: an actor's versions form one line",
    Rule.RECIPIENT_UNKNOWN: "every recipient is on the roster",
    Rule.RECIPIENTS_MISSING: "a text version is addressed to someone",
    Rule.ROUTE: "parties address mediators only; nobody addresses itself",
    Rule.DOCUMENT_NAME: "text versions name a valid document; others name the referred one's",
    Rule.DOCUMENT_EXISTS: "`propose` only for a document that does not exist yet",
    Rule.DOCUMENT_SIZE: "a draft stays within [rules] max_draft_bytes",
    Rule.REFERS_COUNT: "the action refers to the right number of versions",
    Rule.REFERS_MISSING: "every referred version exists among the ancestors",
    Rule.REFERS_KIND: "every referred version is of the right kind and document",
    Rule.REFERS_PARENTS: "parents are the referred versions, then at most the actor's previous tip",
    Rule.TURN: "the referred text was addressed to the actor, is unanswered by it, and nothing "
    "newer addressed to it descends from it (or it is the actor's own unanswered version)",
    Rule.CONSOLIDATE_HEADS: "consolidate joins heads of one document, each addressed to the "
    "mediator",
    Rule.SUSPENDED: "under suspension only resume, comment, receipt, round and retract",
    Rule.RESUME: "resume refers to a withdrawal still in force",
    Rule.WITHDRAW: "a party that has withdrawn cannot withdraw again",
    Rule.RETRACT: "retract takes back the actor's own unanswered draft, or its sign/endorse of a "
    "text (or roster change) that is agreed (in effect) nowhere in the history, whatever view "
    "the retract was written from",
    Rule.DUPLICATE: "an actor signs, endorses or receipts one version once; no receipt of a "
    "receipt",
    Rule.ROUND: "Penholder-Round is the latest round among the ancestors",
    Rule.ROUND_NUMBER: "a new round is numbered previous + 1 and names its place and date",
    Rule.ROSTER_CHANGED: "only open and roster versions change the roster files",
    Rule.ROSTER_CHANGE: "a roster version keeps the negotiation's identity and every key ever "
    "valid, adds no key twice and un-revokes nothing",
    Rule.ROSTER_FORK: "the roster changes in effect at a version follow one another: one roster "
    "is in force",
    Rule.TREE_SHAPE: "the tree holds the roster files and at most the one document the action "
    "names",
    Rule.TREE_CHANGED: "comment, receipt, sign, endorse and retract keep the referred tree",
    Rule.BRANCH_UNKNOWN: "every branch is named after an actor of the roster",
    Rule.BRANCH_TIP: "every branch tip is a version signed by the branch's owner",
    Rule.BRANCH_ANCESTRY: "every version of an actor is an ancestor of the actor's branch tip",
    Rule.SYNC_ROLLBACK: "another copy never moves a branch back from what it showed before, nor "
    "drops it",
    Rule.SYNC_REWRITE: "another copy's branch descends from what it showed before and from ours",
    Rule.SYNC_EQUIVOCATION: "one actor's branch is never two histories: a branch that moved here "
    "while the other copy moved it elsewhere is refused",
    Rule.SYNC_VERIFY: "what a branch brings in verifies, alone and with everything held here",
}

# Kept for the callers that look a description up by its string id.
RULES: dict[str, str] = {rule.value: text for rule, text in RULE_TEXT.items()}


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
