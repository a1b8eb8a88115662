"""A version's text coloured by who wrote each word, painted through the Line API, with a word
cursor. Each actor has a stable colour slot (its place in the roster); the slots' colours are
theme variables (in the widgets' DEFAULT_CSS), so every theme reaches them."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from penholder.tui.attribution import PALETTE_SIZE, Author, BlameLayout, BlameText
from penholder.tui.safe import one_line
from penholder.tui.widgets.themed import ThemedScrollView

SLOTS = [f"blame--a{k}" for k in range(PALETTE_SIZE)]


class BlameView(ThemedScrollView, can_focus=True):
    """The text of a `BlameText`, wrapped to the width; the cursor is on one word."""

    STYLE_PREFIX = ""

    COMPONENT_CLASSES: ClassVar[set[str]] = {*SLOTS, "blame--cursor", "blame--message"}
    # One colour per author slot: the legend (BlameLegend) shows the same colours, reversed.
    DEFAULT_CSS = """
    BlameView {
        height: 1fr;
        overflow-x: hidden;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    BlameView > .blame--a0 {
        color: $text-primary;
    }
    BlameView > .blame--a1 {
        color: $text-warning;
    }
    BlameView > .blame--a2 {
        color: $text-success;
    }
    BlameView > .blame--a3 {
        color: $text-error;
    }
    BlameView > .blame--a4 {
        color: $text-secondary;
    }
    BlameView > .blame--a5 {
        color: $text-accent;
    }
    BlameView > .blame--a6 {
        color: $text-primary;
        text-style: underline;
    }
    BlameView > .blame--a7 {
        color: $text-success;
        text-style: underline;
    }
    BlameView > .blame--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    BlameView > .blame--message {
        color: $text-muted;
        text-style: italic;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,w", "word(1)", "Next word", show=False, id="blame.next-word"),
        Binding("left,B", "word(-1)", "Previous word", show=False, id="blame.previous-word"),
        Binding("down,j", "line(1)", "Down", show=False, id="blame.down"),
        Binding("up,k", "line(-1)", "Up", show=False, id="blame.up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="blame.page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="blame.page-up"),
        Binding("home", "edge(0)", "Top", show=False, id="blame.top"),
        Binding("end", "edge(-1)", "Bottom", show=False, id="blame.bottom"),
        Binding("n", "author(1)", "Next author", id="blame.next-author"),
        Binding("p", "author(-1)", "Previous author", id="blame.previous-author"),
    ]

    class Moved(Message):
        """The cursor is on a word written by `author` (None: no text)."""

        def __init__(self, author: Author | None, offset: int) -> None:
            super().__init__()
            self.author = author
            self.offset = offset

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.blame: BlameText | None = None
        self.layout_: BlameLayout | None = None
        self.message_text = ""
        self.cursor = 0

    def show(self, blame: BlameText | None, message: str = "") -> None:
        self.blame = blame
        self.message_text = one_line(message)  # it may quote a refusal: shown, not obeyed
        self.cursor = blame.word_at(0)[0] if blame is not None and blame.text else 0
        self._relayout()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._moved()

    def _relayout(self) -> None:
        width = max(20, self.scrollable_content_region.width or self.size.width or 80)
        if self.blame is None:
            self.layout_ = None
            self.virtual_size = Size(width, 1)
        else:
            self.layout_ = BlameLayout(self.blame, width)
            self.virtual_size = Size(width, self.layout_.total)
        self.refresh()

    def watch_show_vertical_scrollbar(self) -> None:
        """A scrollbar that comes or goes changes the width without a resize."""
        width = max(8, self.scrollable_content_region.width)
        if self.layout_ is not None and self.layout_.width != width:
            self._relayout()
            self._follow()

    def on_resize(self) -> None:
        if self.layout_ is not None and self.layout_.width != self.scrollable_content_region.width:
            self._relayout()
            self._follow()

    # painting ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        styles = self._style_map()
        layout, blame = self.layout_, self.blame
        line = scroll_y + y
        if layout is None or blame is None:
            if line == 0 and self.message_text:
                return Strip([Segment(" " + self.message_text, styles["blame--message"])])
            return Strip.blank(width, base)
        text = blame.text
        word = blame.focus(self.cursor) if text else (0, 0)
        segments = []
        for start, end, owner in layout.line(line):
            style = styles[SLOTS[blame.authors[owner].slot]]
            lo, hi = max(start, word[0]), min(end, word[1])
            if lo < hi:  # the word under the cursor, in the cursor's style
                if start < lo:
                    segments.append(Segment(text[start:lo], style))
                segments.append(Segment(text[lo:hi], style + styles["blame--cursor"]))
                if hi < end:
                    segments.append(Segment(text[hi:end], style))
            else:
                segments.append(Segment(text[start:end], style))
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, base)

    # the cursor --------------------------------------------------------------------------

    @property
    def author(self) -> Author | None:
        return self.blame.author_at(self.cursor) if self.blame is not None else None

    def move_to(self, offset: int, *, snap: bool = True) -> None:
        """Put the cursor on the word at `offset` (on its first letter, with `snap`)."""
        if self.blame is None or self.layout_ is None or not self.blame.text:
            return
        old_line = self.layout_.line_of(self.cursor)
        self.cursor = self.blame.word_at(offset)[0] if snap else offset
        self._refresh_lines(old_line, self.layout_.line_of(self.blame.word_at(self.cursor)[1]))
        self._refresh_lines(self.layout_.line_of(self.cursor), self.layout_.line_of(self.cursor))
        self._follow()
        self._moved()

    def _refresh_lines(self, first: int, last: int) -> None:
        top = self.scroll_offset.y
        for line in range(min(first, last), max(first, last) + 2):
            y = line - top
            if 0 <= y < self.size.height:
                self.refresh(Region(0, y, self.size.width, 1))

    def _follow(self) -> None:
        if self.layout_ is None:
            return
        line = self.layout_.line_of(self.cursor)
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if line < top:
            self.scroll_to(y=line, animate=False, immediate=True)
        elif line >= top + height:
            self.scroll_to(y=line - height + 1, animate=False, immediate=True)

    def _moved(self) -> None:
        self.post_message(self.Moved(self.author, self.cursor))

    def action_word(self, direction: int) -> None:
        if self.blame is not None and self.blame.text:
            blame = self.blame
            step = blame.next_word if direction > 0 else blame.previous_word
            self.move_to(step(self.cursor))

    def action_line(self, delta: int) -> None:
        layout = self.layout_
        if layout is None or self.blame is None or not self.blame.text:
            return
        line = layout.line_of(self.cursor)
        target = line + delta
        while 0 <= target < layout.total and layout.starts[target] == layout.ends[target]:
            target += 1 if delta > 0 else -1  # skip blank lines
        if not 0 <= target < layout.total:
            return
        self.move_to(layout.offset_at(target, layout.column_of(self.cursor)))

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        layout = self.layout_
        if layout is None or self.blame is None or not self.blame.text:
            return
        target = max(0, min(layout.line_of(self.cursor) + direction * height, layout.total - 1))
        self.scroll_to(y=self.scroll_offset.y + direction * height, animate=False, immediate=True)
        self.move_to(layout.offset_at(target, layout.column_of(self.cursor)))

    def action_edge(self, where: int) -> None:
        if self.blame is not None and self.blame.text:
            self.move_to(0 if where == 0 else len(self.blame.text) - 1)

    def action_author(self, direction: int) -> None:
        if self.blame is not None and self.blame.text:
            found = self.blame.next_author(self.cursor, direction)
            if found == self.cursor:
                self.app.bell()
            self.move_to(found, snap=False)

    def on_click(self, event: Click) -> None:
        layout = self.layout_
        if layout is None:
            return
        line = self.scroll_offset.y + event.y
        if 0 <= line < layout.total:
            self.move_to(layout.offset_at(line, self.scroll_offset.x + event.x))


