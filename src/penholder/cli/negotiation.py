"""The commands about one negotiation as a whole: init opens it; status, log, show and inbox
read it. Only init and signature checks need cryptography; none needs the app, sync or diffs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from penholder.cli.context import Context, describe, echo_json, pass_ctx, reported
from penholder.cli.terminal import say
from penholder.core.errors import InputError

if TYPE_CHECKING:
    from penholder.core.trust.roster import Roster

BADGES = {"good": "✓", "bad": "✗ BAD", "unknown-key": "✗ UNKNOWN KEY"}


def load_roster_file(path: Path, negotiation_id: str, title: str, convener: str) -> Roster:
    from penholder.core.trust.roster import (
        Roster,
        check_roster,
        load_toml,
        parse_actors,
        parse_rules,
    )

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


@click.command()
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
    from penholder.core.actions import check_date
    from penholder.core.store.negotiation import Negotiation, new_negotiation_id

    with reported():
        if date is not None:
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


@click.command()
@click.option("--doc", "document", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def log(ctx: Context, document: str | None, as_json: bool) -> None:
    """Every version, in order of ancestry (oldest first), with its signature check."""
    from penholder.core.views.queries import iso_time, version_json
    from penholder.core.views.signatures import signature_statuses

    with reported():
        negotiation = ctx.negotiation()
        history = negotiation.history
        shas = [
            v.sha for v in history.versions_in_order() if document is None or v.document == document
        ]
        statuses = signature_statuses(
            negotiation.path, shas, negotiation.roster, negotiation.history
        )
        if as_json:
            echo_json(
                [version_json(history.version(s), negotiation.roster, statuses[s]) for s in shas]
            )
            return
        for sha in shas:
            v = history.version(sha)
            say(f"{iso_time(v.time)}  {describe(v)}  {BADGES[statuses[sha]]}")


@click.command()
@click.argument("rev")
@click.option("--doc", "document", default=None)
@pass_ctx
def show(ctx: Context, rev: str, document: str | None) -> None:
    """A version: who, what, to whom, and its text."""
    from penholder.core.views.queries import iso_time

    with reported():
        negotiation = ctx.negotiation()
        v = ctx.resolve(rev)
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


@click.command("inbox")
@click.option("--as", "actor", required=True)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def inbox_command(ctx: Context, actor: str, as_json: bool) -> None:
    """Versions addressed to you that you have not answered or receipted."""
    from penholder.core.views.queries import inbox, version_json
    from penholder.core.views.signatures import signature_statuses

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


@click.command()
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def status(ctx: Context, as_json: bool) -> None:
    """The table: state, round, and for each document its heads, the pen and agreement."""
    from penholder.core.store.negotiation import Negotiation
    from penholder.core.views.claims import confirmed_agreement
    from penholder.core.views.queries import table_state

    with reported():
        # What status claims rests on git, not on the cache: read afresh, signatures checked.
        negotiation = Negotiation(ctx.repo, use_cache=False)
        state = table_state(negotiation.history, negotiation.roster)
        confirmed = []
        for doc in state.documents:
            if doc.agreed and confirmed_agreement(negotiation, doc.agreed) is None:
                say(
                    f"penholder: {doc.name}: agreement of {doc.agreed[:10]} could not be "
                    "confirmed: the store does not verify (run penholder verify)",
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
