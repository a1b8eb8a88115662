"""Acting from the app: propose, amend (with a refused recipient), unlock with a wrong
passphrase, and unsent work offered again on the next start."""

from __future__ import annotations

import json
import subprocess

from textual.widgets import Input, SelectionList, Static
from tui_demo import PASSPHRASE, SIZE, Demo
from tui_pilot import ready, settle, type_text

from penholder.core.model import Action
from penholder.core.store.negotiation import Negotiation, Request
from penholder.demo.keys import demo_private_key
from penholder.tui.screens.act import ActionScreen
from penholder.tui.screens.draft import DraftScreen
from penholder.tui.screens.drafts import DraftsScreen
from penholder.tui.screens.table import TableScreen
from penholder.tui.screens.unlock import UnlockScreen
from penholder.tui.widgets.editor import DraftEditor
from penholder.tui.widgets.timeline import Timeline


def refs(repo: object) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "for-each-ref"], capture_output=True, text=True, check=True
    ).stdout


async def unlock(pilot: object, passphrase: str = PASSPHRASE) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    assert isinstance(app.screen, UnlockScreen)
    app.screen.query_one("#passphrase", Input).value = passphrase
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


async def test_propose_a_new_document(demo: Demo) -> None:
    app = demo.app(actor="pakistan")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("P")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DraftScreen) and screen.editing
        screen.query_one("#docname", Input).value = "annex-2"
        screen.query_one(DraftEditor).focus()
        await type_text(pilot, "# Annex 2\n\nPrisoners are exchanged.\n")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ActionScreen)
        recipients = app.screen.query_one(SelectionList)
        assert sorted(recipients.selected) == ["qatar", "turkiye"]
        app.screen.query_one("#subject", Input).value = "Pakistan tables an annex on prisoners"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await unlock(pilot)
        assert isinstance(app.screen, TableScreen)
        history = Negotiation(demo.repo).history
        newest = history.version(history.shas_in_order()[-1])
        assert (newest.action, newest.actor, newest.document) == ("propose", "pakistan", "annex-2")
        assert app.screen.query_one(Timeline).selected == newest.sha
        assert not list((demo.state / "drafts").rglob("*.json")), "a sent draft is not kept"


async def test_amend_with_a_refused_recipient(demo: Demo) -> None:
    negotiation = Negotiation(demo.repo)
    head = negotiation.history.heads("annex-monitoring")[0]
    forwarded = negotiation.act(
        Request(
            "qatar",
            Action.FORWARD,
            "Forward to Kabul",
            refers=(head,),
            to=("afghanistan",),
            document="annex-monitoring",
        ),
        demo_private_key("qatar"),
    )
    negotiation.close()
    app = demo.app(actor="afghanistan")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.screen.query_one(Timeline).selected == forwarded.sha
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, DraftScreen) and app.screen.editing
        await pilot.press("end", "ctrl+end")
        await type_text(pilot, "\nA new line from Kabul.\n")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ActionScreen)
        recipients = screen.query_one(SelectionList)
        options = [recipients.get_option_at_index(i) for i in range(recipients.option_count)]
        pakistan = next(o for o in options if o.value == "pakistan")
        assert pakistan.disabled, "a party may not address the other party"
        assert "addresses mediators only" in str(pakistan.prompt)
        recipients.focus()
        await pilot.press("home", "down", "down", "down", "space")
        assert "pakistan" not in recipients.selected, "the keyboard cannot choose a refused one"
        # Were it chosen anyway (a stale list, a roster that changed), the store refuses it.
        recipients.select("pakistan")
        screen.query_one("#subject", Input).value = "Afghan amendment"
        before = refs(demo.repo)
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Refused by the addressing rules before the key is even asked for.
        assert isinstance(app.screen, ActionScreen), "a refusal keeps the dialog open"
        error = str(app.screen.query_one("#error", Static).render())
        assert "route" in error, error
        assert refs(demo.repo) == before, "a refused action writes nothing"
        saved = list((demo.state / "drafts").rglob("*.json"))
        assert (
            len(saved) == 1 and "A new line from Kabul." in json.loads(saved[0].read_text())["text"]
        )
        recipients.deselect("pakistan")
        recipients.select("qatar")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await unlock(pilot)
        assert isinstance(app.screen, TableScreen)
        history = Negotiation(demo.repo).history
        newest = history.version(history.shas_in_order()[-1])
        assert (newest.action, newest.actor, newest.to) == ("amend", "afghanistan", ("qatar",))
        assert newest.refers == (forwarded.sha,)


async def test_wrong_passphrase_keeps_the_key_locked(demo: Demo) -> None:
    app = demo.app(actor="qatar")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ActionScreen)
        assert app.screen.plan.action == Action.RECEIPT
        target = app.screen.query_one("#target", Static)
        assert app.screen.plan.target is not None
        assert app.screen.plan.target.short in str(target.render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        await unlock(pilot, "not the passphrase")
        assert isinstance(app.screen, UnlockScreen)
        assert "wrong passphrase" in str(app.screen.query_one("#error", Static).render())
        assert app.screen.query_one("#passphrase", Input).value == ""
        assert not app.desk.is_unlocked("qatar")
        await unlock(pilot)
        assert app.desk.is_unlocked("qatar")
        assert isinstance(app.screen, TableScreen)
        history = Negotiation(demo.repo).history
        assert history.version(history.shas_in_order()[-1]).action == "receipt"


async def test_unsent_amendment_is_offered_on_next_start(demo: Demo) -> None:
    app = demo.app(actor="qatar")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("up", "e")  # the Pakistani amendment of the annex awaits qatar
        await settle(pilot)
        assert isinstance(app.screen, DraftScreen) and app.screen.editing
        await type_text(pilot, "Unsent words. ")
        await pilot.press("escape")
        await settle(pilot)
    saved = list((demo.state / "drafts").rglob("*.json"))
    assert len(saved) == 1
    again = demo.app(actor="qatar")
    async with again.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert isinstance(again.screen, DraftsScreen)
        await pilot.press("enter")
        await settle(pilot)
        screen = again.screen
        assert isinstance(screen, DraftScreen) and screen.editing
        assert screen.query_one(DraftEditor).text.startswith("Unsent words. ")
