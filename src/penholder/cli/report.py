"""`penholder certificate` and `penholder redline`: printable documents, over core."""

from __future__ import annotations

from pathlib import Path

import click

from penholder.cli.context import Context, named_sides, pass_ctx, reported
from penholder.cli.terminal import say


def _write(text: str, fmt: str, output: Path) -> None:
    from penholder.report.pdf import write_pdf

    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        write_pdf(text, output)
    else:
        output.write_text(text, encoding="utf-8")
    say(f"wrote {output}")


@click.command()
@click.argument("rev")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "html", "pdf"]), default="md", show_default=True
)
@click.option("-o", "output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--draft", is_flag=True, help="Allow a text not yet agreed; every page says DRAFT.")
@pass_ctx
def certificate(ctx: Context, rev: str, fmt: str, output: Path, draft: bool) -> None:
    """The certificate of an agreed text: signatures, endorsements, the road to it, and the
    commands that check it with git and ssh-keygen alone."""
    from penholder.core.store.gitrepo import GitRepo
    from penholder.core.views.certificate import certify
    from penholder.report import certificate as render

    with reported():
        # What the certificate states rests on git read afresh, never on the cache.
        repo = GitRepo(ctx.repo)
        try:
            sha = repo.rev_parse(rev)
        finally:
            repo.close()
        cert = certify(ctx.repo, sha, draft=draft)
        if any(a.signature != "good" for a in (*cert.signatures, *cert.endorsements)):
            click.echo(
                "warning: a signature on this text does not verify; run penholder verify",
                err=True,
            )
        _write(render.to_markdown(cert) if fmt == "md" else render.to_html(cert), fmt, output)


@click.command()
@click.argument("a", required=False)
@click.argument("b", required=False)
@click.option("--round", "round_number", type=int, default=None)
@click.option("--doc", "document", default=None)
@click.option("--granularity", type=click.Choice(["word", "char", "line"]), default="word")
@click.option(
    "--format", "fmt", type=click.Choice(["html", "pdf"]), default="html", show_default=True
)
@click.option("-o", "output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def redline(
    ctx: Context,
    a: str | None,
    b: str | None,
    round_number: int | None,
    document: str | None,
    granularity: str,
    fmt: str,
    output: Path,
) -> None:
    """A printable redline between two versions (or A and the version it answers, or a
    round with --round N --doc NAME)."""
    from penholder.core.diff.texts import diff_texts, inline_view
    from penholder.core.views.signatures import signature_statuses
    from penholder.report.redline import to_html

    with reported():
        negotiation = ctx.negotiation()
        sides = named_sides(
            ctx,
            negotiation,
            a,
            b,
            round_number,
            document,
            "name versions: penholder redline A [B] (or --round N --doc NAME)",
        )
        if round_number is not None:
            title = f"round {round_number}"
        elif b:
            title = f"{sides.label_old} → {sides.label_new}"
        else:
            title = f"the amendment {sides.label_new}"
        result = diff_texts(sides.old_text, sides.new_text, granularity)  # type: ignore[arg-type]
        shas = [v.sha for v in (sides.old, sides.new) if v is not None]
        statuses = signature_statuses(
            negotiation.path, shas, negotiation.roster, negotiation.history
        )
        html = to_html(sides, result, inline_view(result, None), title, statuses)
        _write(html, fmt, output)
