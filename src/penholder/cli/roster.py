"""`penholder roster ...`: changing who sits at the table, as signed `roster` versions.

The new roster, its default subject and its recipients (the mediators, whose endorsements make
it take effect) are `penholder.core.actions`', as in the app.
"""

from __future__ import annotations

import click

from penholder.cli.acting import act_and_report
from penholder.cli.context import Context, pass_ctx, reported
from penholder.cli.terminal import say
from penholder.core import actions
from penholder.core.actions import Change
from penholder.core.trust.roster import ROLES


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


def propose_change(
    ctx: Context,
    actor: str,
    kind: Change,
    target: str | None,
    subject: str | None,
    **fields: str,
) -> None:
    """Sign the roster version for one change of the roster in force, and say what makes it
    take effect."""
    old = ctx.negotiation().roster
    change = actions.build_change(kind, old, target, **fields)
    plan = actions.roster_plan(old, actor, change)
    request = actions.request(
        plan, old, subject=subject or change.subject, new_roster=change.roster
    )
    version = act_and_report(ctx, request)
    say(
        f"{actions.effect_note(old, change.roster)} (penholder endorse --refers {version.short})",
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
        propose_change(
            ctx, actor, Change.SEAT, None, subject, actor_id=actor_id, name=name, role=role, key=key
        )


@roster.command("remove")
@click.option("--as", "actor", required=True)
@click.option("--id", "actor_id", required=True)
@click.option("-m", "subject", default=None)
@pass_ctx
def remove(ctx: Context, actor: str, actor_id: str, subject: str | None) -> None:
    """Take an actor off the roster (its past versions stand)."""
    with reported():
        propose_change(ctx, actor, Change.REMOVE, actor_id, subject)


@roster.command("rotate-key")
@click.option("--as", "actor", required=True)
@click.option("--id", "actor_id", required=True)
@click.option("--key", "key", required=True, help="The actor's new public key line.")
@click.option("-m", "subject", default=None)
@pass_ctx
def rotate(ctx: Context, actor: str, actor_id: str, key: str, subject: str | None) -> None:
    """Give an actor a new key; versions made with the old one before stay valid."""
    with reported():
        propose_change(ctx, actor, Change.ROTATE, actor_id, subject, key=key)


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
        propose_change(ctx, actor, Change.REVOKE, actor_id, subject, key=key or "")
