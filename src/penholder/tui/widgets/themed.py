"""A scroll view that paints in the styles of its component classes, resolved once per theme
or stylesheet change, so every theme (and the theme picker) reaches the colours it paints."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from textual.scroll_view import ScrollView


class ThemedScrollView(ScrollView):
    # Component class names lose this prefix in the style map: "redline--insert" → "insert".
    STYLE_PREFIX: ClassVar[str] = ""

    _styles: dict[str, Style] | None = None

    def notify_style_update(self) -> None:
        self._styles = None
        super().notify_style_update()

    def _extra_styles(self, base: Style) -> dict[str, Style]:
        """Styles beyond the component classes, built from the widget's own style."""
        return {}

    def _style_map(self) -> dict[str, Style]:
        if self._styles is None:
            base = self.rich_style
            styles = {
                name.removeprefix(self.STYLE_PREFIX): base
                + self.get_component_rich_style(name, partial=True)
                for name in self.COMPONENT_CLASSES
            }
            styles.update(self._extra_styles(base))
            self._styles = styles
        return self._styles
