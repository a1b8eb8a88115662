"""The `penholder` command line: the top-level group, over `penholder.core`.

Every refusal is one line on stderr naming the rule, and a non-zero exit: 1 for a refused or
failed action (or a failed verification), 2 for a malformed command line.

Each command lives in the module of its group and is imported only when it runs (or when help
lists it), so a command pays only for what it uses: `--version` imports click alone, `status`
no app, sync or diff code.
"""

from __future__ import annotations

import click

import penholder

# Command name → "module:attribute" under penholder.cli.
COMMANDS = {
    "init": "negotiation:init",
    "status": "negotiation:status",
    "log": "negotiation:log",
    "show": "negotiation:show",
    "inbox": "negotiation:inbox_command",
    "propose": "acting:propose",
    "amend": "acting:amend",
    "forward": "acting:forward",
    "consolidate": "acting:consolidate",
    "comment": "acting:comment",
    "receipt": "acting:receipt",
    "sign": "acting:sign",
    "endorse": "acting:endorse",
    "retract": "acting:retract",
    "withdraw": "acting:withdraw",
    "resume": "acting:resume",
    "round": "acting:round_command",
    "roster": "roster:roster",
    "key": "keys:key",
    "diff": "diff:diff_command",
    "verify": "checks:verify_command",
    "doctor": "checks:doctor",
    "blame": "clauses:blame",
    "clauses": "clauses:clauses",
    "certificate": "report:certificate",
    "redline": "report:redline",
    "clone": "sync:clone_command",
    "sync": "sync:sync_command",
    "bundle": "sync:bundle_group",
    "remote": "sync:remote_group",
    "demo": "demo:demo",
    "tui": "app:tui_command",
}


def load_command(name: str) -> click.Command:
    module, attribute = COMMANDS[name].split(":")
    # The import statement's own machinery (not importlib.import_module), so that
    # `python -X importtime` lists the module and what it brings.
    command = getattr(__import__(f"penholder.cli.{module}", fromlist=[attribute]), attribute)
    assert isinstance(command, click.Command)
    return command


class LazyGroup(click.Group):
    """A group whose commands are imported by name when they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            # click suggests close names from the commands it holds; ours are not loaded.
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=COMMANDS, ctx=ctx
            ) from None


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "-C",
    "repo",
    type=click.Path(file_okay=False),
    envvar="PENHOLDER_REPO",
    default=".",
    show_default="$PENHOLDER_REPO, else the current folder",
    help="The negotiation repository.",
)
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of private keys [default: $PENHOLDER_HOME, else ~/.local/share/penholder].",
)
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Read key passphrases from this file (else $PENHOLDER_PASSPHRASE, else a prompt).",
)
# The version is the package's own (kept equal to the distribution's by a test): asking
# importlib.metadata would cost more than the rest of `--version`.
@click.version_option(penholder.__version__)
@click.pass_context
def main(
    click_ctx: click.Context, repo: str, home: str | None, passphrase_file: str | None
) -> None:
    """Penholder: negotiations held entirely through signed, witnessed written drafts.

    Run inside a negotiation without a command to open the terminal app.
    """
    # The paths are made Paths here, not by click: pathlib is no part of `--version`.
    from pathlib import Path

    from penholder.cli.context import Context, default_home
    from penholder.cli.terminal import say

    click_ctx.obj = Context(
        repo=Path(repo),
        home=Path(home) if home else default_home(),
        passphrase_file=Path(passphrase_file) if passphrase_file else None,
    )
    if click_ctx.invoked_subcommand is None:
        if not (Path(repo) / "HEAD").exists():
            say(click_ctx.get_help())
            say(f"\n({repo} is not a negotiation: try `penholder demo`)", err=True)
            return
        click_ctx.invoke(load_command("tui"), actor=None)


if __name__ == "__main__":  # pragma: no cover
    main()
