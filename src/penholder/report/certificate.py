"""The accord certificate as Markdown and as printable HTML.

Every string a version provides (titles, names, subjects, places, the text) is shown through
`neutralize` — control and bidi characters as visible marks — and escaped for the format, so no
painter interprets markup or control sequences from a version.
"""

from __future__ import annotations

import re
from html import escape

from penholder.core.trust.text import neutralize
from penholder.core.views.certificate import Attestation, Certificate
from penholder.core.views.queries import iso_time
from penholder.core.views.recipe import CANNOT_CHECK, CHECKS, verification_script
from penholder.core.views.roster_trail import RosterChange
from penholder.report.page import page, status_badge, table

VERIFY_MARKER = "verify-it-yourself"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")


def _h(s: str) -> str:
    """Version-provided text for HTML: control characters made visible, then escaped."""
    return escape(neutralize(s))


def _md(s: str) -> str:
    """Version-provided text for Markdown, inline: control characters made visible, and the
    characters Markdown (or HTML within it) would read as markup backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(neutralize(s).split("\n")))


def _fence(text: str, char: str = "`") -> str:
    """A code fence longer than any run of `char` in the text."""
    longest = max((len(m) for m in re.findall(f"{re.escape(char)}+", text)), default=0)
    return char * max(4, longest + 1)


def _when(iso: str) -> str:
    """`2025-10-30 15:00:00 UTC`: breaks between date and time in a narrow column."""
    return iso.replace("T", " ").replace("Z", " UTC")


def _who(a: Attestation) -> str:
    return f"{a.name} ({a.actor}, {a.role})"


def _roster_name(cert: Certificate, sha: str) -> str:
    return "the root" if sha == cert.root else f"roster change {sha[:12]}"


def _missing(cert: Certificate) -> str:
    if cert.missing_signers:
        return "Not yet signed by: " + ", ".join(cert.missing_signers) + "."
    return "The mediators' quorum has not endorsed it."


def to_markdown(cert: Certificate) -> str:
    v = cert.version
    out = []
    if not cert.agreed:
        out += ["> **DRAFT — NOT AGREED.** " + _md(_missing(cert)), ""]
    out += [
        f"# Certificate of agreed text: {_md(cert.title)}",
        "",
        f"- Negotiation: `{neutralize(cert.negotiation_id)}`",
        f"- Root version: `{cert.root}` (convener {cert.convener}, key "
        f"`{cert.convener_fingerprint}`)",
        f"- Document: `{cert.path}`",
        f"- Version: `{v.sha}` — round {v.round}, {v.action} by {v.actor}, {iso_time(v.time)}, "
        f"key `{cert.version_fingerprint}` ({_roster_name(cert, cert.version_roster)})",
        f"- Text SHA-256: `{cert.text_sha256}` (git blob `{cert.text_blob}`)",
        f"- Status: {'AGREED' if cert.agreed else 'DRAFT — not agreed'}",
        "",
        "## Signatures of the parties",
        "",
        "| party | key that made it (roster in force) | time (as signed) | version | signature |",
        "| --- | --- | --- | --- | --- |",
    ]
    out += [_md_row(cert, a) for a in cert.signatures]
    out += [
        "",
        "## Endorsements of the mediators",
        "",
        "| mediator | key that made it (roster in force) | time (as signed) | version | signature |",
        "| --- | --- | --- | --- | --- |",
    ]
    out += [_md_row(cert, a) for a in cert.endorsements]
    out += ["", "## Roster changes in effect", ""]
    if cert.rosters:
        for change in cert.rosters:
            out += [f"- {line}" for line in _roster_lines(cert, change)]
    else:
        out.append("None: the root's roster rules throughout.")
    out += [
        "",
        "## The road to this text",
        "",
        "| time | round | actor | action | subject | version |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for e in cert.timeline:
        where = f" ({_md(e.place or '')}, {_md(e.date or '')})" if e.place else ""
        out.append(
            f"| {e.time} | {e.round} | {_md(e.actor)} | {_md(e.action)}{where} | "
            f"{_md(e.subject)} | `{e.sha[:12]}` |"
        )
    text = neutralize(cert.text.rstrip("\n"))
    fence = _fence(text)
    script = verification_script(cert).rstrip("\n")
    out += [
        "",
        "## The agreed text" if cert.agreed else "## The text (DRAFT)",
        "",
        f"{fence}markdown",
        text,
        fence,
        "",
        "## Verify it yourself",
        "",
        "With a clone of the negotiation, git and OpenSSH (plus sh, grep and sed), and nothing "
        "of Penholder: save the commands below as `check.sh` and run "
        "`N=path/to/negotiation.git sh check.sh`. They stop with `NOT VERIFIED` at the first "
        "claim that does not hold.",
        "",
        "What they check:",
        "",
        *(f"- {line}" for line in CHECKS),
        "",
        "What they cannot check (`penholder verify` checks all of it):",
        "",
        *(f"- {line}" for line in CANNOT_CHECK),
        "",
        f"{_fence(script)}sh {VERIFY_MARKER}",
        script,
        _fence(script),
        "",
    ]
    if not cert.agreed:
        out += [
            "> **DRAFT — NOT AGREED.** The commands above check the listed signatures, then stop "
            "with NOT VERIFIED: the text is not agreed.",
            "",
        ]
    return "\n".join(out)


def _md_row(cert: Certificate, a: Attestation) -> str:
    return (
        f"| {_md(_who(a))} | `{a.fingerprint}` ({_roster_name(cert, a.roster)}) | {a.time} | "
        f"`{a.sha}` | {_md(a.signature)} |"
    )


def _roster_lines(cert: Certificate, change: RosterChange) -> list[str]:
    """Plain-text lines (no version-provided strings but ids, keys and shas)."""
    marks = ", ".join(
        f"{m.action} {m.sha[:12]} by {m.actor} ({m.fingerprint})" for m in change.marks
    )
    return [
        f"`{change.sha}` by {change.actor} (key `{change.fingerprint}`), replacing "
        f"{_roster_name(cert, change.prior)}: {'; '.join(change.changes)}. In effect through: "
        f"{marks}."
    ]


def _attestations(cert: Certificate, items: tuple[Attestation, ...]) -> str:
    rows = [
        [
            _h(_who(a)),
            f'<span class="sha">{escape(a.fingerprint)}</span><br>'
            f"{escape(_roster_name(cert, a.roster))}",
            escape(_when(a.time)),
            f'<span class="sha">{escape(a.sha)}</span>',
            status_badge(a.signature),
        ]
        for a in items
    ]
    headers = ["actor", "key that made it (roster)", "time (as signed)", "version", "signature"]
    return table(headers, rows, widths=[27, 25, 16, 20, 12]) if rows else "<p>None.</p>"


def to_html(cert: Certificate) -> str:
    v = cert.version
    meta = table(
        None,
        [
            ["Negotiation", f'<span class="sha">{_h(cert.negotiation_id)}</span>'],
            [
                "Root version",
                f'<span class="sha">{escape(cert.root)}</span> — convener '
                f"{escape(cert.convener)}, key "
                f'<span class="sha">{escape(cert.convener_fingerprint)}</span>',
            ],
            ["Document", f"<code>{escape(cert.path)}</code>"],
            [
                "Version",
                f'<span class="sha">{escape(v.sha)}</span> — round {v.round}, '
                f"{_h(v.action)} by {_h(v.actor)}, {iso_time(v.time)}, key "
                f'<span class="sha">{escape(cert.version_fingerprint)}</span> '
                f"{status_badge(cert.version_signature)}",
            ],
            [
                "Text SHA-256",
                f'<span class="sha">{cert.text_sha256}</span> (git blob '
                f'<span class="sha">{escape(cert.text_blob)}</span>)',
            ],
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
                _h(e.actor),
                _h(e.action + (f" ({e.place}, {e.date})" if e.place else "")),
                _h(e.subject),
                f'<span class="sha">{escape(e.sha[:12])}</span>',
            ]
            for e in cert.timeline
        ],
        widths=[16, 7, 12, 16, 37, 12],
    )
    rosters = (
        "<ul>"
        + "".join(
            f"<li>{escape(line).replace('`', '')}</li>"
            for change in cert.rosters
            for line in _roster_lines(cert, change)
        )
        + "</ul>"
        if cert.rosters
        else "<p>None: the root's roster rules throughout.</p>"
    )
    banner = (
        f'<p class="banner">DRAFT — NOT AGREED. {_h(_missing(cert))}</p>' if not cert.agreed else ""
    )
    checks = "".join(f"<li>{escape(line).replace('`', '')}</li>" for line in CHECKS)
    cannot = "".join(f"<li>{escape(line).replace('`', '')}</li>" for line in CANNOT_CHECK)
    body = f"""{banner}
<h1>Certificate of agreed text: {_h(cert.title)}</h1>
{meta}
<h2>Signatures of the parties</h2>
{_attestations(cert, cert.signatures)}
<h2>Endorsements of the mediators</h2>
{_attestations(cert, cert.endorsements)}
<h2>Roster changes in effect</h2>
{rosters}
<h2>The road to this text</h2>
{timeline}
<h2>{"The agreed text" if cert.agreed else "The text (DRAFT)"}</h2>
<div class="text">{_h(cert.text)}</div>
<h2>Verify it yourself</h2>
<p>With a clone of the negotiation, git and OpenSSH (plus sh, grep and sed), and nothing of
Penholder: save the commands below as <code>check.sh</code> and run
<code>N=path/to/negotiation.git sh check.sh</code>. They stop with NOT VERIFIED at the first
claim that does not hold.</p>
<p>What they check:</p>
<ul>{checks}</ul>
<p>What they cannot check (<code>penholder verify</code> checks all of it):</p>
<ul>{cannot}</ul>
<pre class="{VERIFY_MARKER}">{escape(verification_script(cert))}</pre>
"""
    return page(f"Certificate: {neutralize(cert.title)}", body, draft=not cert.agreed)
