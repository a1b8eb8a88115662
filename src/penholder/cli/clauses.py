"""`penholder blame` and `penholder clauses`: who wrote what, and where each clause stands."""

from __future__ import annotations

from collections import Counter

import click

from penholder.cli.context import Context, echo_json, pass_ctx, reported
from penholder.cli.terminal import say


def blame_lines(spans: list[tuple[str, str, int]]) -> list[tuple[str, str]]:
    """(label, line) for each line: the actor and round behind most of its characters, and how
    many others contributed to it."""
    out: list[tuple[str, str]] = []
    line: list[str] = []
    weights: Counter[tuple[str, int]] = Counter()
    for text, actor, round_number in spans:
        parts = text.split("\n")
        for k, part in enumerate(parts):
            if k:
                out.append((_label(weights), "".join(line)))
                line, weights = [], Counter()
            if part:
                line.append(part)
                weights[(actor, round_number)] += len(part.strip()) or 0
    if line:
        out.append((_label(weights), "".join(line)))
    return out


def _label(weights: Counter[tuple[str, int]]) -> str:
    if not weights or not sum(weights.values()):
        return ""
    (actor, round_number), _ = weights.most_common(1)[0]
    others = len([w for w in weights if weights[w]]) - 1
    return f"{actor} r{round_number}" + (f" +{others}" if others > 0 else "")


@click.command()
@click.argument("rev")
@click.option("--doc", "document", default=None, help="Document [default: REV's].")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def blame(ctx: Context, rev: str, document: str | None, as_json: bool) -> None:
    """For every word of a version, the actor who first proposed it and the round."""
    from penholder.core.views.blame import blame as attribute

    with reported():
        spans = attribute(ctx.negotiation(), ctx.resolve(rev), document)
        if as_json:
            echo_json([s.to_json() for s in spans])
            return
        rows = blame_lines([(s.text, s.actor, s.round) for s in spans])
        width = max((len(label) for label, _ in rows), default=0)
        for label, text in rows:
            say(f"{label.ljust(width)} │ {text}")


@click.command()
@click.argument("rev")
@click.option("--doc", "document", default=None, help="Document [default: REV's].")
@click.option("--json", "as_json", is_flag=True)
@click.option("--trend", is_flag=True, help="Open brackets per round instead.")
@pass_ctx
def clauses(ctx: Context, rev: str, document: str | None, as_json: bool, trend: bool) -> None:
    """The clauses of a version: id, number, title, status, open brackets, proposer."""
    from penholder.core.views.clauses import bracket_trend, clause_table

    with reported():
        negotiation = ctx.negotiation()
        version = ctx.resolve(rev)
        if trend:
            rows = bracket_trend(negotiation, version, document)
            if as_json:
                echo_json(
                    [
                        {
                            "round": r.round,
                            "version": r.version,
                            "brackets": r.total,
                            "clauses": r.per_clause,
                        }
                        for r in rows
                    ]
                )
                return
            for r in rows:
                say(
                    f"round {r.round}  {r.version[:10]}  {r.total} open brackets in {len(r.per_clause)} clauses"
                )
            return
        table = clause_table(negotiation, version, document)
        if as_json:
            echo_json([c.to_json() for c in table])
            return
        for c in table:
            mark = f"[{c.brackets}]" if c.brackets else ""
            say(f"{c.id}  {c.number or '-':6} {c.status:21} {mark:5} {c.proposed_by:12} {c.title}")
