"""The app on a negotiation whose history carries hostile text (tests/hostile.py): every screen
shows the control and bidi characters as visible marks and markup as literal text, never their
effect, and none of them crashes. What is checked is what the app would send to the terminal:
the strips the screen's compositor renders."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable

from hostile import (
    AMEND_SUBJECT,
    MARKUP_NOTE,
    MARKUP_SUBJECT,
    SUBJECT,
    UNSAFE,
    Hostile,
    hostile_table,
)
from penholder.tui.app import PenholderApp
from penholder.tui.config import Config
from penholder.tui.drafts import DraftStore
from penholder.tui.screens.act import ActionScreen
from penholder.tui.screens.actas import ActAsScreen
from penholder.tui.screens.blame import BlameScreen
from penholder.tui.screens.clauses import ClausesScreen
from penholder.tui.screens.columns import ColumnsScreen
from penholder.tui.screens.diff import DiffScreen
from penholder.tui.screens.draft import DraftScreen
from penholder.tui.screens.export import ExportScreen
from penholder.tui.screens.inbox import InboxScreen
from penholder.tui.screens.roster import RosterScreen
from penholder.tui.screens.table import TableScreen
from penholder.tui.screens.unlock import UnlockScreen
from penholder.tui.screens.verify import VerifyScreen
from penholder.tui.widgets.redline_view import RedlineView
from penholder.tui.widgets.timeline import Timeline

SIZE = (200, 60)
S = TypeVar("S", bound=Screen[Any])
# What neutralize makes of the hostile characters, as the screen must show them.
ESC, CR, BEL = "\u241b", "\u240d", "\u2407"
SUBJECT_SHOWN = f"Agreed text{ESC}[2J final{ESC}]0;owned{BEL} <U+202E>evil<U+202C>"
NOTE_SHOWN = f"Read{ESC}[31m red{ESC}[0m and <U+009B>2J C1 too"
DAYS_WORD = f"days{ESC}[2K{CR}30"  # one word: a word wrap never cuts it
DAYS_SHOWN = f"90 {DAYS_WORD} days."
# "30 days" may appear only right after the visible erase-line mark and the carriage return's
# mark (or the space a clause title's whitespace folding makes of it): never on its own.
ALONE_30 = re.compile(f"(?<!{ESC}\\[2K.)30 days")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    return hostile_table(tmp_path_factory.mktemp("hostile") / "neg")


@pytest.fixture
def hostile(built: Hostile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hostile]:
    """A private copy of the hostile negotiation, the app's clock pinned, its config and state
    in the test's folder."""
    shutil.copytree(built.repo, tmp_path / "neg")
    monkeypatch.setenv("PENHOLDER_NOW", "2025-11-01T12:00:00Z")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("PENHOLDER_POLL", "0")
    monkeypatch.setattr("penholder.tui.screens.table.PREVIEW_DELAY", 0)
    table = type(built.table)(tmp_path / "neg", built.table.keys)
    yield Hostile(table, built.forward, built.amend, built.noted, built.escaped)


def make_app(hostile: Hostile, tmp_path: Path, actor: str = "turkiye") -> PenholderApp:
    """The app reading as `actor` (no key here: it reads and opens dialogs, it cannot sign)."""
    (tmp_path / "home").mkdir(exist_ok=True)
    return PenholderApp(
        hostile.repo,
        tmp_path / "home",
        actor,
        config=Config(keys={}),
        drafts=DraftStore(tmp_path / "drafts"),
        poll_seconds=0,
    )


async def settle(pilot: Pilot[None]) -> None:
    """Every worker finished and the messages it posted handled (no sleeping)."""
    app = pilot.app
    for _ in range(50):
        await pilot.pause()
        busy = [w for w in app.workers if not w.is_finished]
        if not busy:
            break
        await asyncio.wait([asyncio.ensure_future(w.wait()) for w in busy])
    await pilot.pause()


def top(app: PenholderApp) -> Screen[object]:
    """The screen on top, as a plain `Screen` (a fresh look after each key)."""
    return app.screen


