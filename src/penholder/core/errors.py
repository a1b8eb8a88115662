"""A flat family of errors. Each carries a stable rule id a person or a script can act on."""

from __future__ import annotations

from enum import StrEnum


class Hint(StrEnum):
    """What the person can give to get past an error. Messages never name a front end's
    option: each front end says a hint its own way (the CLI as a flag, the app as a gesture)."""

    CHOOSE_DOCUMENT = "choose-document"  # name the document meant (CLI: --doc)
    CHOOSE_VERSION = "choose-version"  # name the version acted on (CLI: --refers)
    GIVE_REVISION = "give-revision"  # name the versions compared (CLI: diff A B)
    GIVE_ACTOR = "give-actor"  # say whose view (CLI: --as)
    GIVE_TEXT = "give-text"  # give the joined text by hand (CLI: --file)
    ALLOW_DRAFT = "allow-draft"  # accept a certificate marked DRAFT (CLI: --draft)
    EXPECT_ROOT = "expect-root"  # name the trusted root (CLI: --expect-root)


class PenholderError(Exception):
    """Base of every error Penholder reports to a person: one line, a rule id, no traceback;
    `hint`, when set, says what the person can give to get past it."""

    rule: str = "error"
    hint: Hint | None = None

    def __init__(self, message: str, *, rule: str | None = None, hint: Hint | None = None) -> None:
        super().__init__(message)
        if rule is not None:
            self.rule = rule
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.rule


class RefusedError(PenholderError):
    """An action the protocol rules forbid; nothing was written."""

    rule = "refused"


class KeyFileError(PenholderError):
    """A key that cannot be found, read, unlocked or trusted."""

    rule = "key"


class StoreError(PenholderError):
    """The negotiation repository is missing, malformed or cannot be written."""

    rule = "store"


class LockHeldError(StoreError):
    """A git lock stayed held past the retry budget."""

    rule = "lock-held"


class RefMovedError(StoreError):
    """A compare-and-swap on a ref lost: someone else moved it first."""

    rule = "ref-moved"


class TreeFormatError(StoreError, ValueError):
    """A tree object that is not in git's canonical form (order, modes, names, length)."""

    rule = "tree-form"  # Rule.TREE_FORM (the kernel's rule ids sit above this module)


class SyncError(StoreError):
    """A sync, clone or bundle that could not run at all (nothing was changed)."""

    rule = "sync"


class UnknownRevisionError(PenholderError):
    rule = "unknown-rev"


class InputError(PenholderError):
    """Bad input from the user: a missing file, a malformed roster, a draft that is not text."""

    rule = "input"


class SignatureFormError(PenholderError):
    """A signature that is not in the one canonical form Penholder accepts."""

    rule = "signature-form"


class CommitFormatError(PenholderError, ValueError):
    """A commit object or message that is not in Penholder's canonical form; the message names
    what is wrong and `rule` the rule id (a `Rule` value, `trailers` unless given) it breaks."""

    rule = "trailers"  # Rule.TRAILERS
