"""The `penholder` command line, over `penholder.core`.

Every refusal is one line on stderr naming the rule, and a non-zero exit: 1 for a refused or
failed action (or a failed verification), 2 for a malformed command line.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from penholder.cli.terminal import say
from penholder.core.errors import InputError, KeyError_, PenholderError, RefusedError
from penholder.core.model import DOCUMENT_NAME, Action, Version
from penholder.core.store.keyfiles import KeyStore
from penholder.core.store.negotiation import Negotiation, Request, decode_draft, new_negotiation_id
from penholder.core.trust.keylines import (
    check_actor_id,
    fingerprint,
    parse_public_key_line,
    public_key_line,
)
from penholder.core.trust.roster import Roster, check_roster, load_toml, parse_actors, parse_rules
from penholder.core.trust.text import neutralize
from penholder.core.views.claims import confirmed_agreement
from penholder.core.views.queries import (
    default_amend_target,
    inbox,
    iso_time,
    only_open_withdrawal,
    table_state,
    version_json,
)
from penholder.core.views.verify import signature_statuses, verify

F = TypeVar("F", bound=Callable[..., Any])


def default_home() -> Path:
    if env := os.environ.get("PENHOLDER_HOME"):
        return Path(env)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "penholder"


@dataclass
class Context:
    repo: Path
    home: Path
    passphrase_file: Path | None
    _negotiation: Negotiation | None = None
    last_sha: str = ""
    _keys: dict[str, Ed25519PrivateKey] = field(default_factory=dict)

    @property
    def keystore(self) -> KeyStore:
        return KeyStore(self.home)

    def negotiation(self) -> Negotiation:
        if self._negotiation is None:
            self._negotiation = Negotiation(self.repo)
        return self._negotiation

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
            raise KeyError_(
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
        if actor_id not in self._keys:
            store = self.keystore
            store.check_permissions(actor_id)
            secret = self.passphrase(actor_id) if store.is_encrypted(actor_id) else None
            self._keys[actor_id] = store.unlock(actor_id, secret)
        return self._keys[actor_id]


pass_ctx = click.make_pass_decorator(Context)


def fail(message: str, rule: str = "error") -> None:
    say(f"penholder: {rule}: {message}", err=True)
    raise SystemExit(1)


@contextmanager
def reported() -> Iterator[None]:
    try:
        yield
    except PenholderError as exc:
        fail(exc.message, exc.rule)
    except BrokenPipeError:
        # The reader (head, less) went away: stop quietly, as other command-line tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(1) from None
    except OSError as exc:
        fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), "io")


def ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    out = tuple(part.strip() for part in value.split(",") if part.strip())
    for item in out:
        check_actor_id(item)
    return out


def read_draft(path: str, limit: int) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise InputError(f"no such file: {path}", rule="input")
    data = file.read_bytes()
    if b"\r\n" in data:
        # Windows line endings are the file's form, not its text: signed as plain newlines.
        data = data.replace(b"\r\n", b"\n")
        say(f"note: {path}: Windows line endings (CRLF) read as plain newlines", err=True)
    decode_draft(data, path, limit)
    return data


_NON_ASCII = re.compile("[^\x00-\x7e]")


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    return char if neutralize(char) == char else f"\\u{ord(char):04x}"


def safe_json(value: object) -> str:
    """JSON that keeps every text exactly, yet never carries a control or bidi character raw:
    json escapes C0 itself; DEL, C1 and the bidi controls are written as \\uXXXX escapes (the
    same string to any JSON reader). Other non-ASCII text (names, drafts) stays readable."""
    return _NON_ASCII.sub(_json_escape, json.dumps(value, indent=2, ensure_ascii=False))


def echo_json(value: object) -> None:
    click.echo(safe_json(value))


def describe(v: Version) -> str:
    to = f" → {', '.join(v.to)}" if v.to else ""
    doc = f" [{v.document}]" if v.document else ""
    return f"{v.short}  r{v.round}  {v.actor} {v.action}{doc}{to}: {v.subject}"


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "repo",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="PENHOLDER_REPO",
    default=".",
    show_default="$PENHOLDER_REPO, else the current folder",
    help="The negotiation repository.",
)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of private keys [default: $PENHOLDER_HOME, else ~/.local/share/penholder].",
)
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read key passphrases from this file (else $PENHOLDER_PASSPHRASE, else a prompt).",
)
@click.version_option(package_name="penholder")
@click.pass_context
def main(
    click_ctx: click.Context, repo: Path, home: Path | None, passphrase_file: Path | None
) -> None:
    """Penholder: negotiations held entirely through signed, witnessed written drafts.

    Run inside a negotiation without a command to open the terminal app.
    """
    click_ctx.obj = Context(repo=repo, home=home or default_home(), passphrase_file=passphrase_file)
    if click_ctx.invoked_subcommand is None:
        if not (repo / "HEAD").exists():
            say(click_ctx.get_help())
            say(f"\n({repo} is not a negotiation: try `penholder demo`)", err=True)
            return
        click_ctx.invoke(tui_command, actor=None)


# keys --------------------------------------------------------------------------------------


@main.group()
def key() -> None:
    """Create, list and export the Ed25519 keys held on this machine."""


@key.command("new")
@click.argument("actor_id")
@click.option("--name", default="", help="Display name, kept in the .pub comment.")
@click.option("--no-passphrase", is_flag=True, help="Store the key unencrypted (not advised).")
@pass_ctx
def key_new(ctx: Context, actor_id: str, name: str, no_passphrase: bool) -> None:
    """Make a new key for ACTOR_ID; prints its public key line and fingerprint."""
    with reported():
        check_actor_id(actor_id)
        if ctx.keystore.has(actor_id):
            raise KeyError_(f"a key for {actor_id!r} already exists", rule="key-exists")
        if no_passphrase:
            say(
                "warning: the key is stored WITHOUT a passphrase: anyone who copies the file "
                "can sign as " + actor_id,
                err=True,
            )
            secret = None
        else:
            secret = ctx.passphrase(actor_id, confirm=True)
            if not secret:
                raise InputError("the passphrase is empty; use --no-passphrase to mean it")
        private = Ed25519PrivateKey.generate()
        stored = ctx.keystore.save(actor_id, private, secret, name=name)
        say(f"key: {stored.path}")
        say(f"fingerprint: {fingerprint(private.public_key())}")
        say(public_key_line(private.public_key()))


@key.command("list")
@pass_ctx
def key_list(ctx: Context) -> None:
    """List the keys on this machine: id, fingerprint, file."""
    with reported():
        found = ctx.keystore.list()
        if not found:
            say(f"no keys in {ctx.keystore.folder}", err=True)
        for item in found:
            say(f"{item.actor_id}\t{item.fingerprint}\t{item.path}")


@key.command("export")
@click.argument("actor_id")
@pass_ctx
def key_export(ctx: Context, actor_id: str) -> None:
    """Print ACTOR_ID's public key line (the last line of output)."""
    with reported():
        line = ctx.keystore.public_line(actor_id)
        say(f"# {actor_id} {fingerprint(parse_public_key_line(line))}", err=True)
        say(line)


