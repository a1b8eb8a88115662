"""One self-contained HTML page that prints well: A4, page numbers in the footer.

Every text a version provides (subjects, notes, drafts, names, places, failure messages) goes
into a page through `text_html`: HTML-escaped, and with every control and bidi character shown
as a visible mark, so that what is printed is what was signed.
"""

from __future__ import annotations

import re
from html import escape

from penholder.core.model import SignatureStatus
from penholder.core.trust.text import neutralize

_NOT_PLAIN_ASCII = re.compile("[^\t\n\x20-\x7e]")


def text_html(text: str) -> str:
    """`text` as HTML text or attribute value: control and bidi characters neutralised to
    visible marks (␛, <U+202E>), then `&`, `<`, `>` and both quotes escaped."""
    return escape(neutralize(text), quote=True)


def _mark(match: re.Match[str]) -> str:
    return escape(neutralize(match.group()), quote=True)


def marked(html: str) -> str:
    """Defence in depth for a whole page: any raw control or bidi character that reached it is
    replaced by its visible mark, escaped (valid in text and in attribute values alike)."""
    if neutralize(html) == html:
        return html
    return _NOT_PLAIN_ASCII.sub(_mark, html)


CSS = """
@page { size: A4; margin: 22mm 18mm 24mm 18mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 8.5pt; color: #555; }
  @top-right { content: string(doc-title); font-size: 8.5pt; color: #555; } }
html { font-family: "DejaVu Serif", Georgia, serif; font-size: 10.5pt; line-height: 1.45; color: #111; }
body { margin: 0 auto; max-width: 180mm; }
h1 { font-size: 17pt; margin: 0 0 4pt; string-set: doc-title content(); }
h2 { font-size: 12.5pt; margin: 18pt 0 6pt; border-bottom: 0.6pt solid #999; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 6pt 0; table-layout: fixed; }
tr { break-inside: avoid; }
td { overflow-wrap: anywhere; }
th, td { border: 0.5pt solid #aaa; padding: 3pt 5pt; text-align: left; vertical-align: top; }
th { background: #eee; }
code, pre, .sha { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; }
.sha { word-break: break-all; }
pre { white-space: pre-wrap; word-break: break-all; background: #f5f5f5; padding: 6pt;
  border: 0.5pt solid #ccc; }
.text { white-space: pre-wrap; font-size: 10pt; }
.meta td:first-child { width: 32%; font-weight: bold; }
.watermark { position: fixed; top: 40%; left: 0; right: 0; text-align: center; font-size: 88pt;
  color: rgba(176, 0, 32, 0.12); transform: rotate(-30deg); font-weight: bold; z-index: -1; }
.banner { border: 1.5pt solid #b00020; color: #b00020; padding: 5pt; font-weight: bold; text-align: center; }
ins { background: #dff3e3; color: #0a5c1f; text-decoration: underline; }
del { background: #fbe3e4; color: #8a1020; text-decoration: line-through; }
.moved { background: #e0eefc; color: #0b4a8b; }
.fold { color: #777; font-style: italic; }
.bad { color: #b00020; font-weight: bold; }
.good { color: #0a5c1f; }
"""

DRAFT_CSS = """
@page { @top-center { content: "DRAFT — NOT AGREED"; color: #b00020; font-weight: bold; } }
"""


def page(title: str, body: str, *, draft: bool = False) -> str:
    marks = '<div class="watermark">DRAFT</div>\n' if draft else ""
    css = CSS + (DRAFT_CSS if draft else "")
    return marked(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{text_html(title)}</title><style>{css}</style></head>\n"
        f'<body class="{"draft" if draft else "final"}">\n{marks}{body}\n</body></html>\n'
    )


def table(
    headers: list[str] | None, rows: list[list[str]], css: str = "", widths: list[int] | None = None
) -> str:
    """An HTML table; cells are HTML already, headers are plain text (None: no header row)."""
    head = ""
    if headers is not None:
        head = (
            "<thead><tr>" + "".join(f"<th>{text_html(h)}</th>" for h in headers) + "</tr></thead>"
        )
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    klass = f' class="{css}"' if css else ""
    cols = "".join(f'<col style="width: {w}%">' for w in widths or [])
    return f"<table{klass}><colgroup>{cols}</colgroup>{head}<tbody>{body}</tbody></table>"


def status_badge(status: str) -> str:
    if status == SignatureStatus.GOOD:
        return '<span class="good">✓ good</span>'
    return f'<span class="bad">✗ {text_html(status)}</span>'