class BlameLegend(Widget):
    """Each actor who wrote some of the text, in its colour, and its share of the text."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(SLOTS)
    DEFAULT_CSS = """
    BlameLegend {
        height: 1;
    }
    BlameLegend > .blame--a0 {
        color: $text-primary;
    }
    BlameLegend > .blame--a1 {
        color: $text-warning;
    }
    BlameLegend > .blame--a2 {
        color: $text-success;
    }
    BlameLegend > .blame--a3 {
        color: $text-error;
    }
    BlameLegend > .blame--a4 {
        color: $text-secondary;
    }
    BlameLegend > .blame--a5 {
        color: $text-accent;
    }
    BlameLegend > .blame--a6 {
        color: $text-primary;
    }
    BlameLegend > .blame--a7 {
        color: $text-success;
    }
    BlameLegend > .blame--a0, BlameLegend > .blame--a1, BlameLegend > .blame--a2,
    BlameLegend > .blame--a3, BlameLegend > .blame--a4, BlameLegend > .blame--a5,
    BlameLegend > .blame--a6, BlameLegend > .blame--a7 {
        text-style: bold reverse;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[tuple[str, int, str]] = []  # actor, slot, share

    def show(self, blame: BlameText | None) -> None:
        self.entries = []
        if blame is not None and blame.text:
            share = blame.share()
            total = max(1, len(blame.text))
            for actor in blame.actors:
                percent = f"{100 * share.get(actor, 0) / total:.0f}%"
                self.entries.append((actor, blame.slots[actor], percent))
        self.refresh()

    def render(self) -> Text:
        text = Text(" ")
        for actor, slot, percent in self.entries:
            text.append(f" {one_line(actor)} ", self.get_component_rich_style(SLOTS[slot]))
            text.append(f" {percent}   ")
        return text
