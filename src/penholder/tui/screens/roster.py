"""Who sits at the table: the roster in force, revoked keys, the mediators' quorum, and roster
versions still waiting to take effect. A mediator seats an actor, removes one, gives one a new
key or revokes a key; each change is a signed `roster` version, confirmed like every other
action, that takes effect once the mediators' quorum endorses it and every added key receipts
it (DESIGN.md, Trust)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static

from penholder.core import actions
from penholder.core.actions import Change, RosterChange
from penholder.core.errors import PenholderError
from penholder.core.model import Action, Version
from penholder.core.trust.keylines import fingerprint_of_line
from penholder.core.trust.roster import ROLES, Roster
from penholder.tui.desk import Snapshot
from penholder.tui.safe import cell, markup, plain
from penholder.tui.screens.act import ActionScreen, Extras
from penholder.tui.screens.base import PenholderScreen, styles

if TYPE_CHECKING:
    from penholder.tui.app import PenholderApp

KINDS = {
    "add": "Seat an actor",
    "remove": "Remove an actor",
    "rotate": "Give an actor a new key",
    "revoke": "Revoke an actor's key",
}


class RosterScreen(PenholderScreen):
    CSS_PATH = styles("roster")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="roster.back"),
        Binding("n", "change('add')", "Seat", id="roster.add"),
        Binding("k", "change('rotate')", "New key", id="roster.rotate"),
        Binding("v", "change('revoke')", "Revoke key", id="roster.revoke"),
        Binding("x", "change('remove')", "Remove", id="roster.remove"),
    ]

    def compose(self) -> ComposeResult:
        yield Header(icon="✒")
        yield Static("", id="roster-title")
        yield DataTable(id="roster-actors", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="roster-notes"):
            yield Static("", id="roster-revoked")
            yield Static("", id="roster-pending")
            yield Static(
                "n seats an actor · k gives the highlighted actor a new key · v revokes its key "
                "· x removes it. Each change is a roster version you sign as a mediator; it "
                "takes effect once the mediators' quorum endorses it and every added key "
                "receipts it.",
                classes="muted",
            )
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#roster-actors", DataTable)
        table.add_columns("actor", "role", "name", "key fingerprint", "key here")
        table.focus()
        if self.penholder.snapshot is not None:
            self.show_snapshot(self.penholder.snapshot, None)

    @property
    def highlighted_actor(self) -> str | None:
        table = self.query_one("#roster-actors", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def show_snapshot(self, snapshot: Snapshot, select: str | None) -> None:
        roster = snapshot.roster
        mediators = roster.ids("mediator")
        self.query_one("#roster-title", Static).update(
            markup(
                "[b]Roster in force at the newest versions[/b] · $n actors · quorum: "
                "$quorum of $count mediators ($names) endorse a text or a roster change",
                n=str(len(roster.actors)),
                quorum=str(roster.quorum),
                count=str(len(mediators)),
                names=", ".join(mediators) or "none",
            )
        )
        table = self.query_one("#roster-actors", DataTable)
        keep = self.highlighted_actor
        table.clear()
        for actor in roster.actors:
            here = "✓" if actor.id in snapshot.held else ""
            name = actor.name if len(actor.name) <= 26 else actor.name[:25] + "…"
            table.add_row(
                cell(actor.id),
                cell(actor.role),
                cell(name),
                cell(actor.fingerprint),
                here,
                key=actor.id,
            )
        if keep is not None and keep in roster.ids():
            table.move_cursor(row=roster.ids().index(keep))
        revoked = [
            f"  {actor_id:<12} {fingerprint_of_line(key)}" for actor_id, key in roster.revoked
        ]
        self.query_one("#roster-revoked", Static).update(
            Content.assemble(
                Content.from_markup("[b]Revoked keys[/b]"),
                plain(":\n" + "\n".join(revoked) if revoked else ": none"),
            )
        )
        pending = snapshot.pending
        lines = [Content.from_markup("[b]Roster changes not yet in effect[/b]")]
        if not pending:
            lines[0] = Content.assemble(lines[0], ": none")
        for item in pending:
            v = item.version
            waits = [f"endorsed by {len(item.endorsed)} of {item.needed} mediators"]
            if item.receipts_missing:
                waits.append(f"awaiting receipts by {', '.join(item.receipts_missing)}")
            lines.append(
                markup(
                    "  [$text-warning]$head[/]  $waits",
                    head=f"{v.short} r{v.round} {v.actor}",
                    waits="; ".join(waits),
                )
            )
            for change in item.changes:
                lines.extend(plain(f"    {line}") for line in change.split("\n"))
        self.query_one("#roster-pending", Static).update(Content("\n").join(lines))

    def action_change(self, kind: str) -> None:
        app = self.penholder
        snapshot, actor = app.snapshot, app.actor
        if snapshot is None:
            return
        if actor is None:
            app.notify("No key of this negotiation is held here: reading only.", severity="warning")
            return
        if not actions.may_act(snapshot.roster, actor, Action.ROSTER):
            found = snapshot.roster.actor(actor)
            role = found.role if found else "stranger"
            app.notify(
                f"a {role} may not change the roster: a mediator signs roster versions",
                title="role-action",
                severity="error",
            )
            return
        target = None if kind == "add" else self.highlighted_actor
        if kind != "add" and target is None:
            app.notify("highlight an actor first", severity="warning")
            return

        def chosen(change: RosterChange | None) -> None:
            if change is not None:
                self.confirm(change)

        app.push_screen(RosterChangeScreen(kind, snapshot.roster, target), chosen)

    def confirm(self, change: RosterChange) -> None:
        """Confirm and sign the roster version like any other action, then say what makes it
        take effect."""
        app = self.penholder
        snapshot, actor = app.snapshot, app.actor
        assert snapshot is not None and actor is not None
        old = snapshot.roster
        plan = actions.roster_plan(old, actor, change)
        note = actions.effect_note(old, change.roster)
        extras = Extras(
            roster=change.roster,
            changes=tuple(actions.roster_changes(old, change.roster)),
            explain=note,
        )

        def signed(version: Version | None) -> None:
            if version is None:
                return
            app.acted(version)
            app.notify(f"{version.short}: {note}", title="roster change signed", timeout=20)

        app.push_screen(ActionScreen(plan, extras), signed)


class RosterChangeScreen(ModalScreen["RosterChange | None"]):
    """The form of one roster change; the key line is checked before anything is signed."""

    CSS_PATH = styles("dialog")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="rosterform.cancel"),
        Binding("ctrl+s", "submit", "Continue", id="rosterform.confirm"),
    ]

    def __init__(self, kind: str, roster: Roster, target: str | None) -> None:
        super().__init__()
        self.kind = kind
        self.roster = roster
        self.target = target

    @property
    def penholder(self) -> PenholderApp:
        return cast("PenholderApp", self.app)

    def compose(self) -> ComposeResult:
        found = self.roster.actor(self.target) if self.target else None
        with Vertical(id="dialog", classes="dialog"):
            yield Static(KINDS[self.kind], classes="dialog-title")
            if found is not None:
                yield Static(
                    plain(
                        f"actor    {found.id} ({found.role}) “{found.name}”\n"
                        f"key      {found.fingerprint}"
                    ),
                    id="target",
                )
            if self.kind == "add":
                with Horizontal(classes="fields"):
                    yield Input(placeholder="id (lower-case, e.g. un)", id="actor-id")
                    yield Input(placeholder="name (e.g. United Nations)", id="actor-name")
                    yield Select[str](
                        [(role, role) for role in ROLES],
                        value="observer",
                        allow_blank=False,
                        id="actor-role",
                    )
            if self.kind in ("add", "rotate", "revoke"):
                label = {
                    "add": "Public key line of the new actor",
                    "rotate": "The new public key line",
                    "revoke": "A replacement key line (leave empty: the actor leaves the table)",
                }[self.kind]
                yield Label(label)
                yield Input(placeholder="ssh-ed25519 AAAA… (penholder key export)", id="key")
            if self.kind == "remove":
                yield Static(
                    "Its past versions stand; from this roster on it may not act.", classes="muted"
                )
            if self.kind == "revoke":
                yield Static(
                    "Every version by the revoked key that is not an ancestor of this roster "
                    "version will fail verification, whatever date it claims.",
                    classes="muted",
                )
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Continue  ^s", variant="primary", id="continue")
                yield Button("Cancel  esc", id="cancel")

    def on_mount(self) -> None:
        first = self.query("#actor-id, #key")
        (first.first() if first else self.query_one("#continue")).focus()

    def value(self, selector: str) -> str:
        found = self.query(selector)
        return found.first(Input).value if found else ""

    @on(Button.Pressed, "#continue")
    @on(Input.Submitted)
    def action_submit(self) -> None:
        role = self.query("#actor-role")
        try:
            change = actions.build_change(
                Change(self.kind),
                self.roster,
                self.target,
                actor_id=self.value("#actor-id").strip(),
                name=self.value("#actor-name"),
                role=str(role.first(Select).value) if role else "observer",
                key=self.value("#key"),
            )
        except PenholderError as exc:
            self.query_one("#error", Static).update(plain(f"{exc.rule}: {exc.message}"))
            return
        except ValueError as exc:
            self.query_one("#error", Static).update(plain(f"key: {exc}"))
            return
        self.dismiss(change)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
