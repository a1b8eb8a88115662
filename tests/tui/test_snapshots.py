"""Every screen at 120×40 on the deterministic demo, with the clock pinned (PENHOLDER_NOW).
Update with `pytest tests/tui/test_snapshots.py --snapshot-update` when a change is meant."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from tui_demo import SIZE, Demo
from tui_pilot import settle

from penholder.core.model import Action
from penholder.core.store import Negotiation
from penholder.tui.drafts import DraftKey, SavedDraft

Snap = Callable[..., bool]


def run(
    *steps: str | Callable[[Pilot[Any]], Awaitable[None]],
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for step in steps:
            if isinstance(step, str):
                await pilot.press(step)
            else:
                await step(pilot)
            await settle(pilot)

    return before


def test_table(snap_compare: Snap, shared_demo: Demo) -> None:
    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run("up"))


def test_table_on_a_withdrawal(snap_compare: Snap, shared_demo: Demo) -> None:
    history = Negotiation(shared_demo.repo).history
    withdrawal = next(s for s in history.order if history.versions[s].action == "withdraw")

    async def select(pilot: Pilot[Any]) -> None:
        pilot.app.show_version(withdrawal)  # type: ignore[attr-defined]

    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run(select))


def test_inbox(snap_compare: Snap, shared_demo: Demo) -> None:
    assert snap_compare(shared_demo.app("afghanistan"), terminal_size=SIZE, run_before=run("i"))


def test_draft(snap_compare: Snap, shared_demo: Demo) -> None:
    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run("up", "enter"))


def test_draft_editing(snap_compare: Snap, shared_demo: Demo) -> None:
    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run("up", "e"))


def test_diff_inline(snap_compare: Snap, shared_demo: Demo) -> None:
    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run("up", "d", "n"))


def test_diff_side_by_side(snap_compare: Snap, shared_demo: Demo) -> None:
    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run("up", "d", "v"))


def test_verify(snap_compare: Snap, shared_demo: Demo) -> None:
    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run("V"))


def test_help(snap_compare: Snap, shared_demo: Demo) -> None:
    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run("question_mark"))


def test_act_as(snap_compare: Snap, shared_demo: Demo) -> None:
    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run("a"))


def test_sign_confirmation(snap_compare: Snap, shared_demo: Demo) -> None:
    assert snap_compare(shared_demo.app("pakistan"), terminal_size=SIZE, run_before=run("up", "s"))


def test_new_round(snap_compare: Snap, shared_demo: Demo) -> None:
    async def fill(pilot: Pilot[Any]) -> None:
        from textual.widgets import Input

        pilot.app.screen.query_one("#date", Input).value = "2025-11-06"

    app = shared_demo.app("turkiye")
    assert snap_compare(app, terminal_size=SIZE, run_before=run("N", fill))


def test_unlock(snap_compare: Snap, shared_demo: Demo) -> None:
    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run("up", "r", "ctrl+s"))


def test_unsent_drafts_offered(snap_compare: Snap, shared_demo: Demo) -> None:
    negotiation = Negotiation(shared_demo.repo)
    head = negotiation.history.heads("annex-monitoring")[0]
    app = shared_demo.app()
    key = DraftKey(negotiation.roster.negotiation_id, "qatar", head, "annex-monitoring")
    app.drafts.save(
        SavedDraft(key, "text kept", Action.AMEND.value, subject="Kept", saved=1_761_998_400)
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=run())
