"""The accord certificate as Markdown and as printable HTML."""

from __future__ import annotations

from html import escape

from penholder.core.certificate import Attestation, Certificate, verification_script
from penholder.core.queries import iso_time
from penholder.report.page import page, status_badge, table

VERIFY_MARKER = "verify-it-yourself"


def _when(iso: str) -> str:
    """`2025-10-30 15:00:00 UTC`: breaks between date and time in a narrow column."""
    return iso.replace("T", " ").replace("Z", " UTC")


def _who(a: Attestation) -> str:
    return f"{a.name} ({a.actor}, {a.role})"


def to_markdown(cert: Certificate) -> str:
    v = cert.version
    out = []
    if not cert.agreed:
        out += ["> **DRAFT — NOT AGREED.** " + _missing(cert), ""]
    out += [
        f"# Certificate of agreed text: {cert.title}",
        "",
        f"- Negotiation: `{cert.negotiation_id}`",
        f"- Root version: `{cert.root}` (convener {cert.convener}, key `{cert.convener_fingerprint}`)",
        f"- Document: `{cert.path}`",
        f"- Version: `{v.sha}` — round {v.round}, {v.action} by {v.actor}, {iso_time(v.time)}",
        f"- Text SHA-256: `{cert.text_sha256}`",
        f"- Status: {'AGREED' if cert.agreed else 'DRAFT — not agreed'}",
        "",
        "## Signatures of the parties",
        "",
        "| party | key fingerprint | time (as signed) | version | signature |",
        "| --- | --- | --- | --- | --- |",
    ]
    out += [
        f"| {_who(a)} | `{a.fingerprint}` | {a.time} | `{a.sha}` | {a.signature} |"
        for a in cert.signatures
    ]
    out += [
        "",
        "## Endorsements of the mediators",
        "",
        "| mediator | key fingerprint | time (as signed) | version | signature |",
        "| --- | --- | --- | --- | --- |",
    ]
    out += [
        f"| {_who(a)} | `{a.fingerprint}` | {a.time} | `{a.sha}` | {a.signature} |"
        for a in cert.endorsements
    ]
    out += [
        "",
        "## The road to this text",
        "",
        "| time | round | actor | action | subject | version |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for e in cert.timeline:
        where = f" ({e.place}, {e.date})" if e.place else ""
        subject = e.subject.replace("|", "\\|")
        out.append(
            f"| {e.time} | {e.round} | {e.actor} | {e.action}{where} | {subject} | `{e.sha[:12]}` |"
        )
    out += [
        "",
        "## The agreed text" if cert.agreed else "## The text (DRAFT)",
        "",
        "````markdown",
        cert.text.rstrip("\n"),
        "````",
        "",
        "## Verify it yourself",
        "",
        "With a clone of the negotiation, git and OpenSSH, and nothing of Penholder:",
        "",
        f"```sh {VERIFY_MARKER}",
        verification_script(cert).rstrip("\n"),
        "```",
        "",
    ]
    if not cert.agreed:
        out += ["> **DRAFT — NOT AGREED.**", ""]
    return "\n".join(out)


def _missing(cert: Certificate) -> str:
    if cert.missing_signers:
        return "Not yet signed by: " + ", ".join(cert.missing_signers) + "."
    return "The mediators' quorum has not endorsed it."


def _attestations(items: tuple[Attestation, ...]) -> str:
    rows = [
        [
            escape(_who(a)),
            f'<span class="sha">{escape(a.fingerprint)}</span>',
            escape(_when(a.time)),
            f'<span class="sha">{a.sha}</span>',
            status_badge(a.signature),
        ]
        for a in items
    ]
    headers = ["actor", "key fingerprint", "time (as signed)", "version", "signature"]
    return table(headers, rows, widths=[27, 25, 16, 20, 12]) if rows else "<p>None.</p>"


def to_html(cert: Certificate) -> str:
    v = cert.version
    meta = table(
        None,
        [
            ["Negotiation", f'<span class="sha">{escape(cert.negotiation_id)}</span>'],
            [
                "Root version",
                f'<span class="sha">{cert.root}</span> — convener {escape(cert.convener)}, '
                f'key <span class="sha">{escape(cert.convener_fingerprint)}</span>',
            ],
            ["Document", f"<code>{escape(cert.path)}</code>"],
            [
                "Version",
                f'<span class="sha">{v.sha}</span> — round {v.round}, {escape(v.action)} by '
                f"{escape(v.actor)}, {iso_time(v.time)} {status_badge(cert.version_signature)}",
            ],
            ["Text SHA-256", f'<span class="sha">{cert.text_sha256}</span>'],
            ["Status", "AGREED" if cert.agreed else '<span class="bad">DRAFT — not agreed</span>'],
        ],
        css="meta",
    )
    timeline = table(
        ["time", "round", "actor", "action", "subject", "version"],
        [
            [
                escape(_when(e.time)),
                str(e.round),
                escape(e.actor),
                escape(e.action + (f" ({e.place}, {e.date})" if e.place else "")),
                escape(e.subject),
                f'<span class="sha">{e.sha[:12]}</span>',
            ]
            for e in cert.timeline
        ],
        widths=[16, 7, 12, 16, 37, 12],
    )
    banner = (
        f'<p class="banner">DRAFT — NOT AGREED. {escape(_missing(cert))}</p>'
        if not cert.agreed
        else ""
    )
    body = f"""{banner}
<h1>Certificate of agreed text: {escape(cert.title)}</h1>
{meta}
<h2>Signatures of the parties</h2>
{_attestations(cert.signatures)}
<h2>Endorsements of the mediators</h2>
{_attestations(cert.endorsements)}
<h2>The road to this text</h2>
{timeline}
<h2>{"The agreed text" if cert.agreed else "The text (DRAFT)"}</h2>
<div class="text">{escape(cert.text)}</div>
<h2>Verify it yourself</h2>
<p>With a clone of the negotiation, git and OpenSSH, and nothing of Penholder
(set <code>N</code> to the clone's folder):</p>
<pre class="{VERIFY_MARKER}">{escape(verification_script(cert))}</pre>
"""
    return page(f"Certificate: {cert.title}", body, draft=not cert.agreed)