def on(app: PenholderApp, kind: type[S]) -> S:
    """The screen on top, which must be a `kind`."""
    screen = top(app)
    assert isinstance(screen, kind), f"{type(screen).__name__} is on top, not {kind.__name__}"
    return screen


def table_of(app: PenholderApp) -> TableScreen:
    return on(app, TableScreen)


def granularity_of(screen: DiffScreen) -> str:
    return screen.granularity


def mode_of(view: RedlineView) -> str:
    return view.mode


def screen_text(app: PenholderApp) -> str:
    """Exactly what the screen on top would send to the terminal, as text."""
    return "\n".join(strip.text for strip in top(app)._compositor.render_strips())


def assert_safe(app: PenholderApp, *shown: str) -> str:
    """No raw control or bidi character on screen, no markup eaten, each of `shown` visible."""
    text = screen_text(app)
    found = UNSAFE.search(text)
    assert found is None, f"raw {found.group()!r} on {type(top(app)).__name__}"
    assert "\t" not in text, f"a raw tab (no width in a strip) on {type(top(app)).__name__}"
    alone = ALONE_30.search(text)
    assert alone is None, (
        "the screen shows 30 days where the signed text says 90: "
        + text[max(0, alone.start() - 80) : alone.end() + 20]
    )
    for want in shown:
        assert want in text, f"{want!r} is not on {type(top(app)).__name__}:\n{text}"
    return text


def escaped_shown(app: PenholderApp, hostile: Hostile) -> tuple[str, ...]:
    """What the screen must show of the commit whose message holds escapes: its subject and
    note with visible marks when the history reads it as a version; when the parser refuses it
    (rule control-characters), the refusal, which names the character without carrying it."""
    assert app.snapshot is not None
    v = app.snapshot.history.version(hostile.escaped)
    if v.subject == SUBJECT:
        return (SUBJECT_SHOWN,)
    assert UNSAFE.search(v.subject) is None
    return ("U+001B",)


async def open_table_on(pilot: Pilot[None], sha: str) -> PenholderApp:
    app = pilot.app
    assert isinstance(app, PenholderApp)
    await settle(pilot)
    assert isinstance(top(app), TableScreen) and app.snapshot is not None
    table_of(app).select(sha)
    await settle(pilot)
    return app


