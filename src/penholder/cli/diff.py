"""`penholder diff`: a redline between versions in the terminal (painted by `diffpaint`).
The only command group, with `redline`, that imports the diff engine."""

from __future__ import annotations

import sys

import click

from penholder.cli.context import Context, echo_json, named_sides, pass_ctx, reported
from penholder.cli.terminal import say
from penholder.core.errors import InputError


@click.command("diff")
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
        if since_seen and round_number is None:
            if not actor:
                raise InputError("--since-seen needs --as ID")
            newer = ctx.resolve(a) if a else None
            name = document or (newer.document if newer else None)
            if not name:
                raise InputError("--since-seen needs --doc NAME (or a version)")
            sides = compare.since_seen(negotiation, actor, name, newer)
        else:
            sides = named_sides(
                ctx,
                negotiation,
                a,
                b,
                round_number,
                document,
                "name a version: penholder diff A [B] (or --round N, --since-seen)",
            )
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
            # The painters neutralise the texts themselves, then add their own colours.
            click.echo(
                diffpaint.paint_side_by_side(
                    side_by_side_view(result, context), terminal_width(), color
                )
            )
        else:
            click.echo(diffpaint.paint_inline(inline_view(result, context), color))


def terminal_width() -> int:
    import shutil

    return max(60, shutil.get_terminal_size((120, 40)).columns)
