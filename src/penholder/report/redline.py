"""A printable redline between two versions or rounds. Every text from a version goes in
through `text_html` (escaped, control and bidi characters shown as visible marks)."""

from __future__ import annotations

from collections.abc import Mapping

from penholder.core.diff.texts import Fold, InlineView, TextDiff
from penholder.core.views.compare import Sides
from penholder.core.views.queries import iso_time
from penholder.report.page import page, status_badge, table, text_html


def _segments_html(view: InlineView) -> str:
    lines = []
    for row in view.rows:
        if isinstance(row, Fold):
            lines.append(f'<span class="fold">{text_html(row.label)}</span>')
            continue
        parts = []
        for segment in row.segments:
            text = text_html(segment.text)
            if segment.move_id is not None:
                tag = "del" if segment.kind == "delete" else "ins"
                parts.append(
                    f'<{tag} class="moved" title="moved block {segment.move_id}">⇄{text}</{tag}>'
                )
            elif segment.kind == "insert":
                parts.append(f"<ins>{text}</ins>")
            elif segment.kind == "delete":
                parts.append(f"<del>{text}</del>")
            else:
                parts.append(text)
        lines.append("".join(parts))
    return '<div class="text">' + "\n".join(lines) + "</div>"


def to_html(
    sides: Sides, diff: TextDiff, view: InlineView, title: str, signatures: Mapping[str, str]
) -> str:
    def describe(label: str, side: object) -> list[str]:
        from penholder.core.model import SignatureStatus, Version

        if not isinstance(side, Version):
            return [text_html(label), "—", "—", "—"]
        return [
            text_html(label),
            f"{text_html(side.actor)} ({text_html(side.action)}, round {side.round}, "
            f"{text_html(iso_time(side.time))})",
            f'<span class="sha">{text_html(side.sha)}</span>',
            status_badge(signatures.get(side.sha, SignatureStatus.UNKNOWN_KEY)),
        ]

    s = diff.stats
    header = table(
        ["", "author", "version", "signature"],
        [
            describe("Old: " + sides.label_old, sides.old),
            describe("New: " + sides.label_new, sides.new),
        ],
    )
    stats = (
        f"<p>{s.paragraphs_changed} paragraphs changed: <ins>+{s.words_inserted} words</ins>, "
        f'<del>−{s.words_deleted} words</del>, <span class="moved">⇄ {s.words_moved} words moved</span>'
        + (" (simplified: the time budget ran out)" if diff.simplified else "")
        + "</p>"
    )
    body = f"""<h1>Redline of {text_html(sides.document)}: {text_html(title)}</h1>
{header}
{stats}
<p>Deleted text is <del>struck through</del>, inserted text <ins>underlined</ins>,
moved text <span class="moved">⇄ marked</span>.</p>
{_segments_html(view)}
"""
    return page(f"Redline: {sides.document}", body)
