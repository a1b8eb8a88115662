"""Styled cells for DataTable: Textual markup with theme variables, as Rich text that the table
can measure (a `Content` cell would be measured one cell wide)."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from penholder.tui.safe import one_line


def styled(markup: str, **variables: str) -> Text:
    """`styled("[$text-error]$x[/]", x=...)`: theme variables resolved against the running app;
    the variables are values from outside, shown on one line as plain text with visible marks."""
    text = Text(end="")
    safe = {name: one_line(value) for name, value in variables.items()}
    for segment in Content.from_markup(markup, **safe).render_segments():
        text.append(segment.text, segment.style)
    return text