# creating -----------------------------------------------------------------------------------


def load_roster_file(path: Path, negotiation_id: str, title: str, convener: str) -> Roster:
    if not path.is_file():
        raise InputError(f"no such roster file: {path}")
    data = load_toml(path.read_text(encoding="utf-8"), str(path))
    roster = Roster(
        negotiation_id=negotiation_id,
        title=title,
        convener=convener,
        actors=parse_actors(data.get("actor")),
        rules=parse_rules(data.get("rules")),
    )
    check_roster(roster)
    return roster


@main.command()
@click.argument("repo", type=click.Path(file_okay=False, path_type=Path))
@click.option("--as", "actor", required=True, help="The convener (a mediator of the roster).")
@click.option("--title", required=True)
@click.option("--roster", "roster_file", required=True, type=click.Path(path_type=Path))
@click.option("--place", default=None, help="Where round 1 sits.")
@click.option("--date", default=None, help="When round 1 sits (YYYY-MM-DD).")
@pass_ctx
def init(
    ctx: Context,
    repo: Path,
    actor: str,
    title: str,
    roster_file: Path,
    place: str | None,
    date: str | None,
) -> None:
    """Open a new negotiation in REPO (a new bare git repository); round 1 starts."""
    with reported():
        check_date(date)
        roster = load_roster_file(roster_file, new_negotiation_id(), title, actor)
        negotiation = Negotiation.create(repo, roster, ctx.key(actor), place=place, date=date)
        root = negotiation.root
        convener = roster.actor(actor)
        assert convener is not None
        say(f"opened {repo}: {title}")
        say(f"negotiation: {roster.negotiation_id}")
        say(f"root: {root.sha}")
        say(f"convener: {actor} {convener.fingerprint}")
        say("Give the root sha and the fingerprint to every delegation out of band.")


