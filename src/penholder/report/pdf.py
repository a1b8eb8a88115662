"""PDF from the printable HTML, through WeasyPrint (the optional `pdf` extra)."""

from __future__ import annotations

from pathlib import Path

from penholder.core.errors import InputError


def write_pdf(html: str, path: Path) -> None:
    try:
        import weasyprint  # type: ignore[import-untyped,unused-ignore]
    except ImportError as exc:
        raise InputError(
            "PDF output needs WeasyPrint: pip install 'penholder[pdf]' (or use --format html "
            "and print it from a browser)",
            rule="pdf-missing",
        ) from exc
    weasyprint.HTML(string=html).write_pdf(str(path))
