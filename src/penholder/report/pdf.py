"""PDF from the printable HTML, through WeasyPrint (the optional `pdf` extra). What it prints
shows control and bidi characters as visible marks, as the HTML does."""

from __future__ import annotations

from pathlib import Path

from penholder.core.errors import InputError
from penholder.report.page import marked


def write_pdf(html: str, path: Path) -> None:
    try:
        import weasyprint  # type: ignore[import-untyped,unused-ignore]
    except ImportError as exc:
        raise InputError(
            "PDF output needs WeasyPrint: pip install 'penholder[pdf]' (or use --format html "
            "and print it from a browser)",
            rule="pdf-missing",
        ) from exc
    # The page's texts are neutralised already; no raw control or bidi character reaches the PDF.
    weasyprint.HTML(string=marked(html)).write_pdf(str(path))