def check_date(date: str | None) -> None:
    import datetime as dt

    if date is None:
        return
    try:
        dt.date.fromisoformat(date)
    except ValueError as exc:
        raise InputError(f"date {date!r} is not YYYY-MM-DD") from exc


# acting -------------------------------------------------------------------------------------


def act(ctx: Context, request: Request) -> None:
    act_and_report(ctx, request)


def act_and_report(ctx: Context, request: Request) -> Version:
    """Sign and store one version; print it. The key is unlocked only for an actor that the
    roster (in force, or the one a receipt accepts) knows."""
    negotiation = ctx.negotiation()
    known = negotiation.roster.actor(request.actor) is not None or any(
        r.actor(request.actor) is not None for r in negotiation.history.roster_versions.values()
    )
    if not known:
        raise RefusedError(f"{request.actor!r} is not on the roster", rule="actor-unknown")
    version = negotiation.act(request, ctx.key(request.actor))
    ctx.last_sha = version.sha
    say(describe(version))
    say(version.sha)
    return version


def resolve(ctx: Context, rev: str) -> Version:
    return ctx.negotiation().resolve(rev)


def document_option(f: F) -> F:
    return click.option(
        "--doc", "document", required=True, help="Document name (accord → drafts/accord.md)."
    )(f)


def check_document(name: str) -> str:
    if not DOCUMENT_NAME.match(name):
        raise InputError(
            f"document name {name!r}: use lower-case letters, digits, '-', '.'",
            rule="document-name",
        )
    return name


@main.command()
@click.option("--as", "actor", required=True)
@document_option
@click.option("--file", "file", required=True, help="The text, a UTF-8 Markdown file.")
@click.option("--to", required=True, help="Recipients, comma-separated ids.")
@click.option("-m", "subject", required=True, help="Subject line.")
@click.option("--note", default="", help="A longer explanation.")
@pass_ctx
def propose(
    ctx: Context, actor: str, document: str, file: str, to: str, subject: str, note: str
) -> None:
    """Table a new document."""
    with reported():
        limit = ctx.negotiation().roster.rules.max_draft_bytes
        text = read_draft(file, limit)
        act(
            ctx,
            Request(
                actor,
                Action.PROPOSE,
                subject,
                to=ids(to),
                document=check_document(document),
                text=text,
                note=note,
            ),
        )


@main.command()
@click.option("--as", "actor", required=True)
@document_option
@click.option("--file", "file", required=True)
@click.option("--to", required=True)
@click.option("-m", "subject", required=True)
@click.option("--note", default="")
@click.option("--refers", default=None, help="The version amended [default: the one awaiting you].")
@pass_ctx
def amend(
    ctx: Context,
    actor: str,
    document: str,
    file: str,
    to: str,
    subject: str,
    note: str,
    refers: str | None,
) -> None:
    """Amend a version of a document addressed to you (or revise your own unanswered one)."""
    with reported():
        negotiation = ctx.negotiation()
        check_document(document)
        text = read_draft(file, negotiation.roster.rules.max_draft_bytes)
        target = (
            resolve(ctx, refers).sha
            if refers
            else default_amend_target(negotiation.history, actor, document)
        )
        act(
            ctx,
            Request(
                actor,
                Action.AMEND,
                subject,
                refers=(target,),
                to=ids(to),
                document=document,
                text=text,
                note=note,
            ),
        )


