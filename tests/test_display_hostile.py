"""Every painter but the app on a negotiation whose history carries hostile text
(tests/hostile.py): the command line (log, show, inbox, diff inline and side by side, blame,
status, verify, clauses), its JSON, and the printable HTML and PDF exports. Output never carries
a raw control or bidi character, shows each as a visible mark, shows markup as typed; JSON gives
back the exact hostile strings. Verify may fail these versions (rule control-characters): only
what it prints is checked here."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import TEXT, make_table, penholder
from hostile import (
    AMEND_SUBJECT,
    DAYS,
    DRAFT,
    MARKUP_NOTE,
    MARKUP_SUBJECT,
    SUBJECT,
    UNSAFE,
    Hostile,
    hostile_table,
)
from penholder.core.model import Action
from penholder.core.store.negotiation import Negotiation

ESC, CR, BEL = "\u241b", "\u240d", "\u2407"
SUBJECT_SHOWN = f"Agreed text{ESC}[2J final{ESC}]0;owned{BEL} <U+202E>evil<U+202C>"
NOTE_SHOWN = f"Read{ESC}[31m red{ESC}[0m and <U+009B>2J C1 too"
DAYS_WORD = f"days{ESC}[2K{CR}30"  # one word: no wrap cuts it
DAYS_SHOWN = f"90 {DAYS_WORD} days."
TROJAN_SHOWN = "<U+202E>Trojan<U+202C>"
# "30 days" only right after the visible erase-line mark and the carriage return's mark (or the
# space a clause title's whitespace folding makes of it): never on its own.
ALONE_30 = re.compile(f"(?<!{ESC}\\[2K.)30 days")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    return hostile_table(tmp_path_factory.mktemp("hostile") / "neg")


def escaped_parsed(hostile: Hostile) -> bool:
    """Whether the history reads the commit whose message holds escapes as a version (until
    the parser refuses it with rule control-characters, it does)."""
    return Negotiation(hostile.repo).history.version(hostile.escaped).subject == SUBJECT


def run(hostile: Hostile, *args: str) -> str:
    """Run `penholder` and check that nothing it printed is raw or lost: no traceback, no
    control or bidi character, no "30 days" standing alone."""
    done = penholder(hostile.repo, *args)
    both = done.stdout + done.stderr
    assert "Traceback" not in both, f"penholder {' '.join(args)} crashed:\n{done.stderr}"
    found = UNSAFE.search(both)
    assert found is None, f"penholder {' '.join(args)} printed a raw {found.group()!r}"
    alone = ALONE_30.search(both)
    assert alone is None, (
        f"penholder {' '.join(args)} shows 30 days alone: {both[alone.start() - 60 :]}"
    )
    return both


def strings(value: object) -> Iterator[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def test_log_show_inbox_status_show_marks_and_literal_markup(hostile: Hostile) -> None:
    log = run(hostile, "log")
    assert AMEND_SUBJECT in log and MARKUP_SUBJECT in log
    if escaped_parsed(hostile):
        assert SUBJECT_SHOWN in log
    else:
        assert "U+001B" in log, "the refused commit is named by its refusal"
    show = run(hostile, "show", hostile.amend)
    assert DAYS_SHOWN in show and TROJAN_SHOWN in show and AMEND_SUBJECT in show
    noted = run(hostile, "show", hostile.noted)
    assert MARKUP_SUBJECT in noted and MARKUP_NOTE in noted
    escaped = run(hostile, "show", hostile.escaped)
    if escaped_parsed(hostile):
        assert SUBJECT_SHOWN in escaped and NOTE_SHOWN in escaped
    inbox = run(hostile, "inbox", "--as", "turkiye")
    assert AMEND_SUBJECT in inbox and MARKUP_SUBJECT in inbox
    run(hostile, "status")


def test_diff_inline_side_by_side_and_stat(hostile: Hostile) -> None:
    for args in (
        (),
        ("--no-color",),
        ("--side-by-side",),
        ("--granularity", "char"),
        ("--granularity", "line"),
    ):
        out = run(hostile, "diff", hostile.amend, *args)
        assert DAYS_WORD in out, f"diff {args}: the erase-line sequence is not shown"
        assert TROJAN_SHOWN in out
    run(hostile, "diff", hostile.amend, "--stat")


def test_blame_clauses_and_verify(hostile: Hostile) -> None:
    blame = run(hostile, "blame", hostile.amend)
    assert DAYS_WORD in blame and TROJAN_SHOWN in blame
    clauses = run(hostile, "clauses", hostile.amend)
    assert f"{ESC}[2K" in clauses
    run(hostile, "clauses", hostile.amend, "--trend")
    # Whatever verify concludes of these versions, what it prints is safe.
    run(hostile, "verify")


def test_json_round_trips_the_exact_hostile_strings(hostile: Hostile) -> None:
    """JSON never carries a raw control or bidi character (C0 is escaped by json itself, DEL,
    C1 and bidi by `safe_json`), and a JSON reader gets back exactly what was signed."""
    found: dict[str, set[str]] = {}
    for args in (
        ("log", "--json"),
        ("inbox", "--as", "turkiye", "--json"),
        ("status", "--json"),
        ("verify", "--json"),
        ("diff", hostile.amend, "--json"),
        ("blame", hostile.amend, "--json"),
        ("clauses", hostile.amend, "--json"),
    ):
        done = penholder(hostile.repo, *args)
        assert "Traceback" not in done.stderr, done.stderr
        assert UNSAFE.search(done.stdout) is None, f"{args}: a raw character in JSON"
        found[args[0]] = set(strings(json.loads(done.stdout)))
    assert MARKUP_SUBJECT in found["log"]
    assert MARKUP_NOTE in found["log"]  # notes are in the log's JSON too
    assert MARKUP_SUBJECT in found["inbox"]
    if escaped_parsed(hostile):
        assert SUBJECT in found["log"]
    assert any(DAYS in s for s in found["diff"]), "the diff's JSON carries the signed line"
    # A clause's title is its first words, whitespace folded (the CR among them): the escape
    # itself is given back exactly.
    assert any("within 90 days\x1b[2K" in s for s in found["clauses"])
    assert "".join(s for s in found["blame"] if "\u202e" in s or "\x1b" in s), "blame JSON"
    blame = json.loads(penholder(hostile.repo, "blame", hostile.amend, "--json").stdout)
    spans = blame if isinstance(blame, list) else blame.get("spans", [])
    assert "".join(span["text"] for span in spans) == DRAFT, "blame gives back the exact text"


HAS_PDF = importlib.util.find_spec("weasyprint") is not None


def text_of_pdf(path: Path) -> str:
    """The text of a PDF, its line breaks as newlines (pdfium ends lines with CR LF)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    return text.replace("\r\n", "\n")


