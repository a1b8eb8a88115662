"""Consolidating parallel amendments: the joined text starts as their word-level three-way
merge; when they changed a passage differently, as the first head's text with the conflicts
shown. And the theme chosen in the app is kept in the config file."""

from __future__ import annotations

from textual.widgets import Static
from tui_demo import SIZE, Demo
from tui_pilot import ready, settle

from penholder.core.diff.consolidation import merge_versions
from penholder.core.model import Action, Version
from penholder.core.store.negotiation import Negotiation, Request
from penholder.demo.keys import demo_private_key
from penholder.tui.config import load_config, save_theme
from penholder.tui.screens.draft import DraftScreen
from penholder.tui.widgets.editor import DraftEditor

DOC = "annex-monitoring"
SEAT = "seat in Istanbul and Doha alternately"
MEETINGS = "at least once every two weeks"


def parallel_amendments(demo: Demo, pakistan_edit: str, afghan_edit: str) -> list[Version]:
    """Türkiye forwards the annex to both parties at once; each answers with an amendment that
    replaces one phrase of it."""
    negotiation = Negotiation(demo.repo)
    head = negotiation.history.heads(DOC)[0]
    text = negotiation.text_of(negotiation.version(head))
    assert SEAT in text and MEETINGS in text

    clock = [1_761_994_800]  # an hour before the pinned clock: snapshots never move

    def act(actor: str, request: Request) -> Version:
        clock[0] += 60
        return negotiation.act(request, demo_private_key(actor), when=clock[0])

    forward = act(
        "turkiye",
        Request(
            "turkiye",
            Action.FORWARD,
            "The annex to both delegations at once",
            refers=(head,),
            to=("pakistan", "afghanistan", "qatar"),
            document=DOC,
        ),
    )
    heads = []
    for actor, (old, new) in (
        ("pakistan", (SEAT, pakistan_edit)),
        ("afghanistan", (MEETINGS if afghan_edit != "clash" else SEAT, afghan_edit)),
    ):
        new = "seat in Kabul" if new == "clash" else new
        heads.append(
            act(
                actor,
                Request(
                    actor,
                    Action.AMEND,
                    f"{actor} amends the annex",
                    refers=(forward.sha,),
                    to=("qatar", "turkiye"),
                    document=DOC,
                    text=text.replace(old, new).encode(),
                ),
            )
        )
    negotiation.close()
    return heads


async def test_consolidation_starts_from_the_merge(demo: Demo) -> None:
    heads = parallel_amendments(demo, "seat in Doha", "at least once a week")
    negotiation = Negotiation(demo.repo)
    merged = merge_versions(negotiation, [negotiation.version(h.sha) for h in heads])
    negotiation.close()
    assert "seat in Doha" in merged and "at least once a week" in merged
    app = demo.app("qatar")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("C")  # the cursor is on the Afghan amendment, the newest head
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DraftScreen) and screen.action == Action.CONSOLIDATE
        assert set(screen.refers) == {h.sha for h in heads}
        assert screen.query_one(DraftEditor).text == merged
        assert screen.conflicts is None
        assert not screen.query_one("#conflicts-box").display


async def test_conflicting_amendments_start_from_the_first_head(demo: Demo) -> None:
    heads = parallel_amendments(demo, "seat in Doha", "clash")
    negotiation = Negotiation(demo.repo)
    first_text = negotiation.text_of(negotiation.version(heads[1].sha))
    negotiation.close()
    app = demo.app("qatar")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("C")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DraftScreen) and screen.refers[0] == heads[1].sha
        assert screen.query_one(DraftEditor).text == first_text
        assert screen.conflicts is not None and "changed differently" in screen.conflicts
        box = screen.query_one("#conflicts-box")
        assert box.display
        shown = str(screen.query_one("#conflicts", Static).render())
        assert "afghanistan" in shown and "'Kabul'" in shown
        assert "pakistan" in shown and "'Doha'" in shown and "--file" not in shown


async def test_the_chosen_theme_survives_a_restart(shared_demo: Demo) -> None:
    from penholder.tui.config import config_path

    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text('# mine\n[keys]\n"app.inbox" = "ctrl+o"\n')
    app = shared_demo.app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.theme = "nord"
        await pilot.pause()
        await pilot.pause()
    config = load_config()
    assert config.theme == "nord" and config.keys == {"app.inbox": "ctrl+o"}
    assert path.read_text().startswith("# mine\ntheme = ")
    again = shared_demo.app()
    again.config = config
    async with again.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert again.theme == "nord"


def test_save_theme_keeps_the_rest_of_the_file(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "config.toml"
    save_theme("gruvbox", path)
    assert load_config(path).theme == "gruvbox"
    path.write_text('theme = "nord"\n\n[keys]\n"table.sign" = "ctrl+g"\n')
    save_theme("dracula", path)
    assert path.read_text() == 'theme = "dracula"\n\n[keys]\n"table.sign" = "ctrl+g"\n'