@main.command()
@click.option("--as", "actor", required=True)
@click.option("--refers", required=True)
@click.option("--to", required=True)
@click.option("--file", "file", default=None, help="An edited text [default: unchanged].")
@click.option("-m", "subject", default=None)
@click.option("--note", default="")
@pass_ctx
def forward(
    ctx: Context, actor: str, refers: str, to: str, file: str | None, subject: str | None, note: str
) -> None:
    """Carry a version on to its next readers (a mediator's action)."""
    with reported():
        negotiation = ctx.negotiation()
        target = resolve(ctx, refers)
        text = read_draft(file, negotiation.roster.rules.max_draft_bytes) if file else None
        act(
            ctx,
            Request(
                actor,
                Action.FORWARD,
                subject or f"Forward {target.actor}'s {target.action} of {target.document}",
                refers=(target.sha,),
                to=ids(to),
                document=target.document,
                text=text,
                note=note,
            ),
        )


@main.command()
@click.option("--as", "actor", required=True)
@click.option("--refers", required=True, help="Two or more heads, comma-separated.")
@click.option("--file", "file", default=None)
@click.option("--auto", is_flag=True, help="Join the heads by a word-level three-way merge.")
@click.option("--to", required=True)
@click.option("-m", "subject", required=True)
@click.option("--note", default="")
@pass_ctx
def consolidate(
    ctx: Context,
    actor: str,
    refers: str,
    file: str | None,
    auto: bool,
    to: str,
    subject: str,
    note: str,
) -> None:
    """Join parallel amendments of one document into one text (a mediator's action)."""
    with reported():
        negotiation = ctx.negotiation()
        targets = [resolve(ctx, rev.strip()) for rev in refers.split(",") if rev.strip()]
        if file and auto:
            raise InputError("give --file or --auto, not both")
        if file:
            text = read_draft(file, negotiation.roster.rules.max_draft_bytes)
        elif auto:
            text = merged_text(negotiation, targets)
        else:
            raise InputError("consolidate needs the joined text: --file TEXT.md, or --auto")
        act(
            ctx,
            Request(
                actor,
                Action.CONSOLIDATE,
                subject,
                refers=tuple(t.sha for t in targets),
                to=ids(to),
                document=targets[0].document if targets else None,
                text=text,
                note=note,
            ),
        )


def merged_text(negotiation: Negotiation, targets: list[Version]) -> bytes:
    from penholder.core.diff.consolidation import merge_versions

    return merge_versions(negotiation, targets).encode("utf-8")


@main.command()
@click.option("--as", "actor", required=True)
@click.option("--refers", required=True)
@click.option("--to", default=None, help="Recipients [default: the mediators].")
@click.option("-m", "text", required=True, help="The comment.")
@click.option("--note", default="")
@pass_ctx
def comment(ctx: Context, actor: str, refers: str, to: str | None, text: str, note: str) -> None:
    """Comment on a version."""
    with reported():
        negotiation = ctx.negotiation()
        target = resolve(ctx, refers)
        recipients = (
            ids(to) if to else tuple(m for m in negotiation.roster.ids("mediator") if m != actor)
        )
        act(
            ctx,
            Request(
                actor,
                Action.COMMENT,
                text,
                refers=(target.sha,),
                to=recipients,
                document=target.document,
                note=note,
            ),
        )


def simple_action(action: Action, doc: str) -> None:
    @main.command(action.value, help=doc)
    @click.option("--as", "actor", required=True)
    @click.option("--refers", required=True)
    @click.option("-m", "subject", default=None)
    @click.option("--note", default="")
    @pass_ctx
    def command(ctx: Context, actor: str, refers: str, subject: str | None, note: str) -> None:
        with reported():
            target = resolve(ctx, refers)
            default = f"{action.value.capitalize()} {target.actor}'s {target.action} {target.short}"
            act(
                ctx,
                Request(
                    actor,
                    action,
                    subject or default,
                    refers=(target.sha,),
                    document=target.document,
                    note=note,
                ),
            )


