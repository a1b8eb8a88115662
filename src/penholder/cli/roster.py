"""`penholder roster ...`: changing who sits at the table, as signed `roster` versions."""

from __future__ import annotations

from dataclasses import replace

import click

from penholder.cli.acting import act_and_report
from penholder.cli.context import Context, pass_ctx, reported
from penholder.cli.terminal import say
from penholder.core.errors import InputError
from penholder.core.model import Action
from penholder.core.store.negotiation import Request
from penholder.core.trust.keylines import check_actor_id, parse_public_key_line
from penholder.core.trust.roster import ROLES, Actor, Roster


def _changed(
    roster: Roster, actors: list[Actor], revoked: tuple[tuple[str, str], ...] | None = None
) -> Roster:
    return replace(
        roster, actors=tuple(actors), revoked=roster.revoked if revoked is None else revoked
    )


def key_line(value: str) -> str:
    parse_public_key_line(value)
    return " ".join(value.split()[:2])


@click.group()
def roster() -> None:
    """Change the roster: each change is a signed `roster` version that takes effect once
    the mediators' quorum endorses it and every added key receipts it."""


@roster.command("show")
@pass_ctx
def show(ctx: Context) -> None:
    """The roster in force at the newest versions."""
    with reported():
        current = ctx.negotiation().roster
        for a in current.actors:
            say(f"{a.id}\t{a.role}\t{a.fingerprint}\t{a.name}")
        for actor_id, key in current.revoked:
            say(f"revoked\t{actor_id}\t{key}")
        say(f"quorum\t{current.quorum} of {len(current.ids('mediator'))} mediators")


def propose_change(ctx: Context, actor: str, new: Roster, subject: str) -> None:
    act_and_report(ctx, Request(actor, Action.ROSTER, subject, roster=new))
    negotiation = ctx.negotiation()
    old = negotiation.roster
    added = [a.id for a in new.actors if a.key not in old.key_lines()]
    say(
        f"It takes effect once {old.quorum} of the mediators ({', '.join(old.ids('mediator'))}) "
        "endorse it (penholder endorse --refers "
        + ctx.last_sha[:10]
        + ")"
        + (f" and {', '.join(added)} receipt it with the new key" if added else "")
        + ".",
        err=True,
    )


@roster.command("add")
@click.option("--as", "actor", required=True)
@click.option("--id", "actor_id", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--key", "key", required=True, help="The new actor's ssh-ed25519 public key line.")
@click.option("-m", "subject", default=None)
@pass_ctx
def add(
    ctx: Context, actor: str, actor_id: str, name: str, role: str, key: str, subject: str | None
) -> None:
    """Seat a new actor."""
    with reported():
        current = ctx.negotiation().roster
        check_actor_id(actor_id)
        if current.actor(actor_id):
            raise InputError(f"{actor_id} is already on the roster", rule="roster-change")
        new = _changed(current, [*current.actors, Actor(actor_id, name, role, key_line(key))])
        propose_change(ctx, actor, new, subject or f"Seat {name} ({actor_id}) as {role}")


@roster.command("remove")
@click.option("--as", "actor", required=True)
@click.option("--id", "actor_id", required=True)
@click.option("-m", "subject", default=None)
@pass_ctx
def remove(ctx: Context, actor: str, actor_id: str, subject: str | None) -> None:
    """Take an actor off the roster (its past versions stand)."""
    with reported():
        current = ctx.negotiation().roster
        if not current.actor(actor_id):
            raise InputError(f"{actor_id} is not on the roster", rule="roster-change")
        new = _changed(current, [a for a in current.actors if a.id != actor_id])
        propose_change(ctx, actor, new, subject or f"Remove {actor_id} from the roster")


@roster.command("rotate-key")
@click.option("--as", "actor", required=True)
@click.option("--id", "actor_id", required=True)
@click.option("--key", "key", required=True, help="The actor's new public key line.")
@click.option("-m", "subject", default=None)
@pass_ctx
def rotate(ctx: Context, actor: str, actor_id: str, key: str, subject: str | None) -> None:
    """Give an actor a new key; versions made with the old one before stay valid."""
    with reported():
        current = ctx.negotiation().roster
        if not current.actor(actor_id):
            raise InputError(f"{actor_id} is not on the roster", rule="roster-change")
        line = key_line(key)
        new = _changed(
            current, [replace(a, key=line) if a.id == actor_id else a for a in current.actors]
        )
        propose_change(ctx, actor, new, subject or f"Rotate the key of {actor_id}")


@roster.command("revoke")
@click.option("--as", "actor", required=True)
@click.option("--id", "actor_id", required=True)
@click.option("--key", "key", default=None, help="A replacement key [default: the actor leaves].")
@click.option("-m", "subject", default=None)
@pass_ctx
def revoke(ctx: Context, actor: str, actor_id: str, key: str | None, subject: str | None) -> None:
    """Revoke an actor's key (compromised): every version by it that is not an ancestor of
    this roster version fails verification, whatever date it claims."""
    with reported():
        current = ctx.negotiation().roster
        target = current.actor(actor_id)
        if target is None:
            raise InputError(f"{actor_id} is not on the roster", rule="roster-change")
        actors = [a for a in current.actors if a.id != actor_id]
        if key:
            actors.append(replace(target, key=key_line(key)))
        new = _changed(current, actors, (*current.revoked, (actor_id, target.key)))
        propose_change(ctx, actor, new, subject or f"Revoke the key of {actor_id}")
