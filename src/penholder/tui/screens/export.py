"""Printable exports: the certificate of a text version (md, html, pdf) and the redline of the
two versions on the diff screen (html, pdf). A small dialog asks the format and the file; the
file is written in a worker, and a notification names it."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from penholder.core.errors import PenholderError
from penholder.tui.desk import ExportFormat, Snapshot, describe
from penholder.tui.redline import Granularity
from penholder.tui.safe import one_line, plain
from penholder.tui.screens.base import styles

if TYPE_CHECKING:
    from penholder.tui.app import PenholderApp

SUFFIXES = {"md": ".md", "html": ".html", "pdf": ".pdf"}


@dataclass(frozen=True)
class ExportJob:
    kind: str  # certificate, redline
    title: str
    what: str  # the versions, described exactly
    formats: tuple[ExportFormat, ...]
    stem: str
    sha: str  # the text certified, or the new side of the redline
    old: str | None = None
    document: str = ""
    granularity: Granularity = "word"
    draft: bool = False  # a certificate of a text not agreed: every page says DRAFT


def certificate_job(snapshot: Snapshot, sha: str, *, agreed: bool) -> ExportJob:
    v = snapshot.version(sha)
    return ExportJob(
        "certificate",
        f"Certificate of {v.document}" + ("" if agreed else " (DRAFT)"),
        f"text     {describe(v, snapshot.roster)}",
        ("md", "html", "pdf"),
        f"certificate-{v.short}",
        sha,
        document=v.document or "",
        draft=not agreed,
    )


def redline_job(
    snapshot: Snapshot, old: str | None, new: str, document: str, granularity: Granularity
) -> ExportJob:
    v = snapshot.version(new)
    before = describe(snapshot.version(old), snapshot.roster) if old else "(nothing: a new text)"
    return ExportJob(
        "redline",
        f"Redline of {document}",
        f"from     {before}\nto       {describe(v, snapshot.roster)}",
        ("html", "pdf"),
        f"redline-{old[:10] + '-' if old else ''}{v.short}",
        new,
        old=old,
        document=document,
        granularity=granularity,
    )


def pdf_available() -> bool:
    return importlib.util.find_spec("weasyprint") is not None


class ExportScreen(ModalScreen[Path | None]):
    CSS_PATH = styles("dialog", "export")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "export", "Export", id="export.confirm"),
    ]

    def __init__(self, job: ExportJob) -> None:
        super().__init__()
        self.job = job
        self._overwrite: Path | None = None

    @property
    def penholder(self) -> PenholderApp:
        return cast("PenholderApp", self.app)

    def compose(self) -> ComposeResult:
        job = self.job
        with Vertical(id="dialog", classes="dialog"):
            yield Static(plain(job.title), classes="dialog-title")
            yield Static(plain(job.what), id="target")
            if job.draft:
                yield Static(
                    "This text is not agreed: not every party has signed it, or the mediators' "
                    "quorum has not endorsed it. The certificate will say DRAFT on every page.",
                    id="draft-warning",
                )
            yield Label("Format")
            with RadioSet(id="format"):
                for k, fmt in enumerate(job.formats):
                    label: str = fmt
                    if fmt == "pdf" and not pdf_available():
                        label = "pdf (needs WeasyPrint)"
                    yield RadioButton(label, value=k == 0, id=f"format-{fmt}")
            yield Label("File (relative to the folder the app was started in)")
            yield Input(one_line(f"{job.stem}{SUFFIXES[job.formats[0]]}"), id="path")
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                button = "Export DRAFT  ^s" if job.draft else "Export  ^s"
                yield Button(button, variant="warning" if job.draft else "primary", id="export")
                yield Button("Cancel  esc", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#format").focus()

    @property
    def chosen_format(self) -> ExportFormat:
        pressed = self.query_one("#format", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return self.job.formats[0]
        return cast("ExportFormat", pressed.id.removeprefix("format-"))

    @on(RadioSet.Changed, "#format")
    def format_changed(self) -> None:
        field = self.query_one("#path", Input)
        path = Path(field.value)
        if path.suffix in SUFFIXES.values():
            field.value = str(path.with_suffix(SUFFIXES[self.chosen_format]))

    def target_path(self) -> Path:
        value = self.query_one("#path", Input).value.strip()
        path = Path(value).expanduser()
        return path if path.is_absolute() else Path.cwd() / path

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#path")
    def action_export(self) -> None:
        error = self.query_one("#error", Static)
        if not self.query_one("#path", Input).value.strip():
            error.update("name the file to write")
            return
        path = self.target_path()
        if path.is_dir():
            error.update(plain(f"{path} is a folder: name a file"))
            return
        if path.exists() and self._overwrite != path:
            self._overwrite = path
            error.update(plain(f"{path} exists: ^s again replaces it"))
            return
        error.update(plain(f"writing {path.name}…"))
        self.query_one("#export", Button).disabled = True
        self.write(path, self.chosen_format)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def write(self, path: Path, fmt: ExportFormat) -> None:
        job, desk = self.job, self.penholder.desk
        try:
            if job.kind == "certificate":
                written = desk.export_certificate(job.sha, fmt, path, draft=job.draft)
            else:
                written = desk.export_redline(
                    job.old, job.sha, job.document, job.granularity, fmt, path
                )
        except PenholderError as exc:
            self.app.call_from_thread(self.failed, f"{exc.rule}: {exc.message}")
            return
        except OSError as exc:
            self.app.call_from_thread(self.failed, f"cannot write {path}: {exc.strerror}")
            return
        self.app.call_from_thread(self.dismiss, written)

    def failed(self, message: str) -> None:
        self.query_one("#error", Static).update(plain(message))
        self.query_one("#export", Button).disabled = False

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
