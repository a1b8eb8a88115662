"""The one way the command line prints a line: text that may quote a version (a subject, a
note, a draft, a name, a branch, git's own messages) shows every control and bidi character as
a visible mark, never as its effect on the terminal."""

from __future__ import annotations

import click

from penholder.core.trust.text import neutralize


def say(message: str = "", *, nl: bool = True, err: bool = False) -> None:
    click.echo(neutralize(message), nl=nl, err=err)
