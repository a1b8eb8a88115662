"""The timeline: every version of the negotiation, one line each, painted through the Line API.

Only the visible lines are ever built, so ten thousand versions scroll as lightly as ten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from penholder.core.model import Action, Version
from penholder.core.trust.roster import Roster
from penholder.tui.desk import Snapshot
from penholder.tui.safe import one_line

BADGES = {"good": "✓", "bad": "✗", "unknown-key": "✗"}


def when(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%m-%d %H:%M")


def addressees(roster: Roster, v: Version) -> str:
    """Recipients, named by group when they are a whole group: all, mediators, parties."""
    if not v.to:
        return ""
    to = set(v.to)
    others = set(roster.ids()) - {v.actor}
    if len(to) > 1 and to == others:
        return "all"
    for role in ("mediator", "party"):
        group = set(roster.ids(role)) - {v.actor}
        if len(to) > 1 and to == group:
            return f"{role}s" if role == "mediator" else "parties"
    return ", ".join(v.to)


def row_kind(v: Version, agreed: frozenset[str], agreed_by: frozenset[str]) -> str:
    if v.action == Action.WITHDRAW:
        return "withdraw"
    if v.action == Action.RESUME:
        return "resume"
    if v.sha in agreed or v.sha in agreed_by:
        return "agreed"
    if v.action in (Action.ROUND, Action.OPEN):
        return "round"
    if v.action == Action.RECEIPT:
        return "quiet"
    return "plain"


def label(v: Version, agreed: frozenset[str]) -> str:
    action = v.action.upper() if v.action in (Action.WITHDRAW, Action.RESUME) else v.action
    return action


class Timeline(ScrollView, can_focus=True):
    """Versions oldest first; the cursor starts on the newest."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--cursor",
        "timeline--mark",
        "timeline--withdraw",
        "timeline--resume",
        "timeline--agreed",
        "timeline--round",
        "timeline--quiet",
        "timeline--bad",
        "timeline--pending",
    }
    DEFAULT_CSS = """
    Timeline > .timeline--cursor {
        background: $block-cursor-blurred-background;
    }
    Timeline:focus > .timeline--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    Timeline > .timeline--mark {
        color: $accent;
        text-style: bold;
    }
    Timeline > .timeline--withdraw {
        background: $error 25%;
        color: $text-error;
        text-style: bold;
    }
    Timeline > .timeline--resume {
        background: $warning 20%;
        color: $text-warning;
        text-style: bold;
    }
    Timeline > .timeline--agreed {
        background: $success 20%;
        color: $text-success;
    }
    Timeline > .timeline--round {
        color: $text-accent;
        text-style: bold;
    }
    Timeline > .timeline--quiet {
        color: $text-muted;
    }
    Timeline > .timeline--bad {
        color: $text-error;
        text-style: bold;
    }
    Timeline > .timeline--pending {
        color: $text-disabled;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", "Up", show=False, id="timeline.up"),
        Binding("down,j", "move(1)", "Down", show=False, id="timeline.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="timeline.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="timeline.page-down"),
        Binding("home", "jump(0)", "First", show=False, id="timeline.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="timeline.last"),
        Binding("m", "mark", "Mark", id="timeline.mark"),
        Binding("enter", "open", "Open", id="timeline.open"),
    ]

    class Highlighted(Message):
        def __init__(self, sha: str) -> None:
            super().__init__()
            self.sha = sha

    class Opened(Message):
        def __init__(self, sha: str) -> None:
            super().__init__()
            self.sha = sha

    class Marked(Message):
        def __init__(self, marks: tuple[str, ...]) -> None:
            super().__init__()
            self.marks = marks

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.snapshot: Snapshot | None = None
        self.statuses: dict[str, str] = {}
        self.marks: tuple[str, ...] = ()
        self.cursor = 0
        self._agreed_by: frozenset[str] = frozenset()
        self._styles: dict[str, Style] | None = None
        self._row_text: Callable[[str], str] = lru_cache(maxsize=4096)(self._format)

    # data --------------------------------------------------------------------------------

    def load(self, snapshot: Snapshot, select: str | None = None) -> None:
        first = self.snapshot is None
        self.snapshot = snapshot
        self._row_text = lru_cache(maxsize=4096)(self._format)
        history = snapshot.history
        self._agreed_by = frozenset(
            w.sha
            for sha in snapshot.agreed
            for w in history.referring(sha)
            if w.action in (Action.SIGN, Action.ENDORSE)
        )
        self.virtual_size = Size(self.size.width, snapshot.count)
        if select is not None and select in history:
            self.cursor = snapshot.shas.index(select)
        elif first or self.cursor >= snapshot.count:
            self.cursor = max(0, snapshot.count - 1)
        self.cursor = min(self.cursor, max(0, snapshot.count - 1))
        self.refresh()
        self.call_after_refresh(self._follow)
        if snapshot.count:
            self.post_message(self.Highlighted(snapshot.shas[self.cursor]))

    def set_statuses(self, statuses: dict[str, str]) -> None:
        self.statuses = statuses
        self.refresh()

    @property
    def selected(self) -> str | None:
        if self.snapshot is None or not self.snapshot.count:
            return None
        return self.snapshot.shas[self.cursor]

    def select(self, sha: str) -> bool:
        if self.snapshot is None or sha not in self.snapshot.history:
            return False
        try:
            index = self.snapshot.shas.index(sha)
        except ValueError:
            return False
        self._go(index)
        return True

    # painting ----------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._styles = None
        super().notify_style_update()

    def _style_map(self) -> dict[str, Style]:
        if self._styles is None:
            self._styles = {
                name.removeprefix("timeline--"): self.get_component_rich_style(name, partial=True)
                for name in self.COMPONENT_CLASSES
            }
        return self._styles

    def _format(self, sha: str) -> str:
        assert self.snapshot is not None
        v = self.snapshot.history.version(sha)
        # Every field a version wrote is shown through `one_line`: its control and bidi
        # characters as visible marks, never sent to the terminal (a Segment is not escaped).
        to = one_line(addressees(self.snapshot.roster, v))
        to = f"→ {to}" if to else ""
        doc = one_line(v.document or "")
        actor = one_line(v.actor)
        action = label(v, self.snapshot.agreed)
        return (
            f"r{v.round:<2} {when(v.time)} {actor[:11]:<11} {action:<11} "
            f"{doc[:11]:<11} {to:<13} {one_line(v.subject)}"
        )

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        snapshot = self.snapshot
        if snapshot is None or index >= snapshot.count:
            return Strip.blank(width, base)
        styles = self._style_map()
        sha = snapshot.shas[index]
        v = snapshot.history.version(sha)
        kind = row_kind(v, snapshot.agreed, self._agreed_by)
        row_style = base + styles[kind] if kind in styles else base
        if index == self.cursor:
            row_style = row_style + styles["cursor"]
        status = self.statuses.get(sha)
        badge = BADGES.get(status, "·") if status else "·"
        badge_style = row_style + (
            styles["bad"]
            if status in ("bad", "unknown-key")
            else styles["pending"]
            if not status
            else Style()
        )
        mark = "●" if sha in self.marks else "★" if sha in snapshot.agreed else " "
        segments = [
            Segment(f" {badge} ", badge_style),
            Segment(mark, row_style + styles["mark"]),
            Segment(" " + self._row_text(sha), row_style),
        ]
        strip = Strip(segments).crop_extend(scroll_x, scroll_x + width, row_style)
        return strip

    # moving ------------------------------------------------------------------------------

    def _go(self, index: int) -> None:
        if self.snapshot is None or not self.snapshot.count:
            return
        index = max(0, min(index, self.snapshot.count - 1))
        if index == self.cursor:
            self._follow()
            return
        self._refresh_row(self.cursor - self.scroll_offset.y)
        self.cursor = index
        self._refresh_row(index - self.scroll_offset.y)
        self._follow()
        self.post_message(self.Highlighted(self.snapshot.shas[index]))

    def _refresh_row(self, y: int) -> None:
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _follow(self) -> None:
        height = max(1, self.size.height)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_move(self, delta: int) -> None:
        self._go(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._go(self.cursor + direction * max(1, self.size.height - 1))

    def action_jump(self, index: int) -> None:
        if self.snapshot is not None:
            self._go(index if index >= 0 else self.snapshot.count - 1)

    def action_mark(self) -> None:
        sha = self.selected
        if sha is None:
            return
        if sha in self.marks:
            self.marks = tuple(m for m in self.marks if m != sha)
        else:
            self.marks = (*self.marks, sha)[-2:]
        self.refresh()
        self.post_message(self.Marked(self.marks))

    def action_open(self) -> None:
        if (sha := self.selected) is not None:
            self.post_message(self.Opened(sha))

    def on_click(self, event: Click) -> None:
        self._go(self.scroll_offset.y + event.y)
        if event.chain == 2 and (sha := self.selected) is not None:
            self.post_message(self.Opened(sha))

    def on_resize(self) -> None:
        if self.snapshot is not None:
            self.virtual_size = Size(self.size.width, self.snapshot.count)
