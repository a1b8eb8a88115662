"""Styled cells for DataTable: Textual markup with theme variables, as Rich text that the table
can measure (a `Content` cell would be measured one cell wide)."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content


def styled(markup: str, **variables: str) -> Text:
    """`styled("[$text-error]$x[/]", x=...)`: theme variables resolved against the running app."""
    text = Text(end="")
    for segment in Content.from_markup(markup, **variables).render_segments():
        text.append(segment.text, segment.style)
    return text