simple_action(Action.RECEIPT, "Acknowledge receipt of a version.")
simple_action(Action.SIGN, "Accept the exact text of a version (a party's action).")
simple_action(Action.ENDORSE, "Witness a version (a mediator's action).")
simple_action(
    Action.RETRACT, "Take back your own unanswered draft, or a sign/endorse not yet agreed."
)


@main.command()
@click.option("--as", "actor", required=True)
@click.option("-m", "reason", required=True)
@click.option("--note", default="")
@pass_ctx
def withdraw(ctx: Context, actor: str, reason: str, note: str) -> None:
    """Leave the table (a party's action): the negotiation is suspended until resumed."""
    with reported():
        mediators = tuple(m for m in ctx.negotiation().roster.ids("mediator") if m != actor)
        act(ctx, Request(actor, Action.WITHDRAW, reason, to=mediators, note=note))


@main.command()
@click.option("--as", "actor", required=True)
@click.option("--refers", default=None, help="The withdrawal [default: the only one in force].")
@click.option("-m", "subject", required=True)
@click.option("--note", default="")
@pass_ctx
def resume(ctx: Context, actor: str, refers: str | None, subject: str, note: str) -> None:
    """End a withdrawal (a mediator's action)."""
    with reported():
        negotiation = ctx.negotiation()
        target = resolve(ctx, refers).sha if refers else only_open_withdrawal(negotiation.history)
        everyone = tuple(a for a in negotiation.roster.ids() if a != actor)
        act(ctx, Request(actor, Action.RESUME, subject, refers=(target,), to=everyone, note=note))


@main.command("round")
@click.option("--as", "actor", required=True)
@click.option("--number", required=True, type=int)
@click.option("--place", required=True)
@click.option("--date", required=True, help="YYYY-MM-DD")
@click.option("-m", "subject", default=None)
@pass_ctx
def round_command(
    ctx: Context, actor: str, number: int, place: str, date: str, subject: str | None
) -> None:
    """Open a new round (a mediator's action)."""
    with reported():
        check_date(date)
        negotiation = ctx.negotiation()
        everyone = tuple(a for a in negotiation.roster.ids() if a != actor)
        act(
            ctx,
            Request(
                actor,
                Action.ROUND,
                subject or f"Round {number} opens at {place} on {date}",
                to=everyone,
                round_number=number,
                place=place,
                date=date,
            ),
        )


# reading ------------------------------------------------------------------------------------


