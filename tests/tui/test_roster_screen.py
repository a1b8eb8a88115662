"""The roster screen: who sits at the table, and a roster change (seating an observer) signed
from the app like any other action."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static
from tui_demo import PASSPHRASE, SIZE, Demo
from tui_pilot import current, ready, settle

from penholder.core.actions import Change, build_change
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.keylines import public_key_line
from penholder.demo.keys import demo_private_key
from penholder.tui.screens.act import ActionScreen
from penholder.tui.screens.roster import RosterChangeScreen, RosterScreen
from penholder.tui.screens.table import TableScreen
from penholder.tui.screens.unlock import UnlockScreen
from penholder.tui.widgets.timeline import Timeline

UN_KEY = public_key_line(demo_private_key("un-observer").public_key())


async def fill_seat(pilot: Pilot[None], key: str) -> RosterChangeScreen:
    screen = pilot.app.screen
    assert isinstance(screen, RosterChangeScreen) and screen.kind == "add"
    screen.query_one("#actor-id", Input).value = "un"
    screen.query_one("#actor-name", Input).value = "United Nations observer"
    assert screen.query_one("#actor-role", Select).value == "observer"
    screen.query_one("#key", Input).value = key
    return screen


async def test_seat_an_observer_from_the_app(demo: Demo) -> None:
    app = demo.app("qatar")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, RosterScreen)
        titles = {c.title for c in app.get_system_commands(current(app))}
        assert {"Seat", "New key", "Revoke key", "Remove", "Roster", "Sync"} <= titles
        table = app.screen.query_one("#roster-actors", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == [
            "qatar",
            "turkiye",
            "pakistan",
            "afghanistan",
        ]
        await pilot.press("n")
        await settle(pilot)
        form = await fill_seat(pilot, "ssh-rsa AAAAB3NzaC1yc2E not-ed25519")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, RosterChangeScreen), "a bad key line stops the form"
        assert "key-format" in str(form.query_one("#error", Static).render())
        form.query_one("#key", Input).value = UN_KEY + " un@example"
        await pilot.press("ctrl+s")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ActionScreen) and confirm.extras.roster is not None
        assert app.snapshot is not None
        tip = app.snapshot.tips["qatar"][:10]
        signs = str(confirm.query_one("#carries", Static).render())
        assert "round 3" in signs and "qatar (mediator)" in signs and tip in signs
        assert "+ seats un (observer)" in signs
        explain = str(confirm.query_one("#explain", Static).render())
        assert "2 of the mediators (qatar, turkiye)" in explain and "un receipts it" in explain
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        app.screen.query_one("#passphrase", Input).value = PASSPHRASE
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TableScreen)
        history = Negotiation(demo.repo).history
        newest = history.version(history.shas_in_order()[-1])
        assert (newest.action, newest.actor, newest.to) == ("roster", "qatar", ("turkiye",))
        assert app.screen.query_one(Timeline).selected == newest.sha
        assert "roster" in app.screen.query_one(Timeline)._format(newest.sha)
        # The change waits for the mediators and for the new key's receipt.
        await pilot.press("o")
        await settle(pilot)
        pending = str(app.screen.query_one("#roster-pending", Static).render())
        assert newest.short in pending
        assert "endorsed by 0 of 2 mediators" in pending and "receipts by un" in pending


async def test_a_party_may_not_change_the_roster(shared_demo: Demo) -> None:
    app = shared_demo.app("pakistan")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("o", "n")
        await settle(pilot)
        assert isinstance(app.screen, RosterScreen), "no form for a party"


def test_each_change_is_built_as_the_cli_builds_it(shared_demo: Demo) -> None:
    current = Negotiation(shared_demo.repo).roster
    seat = build_change(Change.SEAT, current, None, actor_id="un", name="UN", key=UN_KEY)
    assert seat.roster.actor("un") is not None and seat.roster.revoked == current.revoked
    removed = build_change(Change.REMOVE, current, "afghanistan")
    assert removed.roster.actor("afghanistan") is None
    rotated = build_change(Change.ROTATE, current, "pakistan", key=UN_KEY)
    found = rotated.roster.actor("pakistan")
    assert found is not None and found.key == UN_KEY
    revoked = build_change(Change.REVOKE, current, "pakistan")
    old = current.actor("pakistan")
    assert old is not None and revoked.roster.revoked == (("pakistan", old.key),)
    assert revoked.roster.actor("pakistan") is None
