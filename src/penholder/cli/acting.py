"""The commands that sign a version: propose, amend, forward, consolidate, comment, receipt,
sign, endorse, retract, withdraw, resume and round. Each opens the store and unlocks the
actor's key once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from penholder.cli.context import Context, check_date, describe, pass_ctx, reported
from penholder.cli.terminal import say
from penholder.core.errors import InputError, RefusedError
from penholder.core.model import DOCUMENT_NAME, Action, Version
from penholder.core.store.inputs import decode_draft
from penholder.core.store.negotiation import Negotiation, Request

F = TypeVar("F", bound=Callable[..., Any])


def act_and_report(ctx: Context, request: Request) -> Version:
    """Sign and store one version; print it. The key is unlocked only for an actor that the
    roster (in force, or the one a receipt accepts) knows."""
    negotiation = ctx.negotiation()
    known = negotiation.roster.actor(request.actor) is not None or any(
        negotiation.history.roster_carried_by(r).actor(request.actor) is not None
        for r in negotiation.history.roster_changes()
    )
    if not known:
        raise RefusedError(f"{request.actor!r} is not on the roster", rule="actor-unknown")
    version = negotiation.act(request, ctx.key(request.actor))
    ctx.last_sha = version.sha
    say(describe(version))
    say(version.sha)
    return version


def ids(value: str | None) -> tuple[str, ...]:
    from penholder.core.trust.keylines import check_actor_id

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


@click.command()
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
        act_and_report(
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


@click.command()
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
    from penholder.core.views.queries import default_amend_target

    with reported():
        negotiation = ctx.negotiation()
        check_document(document)
        text = read_draft(file, negotiation.roster.rules.max_draft_bytes)
        target = (
            ctx.resolve(refers).sha
            if refers
            else default_amend_target(negotiation.history, actor, document)
        )
        act_and_report(
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


@click.command()
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
        target = ctx.resolve(refers)
        text = read_draft(file, negotiation.roster.rules.max_draft_bytes) if file else None
        act_and_report(
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


@click.command()
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
        targets = [ctx.resolve(rev.strip()) for rev in refers.split(",") if rev.strip()]
        if file and auto:
            raise InputError("give --file or --auto, not both")
        if file:
            text = read_draft(file, negotiation.roster.rules.max_draft_bytes)
        elif auto:
            text = merged_text(negotiation, targets)
        else:
            raise InputError("consolidate needs the joined text: --file TEXT.md, or --auto")
        act_and_report(
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


@click.command()
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
        target = ctx.resolve(refers)
        recipients = (
            ids(to) if to else tuple(m for m in negotiation.roster.ids("mediator") if m != actor)
        )
        act_and_report(
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


def simple_action(action: Action, doc: str) -> click.Command:
    @click.command(action.value, help=doc)
    @click.option("--as", "actor", required=True)
    @click.option("--refers", required=True)
    @click.option("-m", "subject", default=None)
    @click.option("--note", default="")
    @pass_ctx
    def command(ctx: Context, actor: str, refers: str, subject: str | None, note: str) -> None:
        with reported():
            target = ctx.resolve(refers)
            default = f"{action.value.capitalize()} {target.actor}'s {target.action} {target.short}"
            act_and_report(
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

    return command


receipt = simple_action(Action.RECEIPT, "Acknowledge receipt of a version.")
sign = simple_action(Action.SIGN, "Accept the exact text of a version (a party's action).")
endorse = simple_action(Action.ENDORSE, "Witness a version (a mediator's action).")
retract = simple_action(
    Action.RETRACT, "Take back your own unanswered draft, or a sign/endorse not yet agreed."
)


@click.command()
@click.option("--as", "actor", required=True)
@click.option("-m", "reason", required=True)
@click.option("--note", default="")
@pass_ctx
def withdraw(ctx: Context, actor: str, reason: str, note: str) -> None:
    """Leave the table (a party's action): the negotiation is suspended until resumed."""
    with reported():
        mediators = tuple(m for m in ctx.negotiation().roster.ids("mediator") if m != actor)
        act_and_report(ctx, Request(actor, Action.WITHDRAW, reason, to=mediators, note=note))


@click.command()
@click.option("--as", "actor", required=True)
@click.option("--refers", default=None, help="The withdrawal [default: the only one in force].")
@click.option("-m", "subject", required=True)
@click.option("--note", default="")
@pass_ctx
def resume(ctx: Context, actor: str, refers: str | None, subject: str, note: str) -> None:
    """End a withdrawal (a mediator's action)."""
    from penholder.core.views.queries import only_open_withdrawal

    with reported():
        negotiation = ctx.negotiation()
        target = ctx.resolve(refers).sha if refers else only_open_withdrawal(negotiation.history)
        everyone = tuple(a for a in negotiation.roster.ids() if a != actor)
        act_and_report(
            ctx, Request(actor, Action.RESUME, subject, refers=(target,), to=everyone, note=note)
        )


@click.command("round")
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
        act_and_report(
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
