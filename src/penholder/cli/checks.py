"""`penholder verify` and `penholder doctor`: is every version sound, is the store healthy.
Both exit 1 when a check fails."""

from __future__ import annotations

import click

from penholder.cli.context import Context, echo_json, pass_ctx, reported
from penholder.cli.terminal import say
from penholder.core.errors import InputError


@click.command("verify")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def verify_command(ctx: Context, as_json: bool) -> None:
    """Check every version on every branch: signatures, roster, roles, routes, turns, history."""
    from penholder.core.views.verify import verify

    with reported():
        report = verify(ctx.repo)
        if as_json:
            echo_json(report.to_json())
        else:
            for f in report.failures:
                say(f"FAIL {f.rule}  {f.sha[:10]}  {f.actor or '?'}: {f.message}")
            if report.ok:
                say(f"ok: {report.versions} versions verified, every signature and rule holds")
            else:
                say(f"{len(report.failures)} failures in {report.versions} versions", err=True)
        if not report.ok:
            raise SystemExit(1)


@click.command()
@click.option("--repair", is_flag=True, help="Make the repairs that are safe to make.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def doctor(ctx: Context, repair: bool, as_json: bool) -> None:
    """Check the store: git fsck --strict, stale locks, packing, key file permissions."""
    from penholder.core.views import doctor as checks

    with reported():
        if not (ctx.repo / "HEAD").exists():
            raise InputError(f"{ctx.repo} is not a negotiation", rule="store")
        findings = checks.examine(ctx.repo, ctx.home)
        done = checks.repair(ctx.repo, findings) if repair else []
        if repair:
            findings = checks.examine(ctx.repo, ctx.home)
        if as_json:
            echo_json(
                {
                    "ok": all(f.ok for f in findings),
                    "findings": [f.to_json() for f in findings],
                    "repaired": done,
                }
            )
        else:
            for line in done:
                say(f"repaired: {line}")
            for f in findings:
                hint = " (doctor --repair fixes it)" if f.repairable and not f.ok else ""
                say(f"{'ok  ' if f.ok else 'FAIL'} {f.check:8} {f.message}{hint}")
        if not all(f.ok for f in findings):
            raise SystemExit(1)
