"""Confirming an action: exactly which version it acts on, the fields it needs, then the
key is unlocked and the version signed and stored in a worker. Refusals stay on screen with
their rule; nothing is written when refused."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from penholder.core import actions
from penholder.core.actions import Plan, Request
from penholder.core.errors import PenholderError
from penholder.core.model import TEXT_ACTIONS, Action, Version
from penholder.core.trust.roster import Roster
from penholder.tui.desk import describe
from penholder.tui.drafts import DraftKey
from penholder.tui.safe import cell, one_line, plain
from penholder.tui.screens.base import styles

if TYPE_CHECKING:
    from penholder.tui.app import PenholderApp

TITLES = {
    Action.PROPOSE: "Table a new document",
    Action.AMEND: "Send an amendment",
    Action.FORWARD: "Forward a version",
    Action.CONSOLIDATE: "Consolidate the heads",
    Action.COMMENT: "Comment on a version",
    Action.RECEIPT: "Acknowledge receipt",
    Action.SIGN: "Sign this exact text",
    Action.ENDORSE: "Endorse (witness) this text",
    Action.RETRACT: "Retract your version",
    Action.WITHDRAW: "Withdraw from the table",
    Action.RESUME: "Resume the talks",
    Action.ROUND: "Open a new round",
    Action.ROSTER: "Change the roster",
}
SUBJECT_LABELS = {Action.COMMENT: "Comment", Action.WITHDRAW: "Reason"}


@dataclass(frozen=True)
class Extras:
    """What the app adds to a plan before confirming: the text written, the local draft it is
    kept in, the new roster of a roster version and what it changes."""

    text: str | None = None
    note: str = ""
    draft: DraftKey | None = None
    roster: Roster | None = None  # the new roster, for a `roster` version
    changes: tuple[str, ...] = field(default=())  # what a roster version changes
    explain: str = ""  # shown under what is signed (for a roster version: what makes it count)


class ActionScreen(ModalScreen[Version | None]):
    CSS_PATH = styles("dialog", "act")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="act.cancel"),
        Binding("ctrl+s", "confirm", "Sign and send", id="act.confirm"),
    ]

    def __init__(self, plan: Plan, extras: Extras | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.extras = extras or Extras()

    @property
    def penholder(self) -> PenholderApp:
        return cast("PenholderApp", self.app)

    def compose(self) -> ComposeResult:
        plan, extras = self.plan, self.extras
        snapshot = self.penholder.snapshot
        assert snapshot is not None
        roster = snapshot.roster
        with Vertical(id="dialog", classes="dialog"):
            yield Static(
                plain(f"{TITLES.get(plan.action, plan.action.value)} — as {plan.actor}"),
                classes="dialog-title",
            )
            if plan.target is not None:
                # Exactly which version is acted on, as it was signed: never markup, never
                # a control sequence that could show another subject than the signed one.
                yield Static(
                    plain(f"acts on  {describe(plan.target, roster)}\n“{plan.target.subject}”"),
                    id="target",
                )
            for sha in plan.refers[1:]:
                yield Static(
                    plain(f"and on   {describe(snapshot.version(sha), roster)}"),
                    classes="target-more",
                )
            if plan.action in TEXT_ACTIONS:
                size = len((extras.text or "").encode("utf-8"))
                what = (
                    "the text unchanged"
                    if extras.text is None
                    else f"your text of {plan.document} ({size:,} bytes)"
                )
                yield Static(plain(f"carries  {what}"), id="carries")
            if plan.action == Action.ROSTER:
                yield Static(plain(self.roster_text()), id="carries")
            if extras.explain:
                yield Static(plain(extras.explain), id="explain", classes="muted")
            if plan.action == Action.ROUND:
                with Horizontal(classes="fields"):
                    yield Input(str(plan.round_number or ""), placeholder="number", id="number")
                    yield Input(placeholder="place", id="place")
                    yield Input(dt.date.today().isoformat(), placeholder="YYYY-MM-DD", id="date")
            if plan.choose_recipients:
                yield Label("To (space to choose; only those the rules allow can be chosen)")
                yield SelectionList[str](
                    *(
                        Selection(
                            cell(f"{a.actor}" + ("" if a.allowed else f"  — {a.why}")),
                            a.actor,
                            a.actor in plan.recipients,
                            disabled=not a.allowed,
                        )
                        for a in actions.addressees(roster, plan.actor)
                    ),
                    id="recipients",
                )
            elif plan.recipients:
                yield Static(plain(f"to       {', '.join(plan.recipients)}"), id="to")
            yield Label(SUBJECT_LABELS.get(plan.action, "Subject"))
            yield Input(
                one_line(plan.subject),
                placeholder="one line, signed with the version",
                id="subject",
            )
            yield Label("Note (optional)")
            yield Input(one_line(extras.note), placeholder="a longer explanation", id="note")
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Sign and send  ^s", variant="primary", id="confirm")
                yield Button("Cancel  esc", id="cancel")

    def roster_text(self) -> str:
        """Exactly what a roster version signs: who, in which round, on top of which version,
        and each change."""
        plan, snapshot = self.plan, self.penholder.snapshot
        assert snapshot is not None
        actor = snapshot.roster.actor(plan.actor)
        role = f" ({actor.role})" if actor else ""
        number = snapshot.round
        tip = snapshot.tips.get(plan.actor)
        after = f"after your tip {tip[:10]}" if tip else "your first version"
        lines = [f"signs    a roster version · round {number} · {plan.actor}{role} · {after}"]
        for change in self.extras.changes:
            lines += [f"         {line}" for line in change.split("\n")]
        return "\n".join(lines)

    def on_mount(self) -> None:
        if self.plan.choose_recipients:
            self.query_one("#recipients").focus()
        elif self.plan.action == Action.ROUND:
            self.query_one("#place").focus()
        else:
            self.query_one("#subject").focus()

    # fields ------------------------------------------------------------------------------

    def chosen_recipients(self) -> tuple[str, ...]:
        if not self.plan.choose_recipients:
            return self.plan.recipients
        selection = self.query_one("#recipients", SelectionList)
        return tuple(str(v) for v in selection.selected)

    def request(self) -> Request:
        """The request, its input checked (subject, round fields, recipients) by the rules in
        `penholder.core.actions` before any key is unlocked."""
        plan, extras = self.plan, self.extras
        snapshot = self.penholder.snapshot
        assert snapshot is not None
        actions.check_subject(self.query_one("#subject", Input).value)
        round_number = place = date = None
        if plan.action == Action.ROUND:
            round_number, place, date = actions.check_round(
                self.query_one("#number", Input).value,
                self.query_one("#place", Input).value.strip() or None,
                self.query_one("#date", Input).value.strip() or None,
            )
        return actions.request(
            plan,
            snapshot.roster,
            subject=self.query_one("#subject", Input).value,
            note=self.query_one("#note", Input).value,
            to=self.chosen_recipients(),
            text=extras.text,
            round_number=round_number,
            place=place,
            date=date,
            new_roster=extras.roster,
        )

    @on(Input.Changed, "#subject, #note")
    def keep_fields(self) -> None:
        """The subject and note of an amendment are kept with its local draft."""
        extras = self.extras
        if extras.draft is None or extras.text is None:
            return
        saved = self.penholder.drafts.load(extras.draft)
        if saved is not None:
            self.penholder.drafts.save(
                replace(
                    saved,
                    subject=self.query_one("#subject", Input).value,
                    note=self.query_one("#note", Input).value,
                )
            )

    def show_error(self, rule: str, message: str) -> None:
        self.query_one("#error", Static).update(plain(f"refused ({rule}): {message}"))
        self.query_one("#error").add_class("visible")
        self.query_one("#confirm", Button).disabled = False

    # submitting --------------------------------------------------------------------------

    @on(Button.Pressed, "#confirm")
    @on(Input.Submitted)
    def action_confirm(self) -> None:
        self.submit()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(exclusive=True, group="submit")
    async def submit(self) -> None:
        try:
            request = self.request()
        except PenholderError as exc:
            self.show_error(exc.rule, exc.message)
            return
        self.query_one("#confirm", Button).disabled = True
        app = self.penholder
        if not await app.ensure_unlocked(request.actor):
            self.show_error(
                "key-passphrase", f"the key of {request.actor} stays locked; nothing was signed"
            )
            return
        self.query_one("#error", Static).update("signing…")
        try:
            version = await asyncio.to_thread(app.desk.act, request)
        except PenholderError as exc:
            self.show_error(exc.rule, exc.message)
            return
        if self.extras.draft is not None:
            app.drafts.discard(self.extras.draft)
        self.dismiss(version)
