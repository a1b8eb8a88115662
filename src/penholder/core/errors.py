"""A flat family of errors. Each carries a stable rule id a person or a script can act on."""

from __future__ import annotations


class PenholderError(Exception):
    """Base of every error Penholder reports to a person: one line, a rule id, no traceback."""

    rule: str = "error"

    def __init__(self, message: str, *, rule: str | None = None) -> None:
        super().__init__(message)
        if rule is not None:
            self.rule = rule

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.rule


class RefusedError(PenholderError):
    """An action the protocol rules forbid; nothing was written."""

    rule = "refused"


class KeyError_(PenholderError):
    """A key that cannot be found, read, unlocked or trusted."""

    rule = "key"


class StoreError(PenholderError):
    """The negotiation repository is missing, malformed or cannot be written."""

    rule = "store"


class LockHeldError(StoreError):
    """A git lock stayed held past the retry budget."""

    rule = "lock-held"


class UnknownRevisionError(PenholderError):
    rule = "unknown-rev"


class InputError(PenholderError):
    """Bad input from the user: a missing file, a malformed roster, a draft that is not text."""

    rule = "input"


class SignatureFormError(PenholderError):
    """A signature that is not in the one canonical form Penholder accepts."""

    rule = "signature-form"