# PDF needs WeasyPrint, the optional `pdf` extra (`pip install -e '.[dev,pdf]'`).
FORMATS = [
    "html",
    pytest.param("pdf", marks=pytest.mark.skipif(not HAS_PDF, reason="no WeasyPrint")),
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_redline_export_shows_marks(hostile: Hostile, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"redline.{fmt}"
    run(hostile, "redline", hostile.forward, hostile.amend, "--format", fmt, "-o", str(out))
    text = out.read_text(encoding="utf-8") if fmt == "html" else text_of_pdf(out)
    assert UNSAFE.search(text) is None, f"a raw character in the {fmt} redline"
    assert "\u241b" in text and "U+202E" in text, f"the {fmt} redline shows the marks"
    assert not ALONE_30.search(text)


@pytest.mark.parametrize("fmt", ["md", *FORMATS])
def test_draft_certificate_of_a_hostile_history(hostile: Hostile, tmp_path: Path, fmt: str) -> None:
    """A history that does not verify is not certified, not even as a DRAFT: the refusal is
    one safe line and no file is written. When a certificate is written, it shows the marks."""
    out = tmp_path / f"certificate.{fmt}"
    done = penholder(
        hostile.repo, "certificate", hostile.amend, "--draft", "--format", fmt, "-o", str(out)
    )
    both = done.stdout + done.stderr
    assert "Traceback" not in both and UNSAFE.search(both) is None
    if done.returncode != 0:
        assert not out.exists()
        assert len(done.stderr.strip().splitlines()) == 1 and "verify" in done.stderr
        return
    text = out.read_text(encoding="utf-8") if fmt != "pdf" else text_of_pdf(out)
    assert UNSAFE.search(text) is None, f"a raw character in the {fmt} certificate"
    assert "DRAFT" in text
    assert "\u241b" in text and "U+202E" in text, f"the {fmt} certificate shows the marks"


HTML_TEXT = (
    TEXT + "\n## 2. Terms\n\n2.1 <script>alert(1)</script> & <b>bold</b> [bold red]x[/bold red]\n"
)
HTML_SUBJECT = "<i>Table</i> the accord [/]"


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_of_a_clean_history_show_markup_as_typed(tmp_path: Path, fmt: str) -> None:
    """A history that verifies, whose subject and text look like HTML and Rich markup: the draft
    certificate and the redline show them as typed (escaped in HTML, literal in the PDF)."""
    table = make_table(tmp_path / "neg")
    proposal = table.act(
        "pakistan",
        Action.PROPOSE,
        HTML_SUBJECT,
        document="accord",
        text=HTML_TEXT.encode(),
        to=("qatar", "turkiye"),
    )
    certificate = tmp_path / f"certificate.{fmt}"
    run_in(
        table.path, "certificate", proposal.sha, "--draft", "--format", fmt, "-o", str(certificate)
    )
    redline = tmp_path / f"redline.{fmt}"
    run_in(table.path, "redline", proposal.sha, "--format", fmt, "-o", str(redline))
    for out in (certificate, redline):
        if fmt == "html":
            page = out.read_text(encoding="utf-8")
            assert "<script>" not in page and "<b>bold" not in page, f"{out.name} interprets"
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
            assert "[bold red]x[/bold red]" in page
        else:
            text = text_of_pdf(out)
            assert "<script>alert(1)</script>" in text and "<b>bold</b>" in text
    page = certificate.read_text(encoding="utf-8") if fmt == "html" else text_of_pdf(certificate)
    assert "DRAFT" in page


def run_in(repo: Path, *args: str) -> None:
    done = penholder(repo, *args)
    assert done.returncode == 0, f"penholder {' '.join(args)}: {done.stderr}"
