"""What the app shows of a version is what was signed: every string that comes from a version,
a roster, a remote or an error (subjects, notes, names, titles, places, texts, messages) is
painted through these helpers, never as markup and never as control sequences.

`neutralize` (penholder.core.trust.text) replaces control and bidi characters by visible marks
(␛, ␍, <U+202E>…); the results here are `Content` or `Text` objects, which Textual and Rich
paint literally: "Noted [/]" and "[bold red]x[/bold red]" show as typed. A template's own
markup is ours; only the values put into it come from outside, and they are substituted as
plain text (`markup`).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.content import Content

from penholder.core.trust.text import neutralize

__all__ = ["cell", "markup", "neutralize", "one_line", "plain", "shown"]


def shown(text: str) -> str:
    """The text as it may reach a screen: every control or bidi character a visible mark."""
    return neutralize(text)


def one_line(text: str) -> str:
    """A value painted on one screen line (a timeline row, a table cell): newlines and tabs
    too become visible marks, so a row can never spill into the next."""
    return neutralize(text).replace("\n", "\u2424").replace("\t", "\u2409")


def plain(text: str) -> Content:
    """Version-provided text as Textual content: literal, never markup."""
    return Content(neutralize(text))


def markup(template: str, **variables: object) -> Content:
    """`template` is our own markup; each variable is neutralized and substituted as plain text
    (Textual's `$name` substitution never parses a value as markup)."""
    return Content.from_markup(
        template, **{name: neutralize(str(value)) for name, value in variables.items()}
    )


def cell(text: str, style: str | Style = "") -> Text:
    """A DataTable cell, an OptionList prompt or a label as a Rich `Text`: a plain `str` cell
    would be parsed as markup ("Noted [/]" raises), a `Text` never is. One line, not wrapped,
    as DataTable paints its own plain cells."""
    return Text(one_line(text), style=style, end="", no_wrap=True)
