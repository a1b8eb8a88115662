"""The commands that sign a version: propose, amend, forward, consolidate, comment, receipt,
sign, endorse, retract, withdraw, resume and round. Each opens the store and unlocks the
actor's key once.

What an action acts on, its default subject and recipients, and the checks of what the person
gave are `penholder.core.actions`' (the app asks the same); a command only reads its options.
A version named with --refers is the one acted on: where the app would move a selection to the
version that awaits the actor, a command refuses instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from penholder.cli.context import Context, describe, pass_ctx, reported
from penholder.cli.terminal import say
from penholder.core import actions
from penholder.core.actions import Hint, Plan, Request
from penholder.core.errors import InputError, RefusedError
from penholder.core.model import DOCUMENT_NAME, Action, Version
from penholder.core.store.inputs import decode_draft
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.roster import Roster

F = TypeVar("F", bound=Callable[..., Any])


def act_and_report(ctx: Context, request: Request) -> Version:
    """Sign and store one version (the key is unlocked only now, after every check the
    actions package makes); print it."""
    version = ctx.negotiation().act(request, ctx.key(request.actor))
    ctx.last_sha = version.sha
    say(describe(version))
    say(version.sha)
    return version


def judging_roster(
    negotiation: Negotiation, actor: str, action: Action, refers: str | None
) -> Roster:
    """The roster the store will judge the version by: the one in force, except for a receipt
    by a key a pending roster version adds (its proof of possession)."""
    return negotiation.roster_at(
        tuple(negotiation.tips.values()), action, actor, (refers,) if refers else ()
    )


def planned(
    ctx: Context,
    actor: str,
    action: Action,
    refers: str | None = None,
    *,
    document: str | None = None,
    to: tuple[str, ...] | None = None,
) -> tuple[Plan, Roster]:
    """The plan of an action by `actor` on the version named (or the one the rules choose),
    and the roster judging it. Recipients given are checked first, as the store does."""
    negotiation = ctx.negotiation()
    selected = ctx.resolve(refers) if refers else None
    roster = judging_roster(negotiation, actor, action, selected.sha if selected else None)
    if to is not None:
        actions.check_recipients(roster, actor, action, to)
    plan = actions.plan(negotiation.history, roster, actor, action, selected, document=document)
    if selected is not None and plan.notice and plan.target is not None:
        raise RefusedError(
            f"{selected.short} does not await {actor}'s {action.value}; {plan.target.short} does",
            rule="turn",
            hint=Hint.CHOOSE_VERSION,
        )
    return plan, roster


def ids(value: str | None) -> tuple[str, ...]:
    from penholder.core.trust.keylines import check_actor_id

    if not value:
        return ()
    out = tuple(part.strip() for part in value.split(",") if part.strip())
    for item in out:
        check_actor_id(item)
    return out


def read_draft(path: str, limit: int) -> str:
    file = Path(path)
    if not file.is_file():
        raise InputError(f"no such file: {path}", rule="input")
    data = file.read_bytes()
    if b"\r\n" in data:
        # Windows line endings are the file's form, not its text: signed as plain newlines.
        data = data.replace(b"\r\n", b"\n")
        say(f"note: {path}: Windows line endings (CRLF) read as plain newlines", err=True)
    return decode_draft(data, path, limit)


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
        text = read_draft(file, ctx.negotiation().roster.rules.max_draft_bytes)
        recipients = ids(to)
        plan, roster = planned(
            ctx, actor, Action.PROPOSE, document=check_document(document), to=recipients
        )
        request = actions.request(
            plan, roster, subject=subject, note=note, to=recipients, text=text
        )
        act_and_report(ctx, request)


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
    with reported():
        check_document(document)
        text = read_draft(file, ctx.negotiation().roster.rules.max_draft_bytes)
        recipients = ids(to)
        plan, roster = planned(ctx, actor, Action.AMEND, refers, document=document, to=recipients)
        request = actions.request(
            plan, roster, subject=subject, note=note, to=recipients, text=text
        )
        act_and_report(ctx, request)


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
        limit = ctx.negotiation().roster.rules.max_draft_bytes
        text = read_draft(file, limit) if file else None
        recipients = ids(to)
        plan, roster = planned(ctx, actor, Action.FORWARD, refers, to=recipients)
        request = actions.request(
            plan, roster, subject=subject or plan.subject, note=note, to=recipients, text=text
        )
        act_and_report(ctx, request)


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
        named = [rev.strip() for rev in refers.split(",") if rev.strip()]
        if not named:
            raise InputError("name the heads joined", hint=Hint.CHOOSE_VERSION)
        targets = [ctx.resolve(rev) for rev in named]
        if file and auto:
            raise InputError("give --file or --auto, not both")
        if not file and not auto:
            raise InputError("consolidate needs the joined text: --file TEXT.md, or --auto")
        recipients = ids(to)
        plan, roster = planned(ctx, actor, Action.CONSOLIDATE, named[0], to=recipients)
        # The heads named are the ones joined (the plan offers every head addressed to you).
        plan = replace(plan, refers=tuple(t.sha for t in targets))
        if file:
            text = read_draft(file, negotiation.roster.rules.max_draft_bytes)
        else:
            text = merged_text(negotiation, targets)
        request = actions.request(
            plan, roster, subject=subject, note=note, to=recipients, text=text
        )
        act_and_report(ctx, request)


def merged_text(negotiation: Negotiation, targets: list[Version]) -> str:
    from penholder.core.diff.consolidation import merge_versions

    return merge_versions(negotiation, targets)


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
        recipients = ids(to) if to else None
        plan, roster = planned(ctx, actor, Action.COMMENT, refers, to=recipients)
        request = actions.request(plan, roster, subject=text, note=note, to=recipients)
        act_and_report(ctx, request)


def simple_action(action: Action, doc: str) -> click.Command:
    @click.command(action.value, help=doc)
    @click.option("--as", "actor", required=True)
    @click.option("--refers", required=True)
    @click.option("-m", "subject", default=None)
    @click.option("--note", default="")
    @pass_ctx
    def command(ctx: Context, actor: str, refers: str, subject: str | None, note: str) -> None:
        with reported():
            plan, roster = planned(ctx, actor, action, refers)
            request = actions.request(plan, roster, subject=subject or plan.subject, note=note)
            act_and_report(ctx, request)

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
        plan, roster = planned(ctx, actor, Action.WITHDRAW)
        act_and_report(ctx, actions.request(plan, roster, subject=reason, note=note))


@click.command()
@click.option("--as", "actor", required=True)
@click.option("--refers", default=None, help="The withdrawal [default: the only one in force].")
@click.option("-m", "subject", required=True)
@click.option("--note", default="")
@pass_ctx
def resume(ctx: Context, actor: str, refers: str | None, subject: str, note: str) -> None:
    """End a withdrawal (a mediator's action)."""
    with reported():
        plan, roster = planned(ctx, actor, Action.RESUME, refers)
        act_and_report(ctx, actions.request(plan, roster, subject=subject, note=note))


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
        number, place, date = actions.check_round(str(number), place, date)
        plan, roster = planned(ctx, actor, Action.ROUND)
        default = actions.default_subject(Action.ROUND, round_number=number, place=place, date=date)
        request = actions.request(
            plan,
            roster,
            subject=subject or default,
            round_number=number,
            place=place,
            date=date,
        )
        act_and_report(ctx, request)