async def test_table_timeline_and_preview_show_marks_not_effects(
    hostile: Hostile, tmp_path: Path
) -> None:
    app = make_app(hostile, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_table_on(pilot, hostile.noted)
        text = assert_safe(app, MARKUP_SUBJECT, MARKUP_NOTE[:60])
        assert f"“{MARKUP_SUBJECT}”" in text, "the preview shows the subject, brackets and all"
        table_of(app).select(hostile.amend)
        await settle(pilot)
        timeline = top(app).query_one(Timeline)
        assert timeline.selected == hostile.amend
        assert_safe(app, AMEND_SUBJECT, DAYS_WORD, "<U+202E>Trojan<U+202C>")
        preview = top(app).query_one("#preview-diff", RedlineView)
        assert preview.redline is not None and preview.redline.diff.changed
        table_of(app).select(hostile.escaped)
        await settle(pilot)
        assert timeline.selected == hostile.escaped
        shown = escaped_shown(app, hostile)
        text = assert_safe(app, *shown)
        assert text.count(shown[0]) >= 2, "in the timeline row and in the preview"


async def test_inbox_lists_hostile_versions_literally(hostile: Hostile, tmp_path: Path) -> None:
    app = make_app(hostile, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_table_on(pilot, hostile.amend)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(top(app), InboxScreen)
        assert app.snapshot is not None
        waiting = {v.sha for v in app.snapshot.inbox}
        assert waiting >= {hostile.amend, hostile.noted}
        escaped = escaped_shown(app, hostile) if hostile.escaped in waiting else ()
        assert_safe(app, AMEND_SUBJECT, MARKUP_SUBJECT, *escaped)


async def test_draft_screens_show_the_signed_text_with_marks(
    hostile: Hostile, tmp_path: Path
) -> None:
    app = make_app(hostile, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_table_on(pilot, hostile.amend)
        await pilot.press("enter")
        await settle(pilot)
        assert on(app, DraftScreen).sha == hostile.amend
        assert_safe(app, AMEND_SUBJECT, DAYS_SHOWN, "<U+202E>Trojan<U+202C>")
        assert on(app, DraftScreen).editor.text.count(DAYS_SHOWN) == 1
        await pilot.press("escape")
        await settle(pilot)
        app.open_version(hostile.noted)
        await settle(pilot)
        assert on(app, DraftScreen).sha == hostile.noted
        assert_safe(app, f"“{MARKUP_SUBJECT}”", MARKUP_NOTE, DAYS_SHOWN)
        await pilot.press("escape")
        await settle(pilot)
        app.open_version(hostile.escaped)
        await settle(pilot)
        assert on(app, DraftScreen).sha == hostile.escaped
        shown = escaped_shown(app, hostile)
        assert_safe(app, *shown, *((NOTE_SHOWN,) if shown == (SUBJECT_SHOWN,) else ()))


async def test_diff_inline_and_side_by_side(hostile: Hostile, tmp_path: Path) -> None:
    app = make_app(hostile, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_table_on(pilot, hostile.amend)
        await pilot.press("d")
        await settle(pilot)
        screen = top(app)
        assert isinstance(screen, DiffScreen) and screen.old == hostile.forward
        view = screen.query_one(RedlineView)
        assert mode_of(view) == "inline" and view.change_count >= 1
        assert_safe(app, DAYS_SHOWN, "<U+202E>Trojan<U+202C>")
        await pilot.press("v")
        await settle(pilot)
        assert mode_of(view) == "side"
        assert_safe(app, DAYS_WORD, "<U+202E>Trojan<U+202C>")
        await pilot.press("z", "g")  # the whole text, by character
        await settle(pilot)
        assert granularity_of(screen) == "char" and not view.fold
        assert_safe(app, DAYS_WORD)
        await pilot.press("g")  # by line
        await settle(pilot)
        assert granularity_of(screen) == "line"
        assert_safe(app, DAYS_WORD)


async def test_blame_clauses_and_columns(hostile: Hostile, tmp_path: Path) -> None:
    app = make_app(hostile, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_table_on(pilot, hostile.amend)
        await pilot.press("b")
        await settle(pilot)
        assert on(app, BlameScreen).blame is not None
        assert_safe(app, DAYS_SHOWN, "<U+202E>Trojan<U+202C>")
        await pilot.press("n")  # to afghanistan's words: the status line names its version
        await settle(pilot)
        assert_safe(app, f"“{AMEND_SUBJECT}”")
        await pilot.press("l")
        await settle(pilot)
        screen = top(app)
        assert isinstance(screen, ClausesScreen) and screen.clauses
        table = screen.query_one("#clauses", DataTable)
        row = next(k for k, c in enumerate(screen.clauses) if "90 days" in c.text)
        table.move_cursor(row=row)
        await settle(pilot)
        assert_safe(app, DAYS_SHOWN)
        await pilot.press("t")
        await settle(pilot)
        assert on(app, ColumnsScreen).trilogue is not None
        assert_safe(app, DAYS_WORD)


async def test_verify_and_roster_screens(hostile: Hostile, tmp_path: Path) -> None:
    app = make_app(hostile, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_table_on(pilot, hostile.amend)
        await pilot.press("V")
        await settle(pilot)
        screen = top(app)
        assert isinstance(screen, VerifyScreen) and screen.report is not None
        # Whatever verify says of these versions, it says it safely: each failure listed,
        # its message quoting no raw character.
        failures = screen.report.failures
        assert_safe(app, *(f"{f.sha[:10]}" for f in failures[:5]))
        await pilot.press("escape")
        await settle(pilot)
        app.action_roster()
        await settle(pilot)
        assert isinstance(top(app), RosterScreen)
        assert_safe(app, "Republic of Türkiye")


async def test_dialogs_show_hostile_subjects_literally(hostile: Hostile, tmp_path: Path) -> None:
    """A comment on the version whose subject is markup, a comment on the version whose subject
    drives the terminal, and the certificate dialog of the hostile text: all literal."""
    app = make_app(hostile, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_table_on(pilot, hostile.noted)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(top(app), ActionScreen)
        target = on(app, ActionScreen).plan.target
        assert target is not None and target.sha == hostile.noted
        assert_safe(app, f"“{MARKUP_SUBJECT}”")
        await pilot.press("escape")
        await settle(pilot)
        table_of(app).select(hostile.escaped)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(top(app), ActionScreen)
        assert_safe(app, *escaped_shown(app, hostile))
        await pilot.press("escape")
        await settle(pilot)
        app.export_certificate(hostile.amend)
        await settle(pilot)
        assert on(app, ExportScreen).job.draft
        assert_safe(app, "Certificate of accord (DRAFT)")


async def test_notifications_are_literal(hostile: Hostile, tmp_path: Path) -> None:
    """Whatever a notification carries (a refusal quoting a subject, a path), it is shown as
    typed: no markup, no control sequence."""
    app = make_app(hostile, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_table_on(pilot, hostile.noted)
        app.notify(f"{MARKUP_SUBJECT}\x1b[2J", title="[b]t[/b]\x9b")
        app.notify("[bold red]x[/bold red]", severity="error")
        await settle(pilot)
        assert_safe(app, f"{MARKUP_SUBJECT}{ESC}[2J", "[b]t[/b]<U+009B>", "[bold red]x[/bold red]")


MARKUP_TITLE = "Talks [/] on [bold red]x[/bold red]"
MARKUP_NAME = "State of [/]Qatar [b]"


@pytest.fixture
def markup_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A negotiation whose title, place and actor names look like markup (the store takes
    them: they hold no control character), and a home holding two of its keys."""
    from dataclasses import replace

    from helpers import make_roster
    from penholder.core.store.negotiation import Negotiation
    from penholder.demo.keys import demo_private_key
    from penholder.demo.scenario import write_demo_keys

    monkeypatch.setenv("PENHOLDER_NOW", "2025-11-01T12:00:00Z")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("PENHOLDER_POLL", "0")
    monkeypatch.setattr("penholder.tui.screens.table.PREVIEW_DELAY", 0)
    keys = {a: demo_private_key(a) for a in ("qatar", "turkiye", "pakistan", "afghanistan")}
    roster = make_roster(keys)
    actors = tuple(replace(a, name=MARKUP_NAME) if a.id == "qatar" else a for a in roster.actors)
    roster = replace(roster, title=MARKUP_TITLE, actors=actors)
    repo = tmp_path / "neg"
    Negotiation.create(
        repo, roster, keys["qatar"], place="Doha [/]", date="2025-10-18", when=1_761_400_000
    ).close()
    home = tmp_path / "home"
    write_demo_keys(home, {a: keys[a] for a in ("qatar", "pakistan")}, {"qatar": MARKUP_NAME})
    return repo, home


async def test_titles_places_and_names_that_look_like_markup(
    markup_names: tuple[Path, Path], tmp_path: Path
) -> None:
    """The header, the summary, the roster table, the roster screen, act as and the unlock
    dialog show the roster's own strings as typed."""
    repo, home = markup_names
    app = PenholderApp(
        repo,
        home,
        "qatar",
        config=Config(keys={}),
        drafts=DraftStore(tmp_path / "drafts"),
        poll_seconds=0,
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.title == MARKUP_TITLE
        assert_safe(app, MARKUP_TITLE, "Doha [/]", "State of [/]Qat")
        app.action_roster()
        await settle(pilot)
        assert_safe(app, MARKUP_NAME)
        await pilot.press("escape")
        await pilot.press("a")
        await settle(pilot)
        assert on(app, ActAsScreen)
        assert_safe(app, MARKUP_NAME)
        await pilot.press("escape")
        await settle(pilot)
        app.push_screen(UnlockScreen("qatar"))
        await settle(pilot)
        assert_safe(app, MARKUP_NAME)
