"""A redline painted through the Line API: only the lines on screen are ever built."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from penholder.tui.redline import STYLE_KEYS, Layout, Mode, Redline
from penholder.tui.safe import one_line
from penholder.tui.widgets.themed import ThemedScrollView


class RedlineView(ThemedScrollView, can_focus=True):
    """Shows one `Redline` inline or side by side, folded or whole, wrapped to its width."""

    STYLE_PREFIX = "redline--"

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"redline--{key}" for key in STYLE_KEYS} | {
        "redline--current",
        "redline--message",
    }
    DEFAULT_CSS = """
    RedlineView {
        height: 1fr;
        overflow-x: hidden;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    RedlineView > .redline--insert {
        background: $success 25%;
        color: $text-success;
        text-style: underline;
    }
    RedlineView > .redline--delete {
        background: $error 20%;
        color: $text-error;
        text-style: strike;
    }
    RedlineView > .redline--move {
        background: $accent 20%;
        color: $text-accent;
        text-style: italic;
    }
    RedlineView > .redline--fold {
        color: $text-muted;
        text-style: italic;
    }
    RedlineView > .redline--gutter {
        color: $text-disabled;
    }
    RedlineView > .redline--gutter-changed {
        color: $warning;
    }
    RedlineView > .redline--current {
        color: $accent;
        background: $accent 30%;
        text-style: bold;
    }
    RedlineView > .redline--blank {
        color: $panel-lighten-1;
    }
    RedlineView > .redline--message {
        color: $text-muted;
        text-style: italic;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_change", "Next change", id="redline.next"),
        Binding("p", "previous_change", "Previous change", id="redline.previous"),
        Binding("up,k", "scroll_by(-1)", "Up", show=False, id="redline.up"),
        Binding("down,j", "scroll_by(1)", "Down", show=False, id="redline.down"),
        Binding("pageup", "scroll_page(-1)", "Page up", show=False, id="redline.page-up"),
        Binding(
            "pagedown,space", "scroll_page(1)", "Page down", show=False, id="redline.page-down"
        ),
        Binding("home", "scroll_home", "Top", show=False, id="redline.top"),
        Binding("end", "scroll_end", "Bottom", show=False, id="redline.bottom"),
    ]

    mode: reactive[Mode] = reactive("inline")
    fold: reactive[bool] = reactive(True)

    class ChangeMoved(Message):
        def __init__(self, index: int, total: int) -> None:
            super().__init__()
            self.index = index
            self.total = total

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.redline: Redline | None = None
        self.message_text = ""
        self.layout_: Layout | None = None
        self.current = -1

    def show(self, redline: Redline | None, message: str = "") -> None:
        """Paint `redline` (or, without one, a one-line message)."""
        self.redline = redline
        self.message_text = one_line(message)  # it may quote a refusal: shown, not obeyed
        self.current = -1
        self._relayout()
        self.scroll_to(0, 0, animate=False, immediate=True)

    def _relayout(self) -> None:
        width = max(20, self.scrollable_content_region.width or self.size.width or 80)
        if self.redline is None:
            self.layout_ = None
            self.virtual_size = Size(width, 1)
        else:
            self.layout_ = self.redline.layout(self.mode, self.fold, width)
            self.virtual_size = Size(width, self.layout_.total)
        self.refresh()

    def watch_show_vertical_scrollbar(self) -> None:
        """A scrollbar that comes or goes changes the width without a resize: lay the text
        out again at the width it has now."""
        width = max(20, self.scrollable_content_region.width)
        if self.layout_ is not None and self.layout_.width != width:
            self._relayout_keeping_change()

    def watch_mode(self) -> None:
        self._relayout_keeping_change()

    def watch_fold(self) -> None:
        self._relayout_keeping_change()

    def _relayout_keeping_change(self) -> None:
        current = self.current
        self._relayout()
        if current >= 0 and self.layout_ is not None and current < len(self.layout_.changes):
            self.go_to_change(current)

    def on_resize(self) -> None:
        if self.layout_ is not None and self.layout_.width != self.scrollable_content_region.width:
            self._relayout_keeping_change()

    # painting ----------------------------------------------------------------------------

    def _extra_styles(self, base: Style) -> dict[str, Style]:
        return {"equal": base}

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        styles = self._style_map()
        base = self.rich_style
        layout = self.layout_
        line = scroll_y + y
        if layout is None:
            if line == 0 and self.message_text:
                return Strip([Segment(" " + self.message_text, styles["message"])]).crop_extend(
                    scroll_x, scroll_x + width, base
                )
            return Strip.blank(width, base)
        pieces = layout.line(line)
        current_rows = self._current_rows()
        row = layout.row_at(line) if pieces else -1
        segments = []
        for text, key in pieces:
            style = styles.get(key, base)
            if key.startswith("gutter") and row in current_rows:
                style = styles["current"]
            segments.append(Segment(text, style))
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, base)

    def _current_rows(self) -> range:
        layout = self.layout_
        if layout is None or self.current < 0 or self.current >= len(layout.changes):
            return range(0)
        start = layout.changes[self.current]
        end = start
        rows = layout.view.rows
        while end < len(rows) and getattr(rows[end], "changed", False):
            end += 1
        return range(start, max(end, start + 1))

    # navigation --------------------------------------------------------------------------

    @property
    def change_count(self) -> int:
        return len(self.layout_.changes) if self.layout_ is not None else 0

    def go_to_change(self, index: int) -> None:
        layout = self.layout_
        if layout is None or not layout.changes:
            return
        self.current = max(0, min(index, len(layout.changes) - 1))
        top = layout.starts[layout.changes[self.current]]
        self.scroll_to(y=max(0, top - 2), animate=False, immediate=True)
        self.refresh()
        self.post_message(self.ChangeMoved(self.current, len(layout.changes)))

    def action_next_change(self) -> None:
        if self.layout_ is None or not self.layout_.changes:
            self.app.bell()
            return
        if self.current < 0:
            top = self.scroll_offset.y
            after = [
                k
                for k, row in enumerate(self.layout_.changes)
                if self.layout_.starts[row] > top + 2
            ]
            self.go_to_change(after[0] if after else 0)
        else:
            self.go_to_change(min(self.current + 1, len(self.layout_.changes) - 1))

    def action_previous_change(self) -> None:
        if self.layout_ is None or not self.layout_.changes:
            self.app.bell()
            return
        self.go_to_change(max(self.current - 1, 0) if self.current >= 0 else 0)

    def action_scroll_by(self, delta: int) -> None:
        self.scroll_to(y=self.scroll_offset.y + delta, animate=False)

    def action_scroll_page(self, direction: int) -> None:
        self.scroll_to(
            y=self.scroll_offset.y + direction * max(1, self.size.height - 1), animate=False
        )
