"""Every screen at 120×40 on the deterministic demo, with the clock pinned (PENHOLDER_NOW).
Update with `pytest tests/tui/test_snapshots.py --snapshot-update` when a change is meant."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from tui_demo import SIZE, Demo
from tui_pilot import settle

from penholder.core.model import Action
from penholder.core.store.negotiation import Negotiation
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
    withdrawal = next(v.sha for v in history.versions_in_order() if v.action == "withdraw")

    async def select(pilot: Pilot[Any]) -> None:
        # The first load scrolls the timeline to its newest row; let that scroll land first,
        # or under load the picture depends on which of the two scrolls came last.
        await pilot.wait_for_scheduled_animations()
        pilot.app.show_version(withdrawal)  # type: ignore[attr-defined]
        await pilot.wait_for_scheduled_animations()

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


# sync, exports, roster, who wrote what, clauses, four columns, consolidation -----------------


def accord_versions(demo: Demo) -> dict[str, str]:
    history = Negotiation(demo.repo).history
    accord = [history.version(s) for s in history.lineage_of("accord")]
    return {
        "agreed": next(v.sha for v in reversed(accord) if v.action == "consolidate"),
        "early": next(v.sha for v in accord if (v.actor, v.action) == ("pakistan", "amend")),
    }


def test_sync_result(snap_compare: Snap, demo: Demo) -> None:
    from test_sync_screen import remote_with_news

    remote_with_news(demo, url="../remote.git")
    assert snap_compare(demo.app(), terminal_size=SIZE, run_before=run("S"))


def test_export_draft_certificate(
    snap_compare: Snap, shared_demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("penholder.tui.screens.export.pdf_available", lambda: True)
    early = accord_versions(shared_demo)["early"]

    async def export(pilot: Pilot[Any]) -> None:
        # The table behind the dialog shows where the first load's scroll landed: let it land.
        await pilot.wait_for_scheduled_animations()
        pilot.app.export_certificate(early)  # type: ignore[attr-defined]
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run(export))


def test_roster(snap_compare: Snap, shared_demo: Demo) -> None:
    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run("o"))


def test_roster_change_confirmation(snap_compare: Snap, shared_demo: Demo) -> None:
    from textual.widgets import Input

    from penholder.core.trust.keylines import public_key_line
    from penholder.demo.keys import demo_private_key

    async def fill(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        screen.query_one("#actor-id", Input).value = "un"
        screen.query_one("#actor-name", Input).value = "United Nations observer"
        key = public_key_line(demo_private_key("un-observer").public_key())
        screen.query_one("#key", Input).value = key

    app = shared_demo.app()
    assert snap_compare(app, terminal_size=SIZE, run_before=run("o", "n", fill, "ctrl+s"))


def test_blame(snap_compare: Snap, shared_demo: Demo) -> None:
    agreed = accord_versions(shared_demo)["agreed"]

    async def blame(pilot: Pilot[Any]) -> None:
        pilot.app.open_blame(agreed)  # type: ignore[attr-defined]

    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run(blame, "n"))


def test_clauses_of_an_early_amendment(snap_compare: Snap, shared_demo: Demo) -> None:
    early = accord_versions(shared_demo)["early"]

    async def clauses(pilot: Pilot[Any]) -> None:
        pilot.app.open_clauses(early)  # type: ignore[attr-defined]

    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run(clauses, "down"))


def test_four_columns(snap_compare: Snap, shared_demo: Demo) -> None:
    agreed = accord_versions(shared_demo)["agreed"]

    async def columns(pilot: Pilot[Any]) -> None:
        pilot.app.open_columns(agreed)  # type: ignore[attr-defined]

    assert snap_compare(shared_demo.app(), terminal_size=SIZE, run_before=run(columns, "c"))


def test_consolidation_with_conflicts(snap_compare: Snap, demo: Demo) -> None:
    from test_consolidate import parallel_amendments

    parallel_amendments(demo, "seat in Doha", "clash")
    assert snap_compare(demo.app(), terminal_size=SIZE, run_before=run("C"))
