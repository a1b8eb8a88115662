"""`penholder demo`: build the reference negotiation from the scenario shipped in
`penholder.demo`, verify it, and open it in the app."""

from __future__ import annotations

import os
from pathlib import Path

import click

from penholder.cli.context import Context, default_home, describe, pass_ctx, reported
from penholder.cli.terminal import say
from penholder.core.errors import InputError
from penholder.core.model import Version

DEMO_MARKER = ".penholder-demo"


@click.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-tui", is_flag=True, help="Build and verify only; do not open the app.")
@click.option("--force", is_flag=True, help="Replace an existing demo folder.")
@click.option(
    "--random-keys", is_flag=True, help="Fresh private keys instead of the published demo seed."
)
@click.option(
    "--seed",
    "seed_folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    show_default="the shipped seeds/istanbul-2025",
    help="The scenario to replay.",
)
@pass_ctx
def demo(
    ctx: Context,
    folder: Path | None,
    no_tui: bool,
    force: bool,
    random_keys: bool,
    seed_folder: Path | None,
) -> None:
    """Build the reference negotiation (Istanbul, October 2025) and open it as a mediator."""
    import shutil
    import tempfile

    from penholder.core.store.negotiation import Negotiation
    from penholder.core.views.verify import verify
    from penholder.demo.scenario import (
        DEMO_PASSPHRASE,
        demo_keys,
        load_scenario,
        replay,
        write_demo_keys,
    )

    with reported():
        folder = folder or default_home() / "demo"
        if folder.exists() and any(folder.iterdir()):
            if not force:
                raise InputError(
                    f"{folder} exists; add --force to rebuild the demo there", rule="demo-exists"
                )
            if not (folder / DEMO_MARKER).exists():
                raise InputError(
                    f"{folder} is not a Penholder demo folder; refusing to replace it",
                    rule="demo-exists",
                )
        scenario = load_scenario(seed_folder)
        keys, negotiation_id = demo_keys(scenario, random_keys=random_keys)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=folder.parent))
        try:
            say(f"building the demo negotiation in {folder}", err=True)

            def progress(done: int, total: int, version: Version) -> None:
                say(f"  [{done:>2}/{total}] {describe(version)}", err=True)

            negotiation = replay(
                scenario, staging / "negotiation", keys, negotiation_id, progress=progress
            )
            negotiation.close()
            write_demo_keys(staging / "home", keys, {a.id: a.name for a in scenario.actors})
            (staging / DEMO_MARKER).write_text("built by penholder demo\n", encoding="utf-8")
            report = verify(staging / "negotiation")
            if not report.ok:
                first = report.failures[0]
                raise InputError(
                    f"the demo does not verify: {first.rule} {first.sha[:10]} {first.message}"
                )
            if folder.exists():
                shutil.rmtree(folder)
            staging.rename(folder)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
        built = Negotiation(folder / "negotiation")
        convener = built.roster.actor(built.roster.convener)
        assert convener is not None
        say(f"negotiation: {folder / 'negotiation'}")
        say(f"keys:        {folder / 'home'} (passphrase: {DEMO_PASSPHRASE}; DEMO ONLY)")
        say(f"root:        {built.root.sha}")
        say(f"convener:    {convener.id} {convener.fingerprint}")
        say(f"verified:    {report.versions} versions, every signature and rule holds")
        say(f"try:         penholder -C {folder / 'negotiation'} --home {folder / 'home'} status")
        if not no_tui:
            from penholder.cli.app import tui_command

            ctx.repo = folder / "negotiation"
            ctx.home = folder / "home"
            os.environ.setdefault("PENHOLDER_DEMO_PASSPHRASE", DEMO_PASSPHRASE)
            click.get_current_context().invoke(tui_command, actor=built.roster.convener)
