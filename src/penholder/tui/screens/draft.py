"""A version's text; `e` opens it for amendment in a Markdown editor. Every change is kept in a
local draft file a moment after it is typed, and offered again on the next start until sent."""

from __future__ import annotations

import time
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static, TextArea

from penholder.core import actions
from penholder.core.errors import PenholderError
from penholder.core.model import DOCUMENT_NAME, TEXT_ACTIONS, Action, Version
from penholder.tui.clock import ago, short_time
from penholder.tui.desk import describe
from penholder.tui.drafts import DraftKey, SavedDraft
from penholder.tui.safe import markup, plain, shown
from penholder.tui.screens.act import ActionScreen, Extras
from penholder.tui.screens.base import PenholderScreen, styles
from penholder.tui.widgets.editor import DraftEditor

AUTOSAVE_DELAY = 0.4


class DraftScreen(PenholderScreen):
    CSS_PATH = styles("draft")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="draft.back"),
        Binding("e", "edit", "Amend", id="draft.edit"),
        Binding("ctrl+s", "send", "Sign and send", id="draft.send"),
        Binding("d", "diff", "Diff", id="draft.diff"),
        Binding("f", "act('forward')", "Forward", show=False, id="draft.forward"),
        Binding("s", "act('sign')", "Sign", show=False, id="draft.sign"),
        Binding("c", "act('comment')", "Comment", show=False, id="draft.comment"),
        Binding("b", "blame", "Who wrote what", id="draft.blame"),
        Binding("l", "clauses", "Clauses", id="draft.clauses"),
        Binding("t", "columns", "Four columns", id="draft.columns"),
        Binding("x", "export", "Certificate", id="draft.export"),
    ]

    def __init__(
        self,
        sha: str | None,
        *,
        edit: bool = False,
        action: Action = Action.AMEND,
        refers: tuple[str, ...] | None = None,
        saved: SavedDraft | None = None,
    ) -> None:
        super().__init__()
        self.sha = sha
        self.editing = edit
        self.action = action
        self.refers = refers if refers is not None else ((sha,) if sha else ())
        self.saved = saved
        self.base_text: str | None = None
        self.document: str | None = None
        self._autosave: Timer | None = None
        self._sent = False
        self._editor = DraftEditor("", read_only=True, id="text")
        self.conflicts: str | None = None
        self._saved_key: DraftKey | None = None  # where this draft was last kept

    def compose(self) -> ComposeResult:
        yield Header(icon="✒")
        yield Static("", id="draft-meta")
        if self.sha is None:
            yield Input(
                self.saved.key.document if self.saved else "",
                placeholder="document name (e.g. annex-2)",
                id="docname",
            )
        with VerticalScroll(id="conflicts-box"):
            yield Static("", id="conflicts")
        yield self._editor
        yield Footer()

    @property
    def editor(self) -> DraftEditor:
        return self._editor

    @property
    def selected_sha(self) -> str | None:
        return self.sha

    def on_mount(self) -> None:
        self.query_one("#conflicts-box").display = False
        snapshot = self.penholder.snapshot
        if snapshot is None:
            return
        if self.sha is None:
            self.base_text = ""
            self.document = self.saved.key.document if self.saved else None
            self.show_meta(None)
            self.loaded(self.saved.text if self.saved else "")
            self.query_one("#docname").focus()
            return
        v = snapshot.version(self.sha)
        holder = actions.text_version(snapshot.history, v)
        self.document = snapshot.version(holder).document if holder else v.document
        self.show_meta(v)
        self.editor.loading = True
        self.load_text(holder)

    @work(thread=True, exclusive=True, group="draft-text", exit_on_error=False)
    def load_text(self, holder: str | None) -> None:
        desk = self.penholder.desk
        if self.action == Action.CONSOLIDATE and len(self.refers) > 1 and self.saved is None:
            try:
                text, conflicts = desk.merge(self.refers)
            except PenholderError as exc:
                text, conflicts = desk.text(self.refers[0], self.document), exc.message
            self.app.call_from_thread(self.merged, text, conflicts)
            return
        text = desk.text(holder, self.document) if holder else ""
        self.app.call_from_thread(self.loaded, text)

    def merged(self, text: str, conflicts: str | None) -> None:
        """A consolidation starts from the word-level three-way merge of the heads; where they
        changed a passage differently, from the first head, with the conflicts shown above."""
        self.conflicts = conflicts
        panel = self.query_one("#conflicts", Static)
        if conflicts is None:
            self.notify(
                f"the {len(self.refers)} heads are joined by a word-level three-way merge: "
                "read it before you sign",
                timeout=6,
            )
        else:
            panel.update(
                Content.assemble(
                    Content.from_markup(
                        "[b]The heads conflict: this is the first head's text.[/b] "
                        "Join these passages by hand:\n"
                    ),
                    plain(conflicts),
                )
            )
            self.query_one("#conflicts-box").display = True
        self.loaded(text)

    def loaded(self, text: str) -> None:
        # The editor shows what was signed, its control and bidi characters as visible marks
        # (a TextArea would send them to the terminal): "90 days" followed by a line-erasing
        # sequence shows as such, never as the words that sequence would paint over it. An
        # amendment starts from this text; the store refuses those characters anyway.
        text = shown(text)
        self.base_text = text
        editor = self.editor
        editor.loading = False
        if self.document is None and self.sha is not None:
            editor.display = False
            return
        editor.load_text(shown(self.saved.text) if self.saved is not None else text)
        if self.editing:
            self.start_editing()

    def show_meta(self, v: Version | None) -> None:
        snapshot = self.penholder.snapshot
        assert snapshot is not None
        meta = self.query_one("#draft-meta", Static)
        if v is None:
            meta.update(
                markup("[b]A new document[/b], tabled by $actor", actor=self.penholder.actor or "?")
            )
            return
        lines = [
            markup("[b]$line[/b]", line=describe(v, snapshot.roster)),
            plain(f"{short_time(v.time)} ({ago(v.time)}) · {v.sha}"),
            markup("[i]“$subject”[/i]", subject=v.subject),
        ]
        if v.note:
            lines.append(plain(v.note))
        if v.action not in TEXT_ACTIONS and self.document:
            lines.append(plain(f"text of {self.document} as it stood at this version:"))
        meta.update(Content("\n").join(lines))

    # editing -----------------------------------------------------------------------------

    def draft_key(self) -> DraftKey | None:
        snapshot, actor = self.penholder.snapshot, self.penholder.actor
        if snapshot is None or actor is None:
            return None
        document = self.document
        if self.sha is None:
            found = self.query("#docname")
            name = found.first(Input).value.strip() if found else ""
            document = name or (self.saved.key.document if self.saved else "") or "untitled"
        refers = (
            ",".join(self.refers)
            if self.action == Action.CONSOLIDATE
            else (self.refers[0] if self.refers else "")
        )
        return DraftKey(snapshot.roster.negotiation_id, actor, refers, document or "")

    def action_edit(self) -> None:
        snapshot, actor = self.penholder.snapshot, self.penholder.actor
        if self.editing or snapshot is None:
            return
        if actor is not None and self.sha is not None:
            try:
                target = actions.amend_target(
                    snapshot.history, actor, selected=snapshot.version(self.sha)
                ).sha
            except PenholderError:
                target = None  # `begin` says why
            if target == self.sha and self.base_text is not None:
                self.action = Action.AMEND
                self.start_editing()
                return
        self.penholder.begin(Action.AMEND, self.sha)

    def start_editing(self) -> None:
        self.editing = True
        editor = self.editor
        editor.read_only = False
        editor.add_class("editing")
        if self.sha is not None:
            editor.focus()
        what = {
            Action.AMEND: "amending",
            Action.CONSOLIDATE: "consolidating",
            Action.PROPOSE: "writing",
        }
        self.notify(
            f"{what.get(self.action, 'editing')}: ctrl+s signs and sends; "
            "your text is kept as a local draft meanwhile",
            timeout=4,
        )

    @on(TextArea.Changed, "#text")
    def changed(self) -> None:
        if not self.editing or self._sent:
            return
        if self._autosave is not None:
            self._autosave.stop()
        self._autosave = self.set_timer(AUTOSAVE_DELAY, self.save_now)

    def save_now(self) -> None:
        key = self.draft_key()
        if key is None or not self.editing or self._sent:
            return
        text = self.editor.text
        if self.sha is None and not text.strip() and self._saved_key is None:
            return  # a new document with nothing typed yet: nothing to keep
        if self._saved_key is not None and self._saved_key != key:
            # The new document was renamed: keep one draft, under its present name.
            self.penholder.drafts.discard(self._saved_key)
        self._saved_key = key
        if text == self.base_text and self.sha is not None:
            self.penholder.drafts.discard(key)
            return
        old = self.penholder.drafts.load(key)
        self.penholder.drafts.save(
            SavedDraft(
                key=key,
                text=text,
                action=self.action.value,
                subject=old.subject if old else "",
                note=old.note if old else "",
                saved=int(time.time()),
            )
        )

    def on_unmount(self) -> None:
        if self.editing and not self._sent:
            self.save_now()

    def action_back(self) -> None:
        if self.editing and not self._sent:
            self.save_now()
            if self.editor.text != self.base_text:
                self.notify("your amendment is kept as a local draft; it will be offered again")
        super().action_back()

    def action_send(self) -> None:
        snapshot, actor = self.penholder.snapshot, self.penholder.actor
        if not self.editing or snapshot is None or actor is None:
            self.notify("press e to amend this text first", severity="warning")
            return
        self.save_now()
        key = self.draft_key()
        assert key is not None
        if self.sha is None and not DOCUMENT_NAME.match(key.document):
            self.notify(
                "name the document: lower-case letters, digits, '-' or '.'", severity="error"
            )
            self.query_one("#docname").focus()
            return
        saved = self.penholder.drafts.load(key)
        target = snapshot.version(self.refers[0]) if self.refers else None
        plan = actions.Plan(
            self.action,
            actor,
            target,
            refers=self.refers,
            document=key.document,
            subject=saved.subject if saved and saved.subject else "",
            recipients=actions.default_recipients(snapshot.roster, actor, self.action),
            choose_recipients=True,
        )
        extras = Extras(text=self.editor.text, note=saved.note if saved else "", draft=key)
        self.app.push_screen(ActionScreen(plan, extras), self.sent)

    def sent(self, version: Version | None) -> None:
        if version is None:
            return
        self._sent = True
        self.penholder.acted(version)

    def action_diff(self) -> None:
        if self.sha is not None:
            self.penholder.open_diff(None, self.sha)

    def action_blame(self) -> None:
        self.penholder.open_blame(self.sha)

    def action_clauses(self) -> None:
        self.penholder.open_clauses(self.sha)

    def action_columns(self) -> None:
        self.penholder.open_columns(self.sha)

    def action_export(self) -> None:
        self.penholder.export_certificate(self.sha)
