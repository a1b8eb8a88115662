"""`penholder clone`, `sync`, `bundle export|import` and `remote add|list|status`.

Exit codes: 0 when nothing was refused, 1 when a branch was refused (what verified still
landed) or the command failed, 2 for a malformed command line.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from penholder.cli.context import Context, echo_json, pass_ctx, reported
from penholder.cli.terminal import say
from penholder.core.sync.exchange import bundle_export, bundle_import, clone, sync
from penholder.core.sync.results import NEW, PUSHED, UNCHANGED, BranchResult, Progress, SyncReport
from penholder.core.sync.state import add_remote, branch_states, last_heard, remotes
from penholder.core.views.queries import iso_time

FINGERPRINT = re.compile(r"^SHA256:[A-Za-z0-9+/]{43}$")
SHA = re.compile(r"^[0-9a-f]{40}$")


def check_fingerprint(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not FINGERPRINT.match(value):
        raise click.BadParameter("expected SHA256:<43 base64 characters>, as ssh-keygen -l shows")
    return value


def check_root(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not SHA.match(value.lower()):
        raise click.BadParameter("expected the root version's full 40-hex sha")
    return value.lower() if value else None


def short(sha: str | None) -> str:
    return sha[:10] if sha else "-"


def branch_line(result: BranchResult) -> str:
    status = result.status
    if status in (UNCHANGED,):
        detail = short(result.new)
    elif status == PUSHED:
        detail = f"{short(result.old)}..{short(result.new)} (remote)"
    elif status == NEW:
        detail = short(result.new)
    elif result.refused:
        detail = f"{short(result.remote)} refused, here stays {short(result.old)}"
    else:
        detail = f"{short(result.old)}..{short(result.new)}"
    line = f"{status:<16} {result.branch:<16} {detail}"
    return line + (f"  {result.message}" if result.message else "")


def echo_report(report: SyncReport, as_json: bool) -> None:
    if as_json:
        echo_json(report.to_json())
    else:
        for result in report.branches:
            say(branch_line(result))
            for f in result.failures:
                say(f"    FAIL {f.rule}  {short(f.sha)}  {f.actor or '?'}: {f.message}")
    for result in report.refused:
        first = result.failures[0].message if result.failures else result.message
        say(
            f"penholder: {result.rule}: {result.branch} {short(result.remote)}: {first}",
            err=True,
        )
    if not report.ok:
        raise SystemExit(1)


def progress_printer(enabled: bool) -> Progress | None:
    if not enabled or not sys.stderr.isatty():
        return None

    def progress(stage: str, done: int, total: int) -> None:
        say(f"\r{stage}: {done}/{total}    ", nl=False, err=True)
        if done >= total:
            say("", err=True)

    return progress


@click.command("clone")
@click.argument("url")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--expect-fingerprint",
    required=True,
    callback=check_fingerprint,
    help="The convener's key fingerprint (SHA256:...), given out of band.",
)
@click.option(
    "--expect-root",
    default=None,
    callback=check_root,
    help="The root version's sha, given out of band.",
)
@click.option("--json", "as_json", is_flag=True)
def clone_command(
    url: str,
    directory: Path,
    expect_fingerprint: str,
    expect_root: str | None,
    as_json: bool,
) -> None:
    """Clone the negotiation at URL into DIRECTORY (a new bare repository), trusting it only
    if the convener's key in its root has the expected fingerprint (and sha)."""
    with reported():
        report = clone(
            url,
            directory,
            expect_fingerprint,
            expect_root,
            progress=progress_printer(not as_json),
        )
        if not as_json:
            say(f"cloned {url} into {directory}")
            say(f"root: {report.root}")
            say(f"convener: {expect_fingerprint}")
        echo_report(report, as_json)


@click.command("sync")
@click.argument("remote", default="origin")
@click.option("--no-push", is_flag=True, help="Only fetch; push nothing.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def sync_command(ctx: Context, remote: str, no_push: bool, as_json: bool) -> None:
    """Fetch every branch of REMOTE [default: origin], take in what verifies (fast-forward
    only), then push every branch REMOTE is behind on (never forcing)."""
    with reported():
        report = sync(
            ctx.repo,
            remote,
            push=not no_push,
            progress=progress_printer(not as_json),
        )
        echo_report(report, as_json)


@click.group("bundle")
def bundle_group() -> None:
    """Carry versions by hand: git bundles, for when there is no network."""


@bundle_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--since",
    multiple=True,
    help="Leave out what this version (or branch) already holds; repeatable.",
)
@pass_ctx
def bundle_export_command(ctx: Context, file: Path, since: tuple[str, ...]) -> None:
    """Write every branch to FILE, a git bundle."""
    with reported():
        branches = bundle_export(ctx.repo, file, since)
        say(f"wrote {file}: {', '.join(branches)}")


@bundle_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def bundle_import_command(ctx: Context, file: Path, as_json: bool) -> None:
    """Take in the branches of the bundle FILE that verify (fast-forward only)."""
    with reported():
        report = bundle_import(
            ctx.repo,
            file,
            progress=progress_printer(not as_json),
        )
        echo_report(report, as_json)


@click.group("remote")
def remote_group() -> None:
    """The git remotes this negotiation syncs with."""


@remote_group.command("add")
@click.argument("name")
@click.argument("url")
@pass_ctx
def remote_add(ctx: Context, name: str, url: str) -> None:
    """Add the remote NAME at URL (file://, ssh://, git://, https:// or a path)."""
    with reported():
        stored = add_remote(ctx.repo, name, url)
        say(f"{name}\t{stored}")


@remote_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def remote_list(ctx: Context, as_json: bool) -> None:
    """Every remote: name and URL."""
    with reported():
        found = remotes(ctx.repo)
        if as_json:
            echo_json(found)
            return
        for name, url in sorted(found.items()):
            say(f"{name}\t{url}")


@remote_group.command("status")
@click.argument("name", default="origin")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def remote_status(ctx: Context, name: str, as_json: bool) -> None:
    """Each branch against NAME's last fetched state, and when each actor was last heard."""
    with reported():
        states = branch_states(ctx.repo, name)
        heard = last_heard(ctx.repo)
        if as_json:
            echo_json(
                {
                    "remote": name,
                    "branches": [s.to_json() for s in states],
                    "heard": [h.to_json() for h in heard.values()],
                }
            )
            return
        for s in states:
            say(f"{s.branch:<16} ahead {s.ahead:>3}  behind {s.behind:>3}")
        for h in heard.values():
            newest = iso_time(h.newest_time) if h.newest_time else "never"
            synced = iso_time(h.synced_at) if h.synced_at else "-"
            say(f"{h.actor:<16} newest version {newest} (as signed)  last synced {synced}")
