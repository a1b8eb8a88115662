"""What every command shares: the options of the `penholder` group (repository, key folder,
passphrases), opening the store, unlocking a key, JSON output, and turning a PenholderError
into one clear line and exit code 1.

Imported by every command, so it imports nothing heavy at the top: the store, the keys and
cryptography are imported when a command first asks for them.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from penholder.cli.terminal import say
from penholder.core.errors import Hint, InputError, KeyFileError, PenholderError
from penholder.core.trust.text import neutralize

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from penholder.core.model import Version
    from penholder.core.store.keyfiles import KeyStore
    from penholder.core.store.negotiation import Negotiation
    from penholder.core.views.compare import Sides


def default_home() -> Path:
    if env := os.environ.get("PENHOLDER_HOME"):
        return Path(env)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "penholder"


@dataclass
class Context:
    """The `penholder` group's options, the negotiation once opened and the keys once unlocked."""

    repo: Path
    home: Path
    passphrase_file: Path | None
    _negotiation: Negotiation | None = None
    last_sha: str = ""
    _keys: dict[str, Ed25519PrivateKey] = field(default_factory=dict)

    @property
    def keystore(self) -> KeyStore:
        from penholder.core.store.keyfiles import KeyStore

        return KeyStore(self.home)

    def negotiation(self) -> Negotiation:
        if self._negotiation is None:
            from penholder.core.store.negotiation import Negotiation

            self._negotiation = Negotiation(self.repo)
        return self._negotiation

    def resolve(self, rev: str) -> Version:
        return self.negotiation().resolve(rev)

    def passphrase(self, actor_id: str, *, confirm: bool = False) -> bytes:
        if self.passphrase_file is not None:
            try:
                text = self.passphrase_file.read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError(f"cannot read the passphrase file: {exc}") from exc
            return text.rstrip("\r\n").encode("utf-8")
        if "PENHOLDER_PASSPHRASE" in os.environ:
            return os.environ["PENHOLDER_PASSPHRASE"].encode("utf-8")
        if not sys.stdin.isatty():
            raise KeyFileError(
                f"the key of {actor_id} needs a passphrase: set PENHOLDER_PASSPHRASE or give "
                "--passphrase-file (no terminal to ask on)",
                rule="key-passphrase",
            )
        value: str = click.prompt(
            f"Passphrase for {actor_id}'s key",
            hide_input=True,
            confirmation_prompt=confirm,
            err=True,
        )
        return value.encode("utf-8")

    def key(self, actor_id: str) -> Ed25519PrivateKey:
        """The actor's private key, unlocked once per command (the bcrypt KDF is slow)."""
        if actor_id not in self._keys:
            store = self.keystore
            store.check_permissions(actor_id)
            secret = self.passphrase(actor_id) if store.is_encrypted(actor_id) else None
            self._keys[actor_id] = store.unlock(actor_id, secret)
        return self._keys[actor_id]


pass_ctx = click.make_pass_decorator(Context)


def fail(message: str, rule: str = "error") -> NoReturn:
    say(f"penholder: {rule}: {message}", err=True)
    raise SystemExit(1)


# What the person can give to get past an error, as this command line's flags; the core's
# messages say it in words and carry the hint (DESIGN.md: no front end's option in the core).
HINT_FLAGS = {
    Hint.CHOOSE_DOCUMENT: "give --doc",
    Hint.CHOOSE_VERSION: "give --refers",
    Hint.GIVE_REVISION: "penholder {command} A B",
    Hint.GIVE_ACTOR: "give --as",
    Hint.GIVE_TEXT: "give --file",
    Hint.ALLOW_DRAFT: "add --draft",
    Hint.EXPECT_ROOT: "give --expect-root",
}


def hinted(message: str, hint: Hint | None) -> str:
    """The message with its hint as a flag, in parentheses at the end of its first line:
    `accord names no document (give --doc)`."""
    if hint is None:
        return message
    click_ctx = click.get_current_context(silent=True)
    command = click_ctx.info_name if click_ctx is not None else "diff"
    flag = HINT_FLAGS[hint].format(command=command)
    first, newline, rest = message.partition("\n")
    if newline and first.endswith(":"):
        return f"{first[:-1]} ({flag}):{newline}{rest}"
    return f"{first} ({flag}){newline}{rest}"


@contextmanager
def reported() -> Iterator[None]:
    """Run a command's body: a PenholderError or an OS error becomes one line and exit 1."""
    try:
        yield
    except PenholderError as exc:
        fail(hinted(exc.message, exc.hint), exc.rule)
    except BrokenPipeError:
        # The reader (head, less) went away: stop quietly, as other command-line tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(1) from None
    except OSError as exc:
        fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), "io")


_NON_ASCII = re.compile("[^\x00-\x7e]")


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    return char if neutralize(char) == char else f"\\u{ord(char):04x}"


def safe_json(value: object) -> str:
    """JSON that keeps every text exactly, yet never carries a control or bidi character raw:
    json escapes C0 itself; DEL, C1 and the bidi controls are written as \\uXXXX escapes (the
    same string to any JSON reader). Other non-ASCII text (names, drafts) stays readable."""
    import json

    return _NON_ASCII.sub(_json_escape, json.dumps(value, indent=2, ensure_ascii=False))


def echo_json(value: object) -> None:
    click.echo(safe_json(value))


def describe(v: Version) -> str:
    to = f" → {', '.join(v.to)}" if v.to else ""
    doc = f" [{v.document}]" if v.document else ""
    return f"{v.short}  r{v.round}  {v.actor} {v.action}{doc}{to}: {v.subject}"


def named_sides(
    ctx: Context,
    negotiation: Negotiation,
    a: str | None,
    b: str | None,
    round_number: int | None,
    document: str | None,
    usage: str,
) -> Sides:
    """What a comparison command names: a round of a document (--round N --doc NAME), A
    against B, or A against the version it answers; `usage` is the refusal for none."""
    from penholder.core.actions import Base
    from penholder.core.views import compare

    if round_number is not None:
        if not document:
            raise InputError("--round needs --doc NAME")
        return compare.rounds(negotiation, round_number, document)
    if a and b:
        return compare.between(negotiation, ctx.resolve(a), ctx.resolve(b), document)
    if a:
        return compare.against(negotiation, ctx.resolve(a), Base.ANSWERED, None, document)
    raise InputError(usage)
