"""The four-column view painted through the Line API: one row per clause, each column wrapped
to its width, differences from the base marked; only the lines on screen are built."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from penholder.tui.safe import one_line
from penholder.tui.trilogue import ColumnsLayout, Trilogue
from penholder.tui.widgets.themed import ThemedScrollView

KEYS = ("equal", "insert", "delete", "absent", "rule", "changed-rule")


class ColumnsView(ThemedScrollView, can_focus=True):
    STYLE_PREFIX = "columns--"
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"columns--{key}" for key in KEYS} | {
        "columns--message"
    }
    DEFAULT_CSS = """
    ColumnsView {
        height: 1fr;
        overflow-x: hidden;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    ColumnsView > .columns--insert {
        background: $success 25%;
        color: $text-success;
        text-style: underline;
    }
    ColumnsView > .columns--delete {
        background: $error 20%;
        color: $text-error;
        text-style: strike;
    }
    ColumnsView > .columns--absent {
        color: $text-disabled;
        text-style: italic;
    }
    ColumnsView > .columns--rule {
        color: $panel-lighten-1;
    }
    ColumnsView > .columns--changed-rule {
        color: $warning;
    }
    ColumnsView > .columns--message {
        color: $text-muted;
        text-style: italic;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "scroll_by(1)", "Down", show=False, id="columns.down"),
        Binding("up,k", "scroll_by(-1)", "Up", show=False, id="columns.up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="columns.page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="columns.page-up"),
        Binding("home", "scroll_home", "Top", show=False, id="columns.top"),
        Binding("end", "scroll_end", "Bottom", show=False, id="columns.bottom"),
        Binding("n", "next_change(1)", "Next difference", id="columns.next"),
        Binding("p", "next_change(-1)", "Previous difference", id="columns.previous"),
    ]

    class LaidOut(Message):
        """The view was laid out at a new width: the column headers follow it."""

        def __init__(self, column: int) -> None:
            super().__init__()
            self.column = column

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trilogue: Trilogue | None = None
        self.only_changed = False
        self.layout_: ColumnsLayout | None = None
        self.message_text = ""

    def show(self, trilogue: Trilogue | None, message: str = "") -> None:
        self.trilogue = trilogue
        self.message_text = one_line(message)  # it may quote a refusal: shown, not obeyed
        self._relayout()
        self.scroll_to(0, 0, animate=False, immediate=True)

    def set_only_changed(self, only: bool) -> None:
        self.only_changed = only
        self._relayout()
        self.scroll_to(0, 0, animate=False, immediate=True)

    def _relayout(self) -> None:
        width = max(40, self.scrollable_content_region.width or self.size.width or 120)
        if self.trilogue is None:
            self.layout_ = None
            self.virtual_size = Size(width, 1)
        else:
            self.layout_ = ColumnsLayout(self.trilogue, width, self.only_changed)
            self.virtual_size = Size(width, self.layout_.total)
            self.post_message(self.LaidOut(self.layout_.column))
        self.refresh()

    def watch_show_vertical_scrollbar(self) -> None:
        """A scrollbar that comes or goes changes the width without a resize."""
        width = max(40, self.scrollable_content_region.width)
        if self.layout_ is not None and self.layout_.width != width:
            self._relayout()

    def on_resize(self) -> None:
        if self.layout_ is not None and self.layout_.width != self.scrollable_content_region.width:
            self._relayout()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        styles = self._style_map()
        line = scroll_y + y
        if self.layout_ is None:
            if line == 0 and self.message_text:
                return Strip([Segment(" " + self.message_text, styles["message"])])
            return Strip.blank(width, base)
        segments = [Segment(text, styles.get(key, base)) for text, key in self.layout_.line(line)]
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, base)

    def action_scroll_by(self, delta: int) -> None:
        self.scroll_to(y=self.scroll_offset.y + delta, animate=False)

    def action_page(self, direction: int) -> None:
        self.scroll_to(
            y=self.scroll_offset.y + direction * max(1, self.size.height - 1), animate=False
        )

    def action_next_change(self, direction: int) -> None:
        layout = self.layout_
        if layout is None:
            return
        row = layout.row_at(self.scroll_offset.y)
        rows = range(row + 1, len(layout.rows)) if direction > 0 else range(row - 1, -1, -1)
        for k in rows:
            if layout.rows[k].changed:
                self.scroll_to(y=layout.starts[k], animate=False, immediate=True)
                return
        self.app.bell()
