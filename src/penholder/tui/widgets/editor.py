"""The draft editor: a TextArea with Markdown highlighting.

With tree-sitter installed (`textual[syntax]`) Textual highlights Markdown itself. Without it
this editor highlights the marks a negotiator reads most — headings, list numbers, emphasis,
inline code and the [square / brackets] of unsettled text — with a few regular expressions
over the lines. (TextArea keeps highlights in `_highlights`, keyed by line, with byte columns;
that is the one private attribute used here.)
"""

from __future__ import annotations

import re

from textual.widgets import TextArea

_RULES: tuple[tuple[re.Pattern[bytes], tuple[str, ...]], ...] = (
    (re.compile(rb"^(#{1,6})( .*)$"), ("heading.marker", "heading")),
    (re.compile(rb"^\s*([-*+]|\d+(?:\.\d+)*[.)]?)\s"), ("list.marker",)),
    (re.compile(rb"(\*\*[^*\n]+\*\*)"), ("bold",)),
    (re.compile(rb"(?<![*\w])(\*[^*\s][^*\n]*\*|_[^_\s][^_\n]*_)(?![*\w])"), ("italic",)),
    (re.compile(rb"(`[^`\n]+`)"), ("inline_code",)),
    (
        re.compile(rb"(\[)[^\]\n]*?( / )?[^\]\n]*?(\])"),
        ("punctuation.special", "operator", "punctuation.special"),
    ),
)


def markdown_highlights(lines: list[str]) -> dict[int, list[tuple[int, int | None, str]]]:
    out: dict[int, list[tuple[int, int | None, str]]] = {}
    for number, line in enumerate(lines):
        if not line:
            continue
        data = line.encode("utf-8")
        found: list[tuple[int, int | None, str]] = []
        for pattern, names in _RULES:
            for match in pattern.finditer(data):
                for group, name in enumerate(names, 1):
                    start, end = match.span(group)
                    if start >= 0 and end > start:
                        found.append((start, end, name))
        if found:
            out[number] = found
    return out


class DraftEditor(TextArea):
    """A soft-wrapping Markdown editor for one draft."""

    # The :focus selectors outrank TextArea's own `TextArea:focus` border: focus alone does not
    # change this frame; only editing does.
    DEFAULT_CSS = """
    DraftEditor, DraftEditor:focus {
        height: 1fr;
        border: round $panel-lighten-1;
    }
    DraftEditor.editing {
        border: round $warning;
    }
    DraftEditor.editing:focus {
        border: round $accent;
    }
    """

    def __init__(self, text: str = "", *, read_only: bool = False, id: str | None = None) -> None:
        language = "markdown" if "markdown" in self.available_languages_static() else None
        super().__init__(
            text,
            language=language,
            soft_wrap=True,
            read_only=read_only,
            show_line_numbers=False,
            tab_behavior="indent",
            id=id,
        )
        self._regex_highlight = language is None

    @staticmethod
    def available_languages_static() -> set[str]:
        """ "markdown" when tree-sitter and its Markdown grammar are installed."""
        from textual._tree_sitter import get_language

        return {"markdown"} if get_language("markdown") is not None else set()

    def _build_highlight_map(self) -> None:
        if not getattr(self, "_regex_highlight", False):
            super()._build_highlight_map()
            return
        self._line_cache.clear()
        self._highlights.clear()
        self._highlights.update(markdown_highlights(list(self.document.lines)))
