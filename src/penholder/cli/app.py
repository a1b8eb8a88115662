"""`penholder tui` (and `penholder` alone inside a negotiation): the terminal app. The only
command that imports Textual."""

from __future__ import annotations

import click

from penholder.cli.context import Context, fail, pass_ctx, reported


@click.command("tui")
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
        run_app(ctx.repo, ctx.home, actor)
