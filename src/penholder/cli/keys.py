"""`penholder key new|list|export`: the Ed25519 keys held on this machine."""

from __future__ import annotations

import click

from penholder.cli.context import Context, pass_ctx, reported
from penholder.cli.terminal import say
from penholder.core.errors import InputError, KeyFileError


@click.group()
def key() -> None:
    """Create, list and export the Ed25519 keys held on this machine."""


@key.command("new")
@click.argument("actor_id")
@click.option("--name", default="", help="Display name, kept in the .pub comment.")
@click.option("--no-passphrase", is_flag=True, help="Store the key unencrypted (not advised).")
@pass_ctx
def key_new(ctx: Context, actor_id: str, name: str, no_passphrase: bool) -> None:
    """Make a new key for ACTOR_ID; prints its public key line and fingerprint."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from penholder.core.trust.keylines import check_actor_id, fingerprint, public_key_line

    with reported():
        check_actor_id(actor_id)
        if ctx.keystore.has(actor_id):
            raise KeyFileError(f"a key for {actor_id!r} already exists", rule="key-exists")
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
    from penholder.core.trust.keylines import fingerprint, parse_public_key_line

    with reported():
        line = ctx.keystore.public_line(actor_id)
        say(f"# {actor_id} {fingerprint(parse_public_key_line(line))}", err=True)
        say(line)