@main.command()
@click.option("--doc", "document", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def log(ctx: Context, document: str | None, as_json: bool) -> None:
    """Every version, in order of ancestry (oldest first), with its signature check."""
    with reported():
        negotiation = ctx.negotiation()
        history = negotiation.history
        shas = [
            s for s in history.order if document is None or history.versions[s].document == document
        ]
        statuses = signature_statuses(
            negotiation.path, shas, negotiation.roster, negotiation.history
        )
        if as_json:
            echo_json(
                [version_json(history.versions[s], negotiation.roster, statuses[s]) for s in shas]
            )
            return
        for sha in shas:
            v = history.versions[sha]
            badge = {"good": "✓", "bad": "✗ BAD", "unknown-key": "✗ UNKNOWN KEY"}[statuses[sha]]
            say(f"{iso_time(v.time)}  {describe(v)}  {badge}")


@main.command()
@click.argument("rev")
@click.option("--doc", "document", default=None)
@pass_ctx
def show(ctx: Context, rev: str, document: str | None) -> None:
    """A version: who, what, to whom, and its text."""
    with reported():
        negotiation = ctx.negotiation()
        v = resolve(ctx, rev)
        say(f"version   {v.sha}")
        say(f"actor     {v.actor}")
        say(f"action    {v.action}")
        say(f"round     {v.round}")
        if v.to:
            say(f"to        {', '.join(v.to)}")
        for sha in v.refers:
            say(f"refers    {sha}")
        say(f"time      {iso_time(v.time)} (as the signer wrote it)")
        say(f"subject   {v.subject}")
        if v.note:
            say("\n" + v.note)
        found = negotiation.document_of(v, document)
        if found is not None:
            say(f"\n--- {found[0]} ---")
            say(found[1], nl=not found[1].endswith("\n"))
        elif document:
            raise InputError(f"no text of {document!r} at or before {v.short}")


@main.command("inbox")
@click.option("--as", "actor", required=True)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def inbox_command(ctx: Context, actor: str, as_json: bool) -> None:
    """Versions addressed to you that you have not answered or receipted."""
    with reported():
        negotiation = ctx.negotiation()
        if negotiation.roster.actor(actor) is None:
            raise InputError(f"{actor!r} is not on the roster", rule="actor-unknown")
        waiting = inbox(negotiation.history, actor)
        if as_json:
            shas = [v.sha for v in waiting]
            statuses = signature_statuses(
                negotiation.path, shas, negotiation.roster, negotiation.history
            )
            echo_json([version_json(v, negotiation.roster, statuses[v.sha]) for v in waiting])
            return
        if not waiting:
            say(f"nothing awaits {actor}")
        for v in waiting:
            say(describe(v))


@main.command()
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def status(ctx: Context, as_json: bool) -> None:
    """The table: state, round, and for each document its heads, the pen and agreement."""
    with reported():
        # What status claims rests on git, not on the cache: read afresh, signatures checked.
        negotiation = Negotiation(ctx.repo, use_cache=False)
        state = table_state(negotiation.history, negotiation.roster)
        confirmed = []
        for doc in state.documents:
            if doc.agreed and confirmed_agreement(negotiation, doc.agreed) is None:
                say(
                    f"penholder: {doc.name}: agreement of {doc.agreed[:10]} could not be "
                    "confirmed (a version it counts breaks a rule or its signature does not check): "
                    "run penholder verify",
                    err=True,
                )
                doc = replace(doc, agreed=None)
            confirmed.append(doc)
        state = replace(state, documents=confirmed)
        if as_json:
            echo_json(state.to_json())
            return
        say(f"{state.title}")
        suspended = f" (withdrawn: {', '.join(state.suspended_by)})" if state.suspended_by else ""
        say(f"state: {state.state}{suspended}")
        say(
            f"round {state.round}"
            + (f", {state.place}" if state.place else "")
            + (f", {state.date}" if state.date else "")
        )
        for doc in state.documents:
            say(
                f"{doc.name}: heads {', '.join(h[:10] for h in doc.heads) or '-'}; "
                f"pen {', '.join(doc.pen) or '-'}"
                + (f"; agreed {doc.agreed[:10]}" if doc.agreed else "")
            )


@main.command("verify")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def verify_command(ctx: Context, as_json: bool) -> None:
    """Check every version on every branch: signatures, roster, roles, routes, turns, history."""
    with reported():
        report = verify(ctx.repo)
        if as_json:
            echo_json(report.to_json())
        else:
            for f in report.failures:
                say(f"FAIL {f.rule}  {f.sha[:10]}  {f.actor or '?'}: {f.message}")
            if report.ok:
                say(f"ok: {report.versions} versions verified, every signature and rule holds")
            else:
                say(f"{len(report.failures)} failures in {report.versions} versions", err=True)
        if not report.ok:
            raise SystemExit(1)


@main.command("diff")
@click.argument("a", required=False)
@click.argument("b", required=False)
@click.option("--doc", "document", default=None, help="Document [default: A's].")
@click.option(
    "--granularity", type=click.Choice(["word", "char", "line"]), default="word", show_default=True
)
@click.option("--round", "round_number", type=int, default=None, help="Round N against round N+1.")
@click.option("--since-seen", is_flag=True, help="Against the last version --as sent or receipted.")
@click.option("--as", "actor", default=None)
@click.option("--side-by-side", is_flag=True)
@click.option("--stat", is_flag=True, help="Only the counts.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--no-color", is_flag=True, help="Plain [-deleted-]{+inserted+} markers.")
@click.option(
    "--context", default=2, show_default=True, help="Unchanged lines kept around changes."
)
@pass_ctx
def diff_command(
    ctx: Context,
    a: str | None,
    b: str | None,
    document: str | None,
    granularity: str,
    round_number: int | None,
    since_seen: bool,
    actor: str | None,
    side_by_side: bool,
    stat: bool,
    as_json: bool,
    no_color: bool,
    context: int,
) -> None:
    """Redline between versions: A against the version it answers, A against B, a round
    (--round N), or what you last saw (--since-seen --as ID)."""
    from penholder.cli import diffpaint
    from penholder.core.diff.texts import diff_texts, diff_to_json, inline_view, side_by_side_view
    from penholder.core.views import compare

    with reported():
        negotiation = ctx.negotiation()
        if round_number is not None:
            if not document:
                raise InputError("--round needs --doc NAME")
            sides = compare.rounds(negotiation, round_number, document)
        elif since_seen:
            if not actor:
                raise InputError("--since-seen needs --as ID")
            newer = resolve(ctx, a) if a else None
            name = document or (newer.document if newer else None)
            if not name:
                raise InputError("--since-seen needs --doc NAME (or a version)")
            sides = compare.since_seen(negotiation, actor, name, newer)
        elif a and b:
            sides = compare.between(negotiation, resolve(ctx, a), resolve(ctx, b), document)
        elif a:
            sides = compare.amendment(negotiation, resolve(ctx, a), document)
        else:
            raise InputError("name a version: penholder diff A [B] (or --round N, --since-seen)")
        result = diff_texts(sides.old_text, sides.new_text, granularity)  # type: ignore[arg-type]
        if as_json:
            payload: dict[str, object] = {
                "a": sides.old.sha if sides.old else None,
                "b": sides.new.sha if sides.new else None,
                "document": sides.document,
            }
            payload.update(diff_to_json(result))
            echo_json(payload)
            return
        color = not no_color and sys.stdout.isatty()
        say(f"--- {sides.label_old}\n+++ {sides.label_new}\n    {sides.document}")
        say(diffpaint.paint_stat(result.stats))
        if result.simplified:
            say("(simplified: the time budget ran out; the result is exact but not minimal)")
        if stat:
            return
        say()
        if side_by_side:
            width = shutil_width()
            # The painters neutralise the texts themselves, then add their own colours.
            click.echo(
                diffpaint.paint_side_by_side(side_by_side_view(result, context), width, color)
            )
        else:
            click.echo(diffpaint.paint_inline(inline_view(result, context), color))


def shutil_width() -> int:
    import shutil

    return max(60, shutil.get_terminal_size((120, 40)).columns)


@main.command()
@click.option("--repair", is_flag=True, help="Make the repairs that are safe to make.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def doctor(ctx: Context, repair: bool, as_json: bool) -> None:
    """Check the store: git fsck --strict, stale locks, packing, key file permissions."""
    from penholder.core.views import doctor as checks

    with reported():
        if not (ctx.repo / "HEAD").exists():
            raise InputError(f"{ctx.repo} is not a negotiation", rule="store")
        findings = checks.examine(ctx.repo, ctx.home)
        done = checks.repair(ctx.repo, findings) if repair else []
        if repair:
            findings = checks.examine(ctx.repo, ctx.home)
        if as_json:
            echo_json(
                {
                    "ok": all(f.ok for f in findings),
                    "findings": [f.to_json() for f in findings],
                    "repaired": done,
                }
            )
        else:
            for line in done:
                say(f"repaired: {line}")
            for f in findings:
                hint = " (doctor --repair fixes it)" if f.repairable and not f.ok else ""
                say(f"{'ok  ' if f.ok else 'FAIL'} {f.check:8} {f.message}{hint}")
        if not all(f.ok for f in findings):
            raise SystemExit(1)


REPO_ROOT = Path(__file__).resolve().parents[3]
DEMO_MARKER = ".penholder-demo"


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-tui", is_flag=True, help="Build and verify only; do not open the app.")
@click.option("--force", is_flag=True, help="Replace an existing demo folder.")
@click.option(
    "--random-keys", is_flag=True, help="Fresh private keys instead of the published demo seed."
)
@click.option(
    "--seed",
    "seed_folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=REPO_ROOT / "seeds" / "istanbul-2025",
    show_default="seeds/istanbul-2025",
    help="The scenario to replay.",
)
@pass_ctx
def demo(
    ctx: Context,
    folder: Path | None,
    no_tui: bool,
    force: bool,
    random_keys: bool,
    seed_folder: Path,
) -> None:
    """Build the reference negotiation (Istanbul, October 2025) and open it as a mediator."""
    import shutil
    import tempfile

    from penholder.demo.scenario import (
        DEMO_PASSPHRASE,
        demo_keys,
        load_scenario,
        replay,
        write_demo_keys,
    )

    with reported():
        folder = folder or default_home() / "demo"
        if folder.exists() and any(folder.iterdir()):
            if not force:
                raise InputError(
                    f"{folder} exists; add --force to rebuild the demo there", rule="demo-exists"
                )
            if not (folder / DEMO_MARKER).exists():
                raise InputError(
                    f"{folder} is not a Penholder demo folder; refusing to replace it",
                    rule="demo-exists",
                )
        scenario = load_scenario(seed_folder)
        keys, negotiation_id = demo_keys(scenario, random_keys=random_keys)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=folder.parent))
        try:
            say(f"building the demo negotiation in {folder}", err=True)

            def progress(done: int, total: int, version: Version) -> None:
                say(f"  [{done:>2}/{total}] {describe(version)}", err=True)

            negotiation = replay(
                scenario,
                staging / "negotiation",
                keys,
                negotiation_id,
                repo_root=REPO_ROOT,
                progress=progress,
            )
            negotiation.close()
            write_demo_keys(staging / "home", keys, {a.id: a.name for a in scenario.actors})
            (staging / DEMO_MARKER).write_text("built by penholder demo\n", encoding="utf-8")
            report = verify(staging / "negotiation")
            if not report.ok:
                first = report.failures[0]
                raise InputError(
                    f"the demo does not verify: {first.rule} {first.sha[:10]} {first.message}"
                )
            if folder.exists():
                shutil.rmtree(folder)
            staging.rename(folder)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
        built = Negotiation(folder / "negotiation")
        convener = built.roster.actor(built.roster.convener)
        assert convener is not None
        say(f"negotiation: {folder / 'negotiation'}")
        say(f"keys:        {folder / 'home'} (passphrase: {DEMO_PASSPHRASE}; DEMO ONLY)")
        say(f"root:        {built.root.sha}")
        say(f"convener:    {convener.id} {convener.fingerprint}")
        say(f"verified:    {report.versions} versions, every signature and rule holds")
        say(f"try:         penholder -C {folder / 'negotiation'} --home {folder / 'home'} status")
        if not no_tui:
            ctx.repo = folder / "negotiation"
            ctx.home = folder / "home"
            os.environ.setdefault("PENHOLDER_DEMO_PASSPHRASE", DEMO_PASSPHRASE)
            click.get_current_context().invoke(tui_command, actor=built.roster.convener)


@main.command("tui")
@click.option("--as", "actor", default=None, help="Act as this actor (its key must be here).")
@pass_ctx
def tui_command(ctx: Context, actor: str | None) -> None:
    """Open the terminal app on this negotiation."""
    with reported():
        try:
            from penholder.tui.app import run_app
        except ImportError:
            fail(
                "the terminal app is not part of this build; use the commands (penholder --help)",
                "tui",
            )
            return
        run_app(ctx.repo, ctx.home, actor)


from penholder.cli.clauses import register as register_clauses  # noqa: E402
from penholder.cli.report import register as register_reports  # noqa: E402
from penholder.cli.roster import register as register_roster  # noqa: E402

register_reports(main)
register_roster(main)
register_clauses(main)

from penholder.cli.sync import register as register_sync  # noqa: E402

register_sync(main)

if __name__ == "__main__":  # pragma: no cover
    main()
