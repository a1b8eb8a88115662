"""The facts an accord certificate states: the agreed text, who signed and witnessed it, with
which keys, and the road of rounds, withdrawals and resumptions that led to it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from penholder.core.errors import RefusedError
from penholder.core.model import TEXT_ACTIONS, Action, Version
from penholder.core.queries import iso_time
from penholder.core.store import Negotiation
from penholder.core.trust.agreement import is_agreed
from penholder.core.verify import signature_statuses

TIMELINE_ACTIONS = frozenset({Action.OPEN, Action.ROUND, Action.WITHDRAW, Action.RESUME})


@dataclass(frozen=True)
class Attestation:
    """One signature on the text: a party's `sign` or a mediator's `endorse`."""

    actor: str
    name: str
    role: str
    fingerprint: str
    time: str
    sha: str
    signature: str


@dataclass(frozen=True)
class TimelineEntry:
    time: str
    round: int
    actor: str
    action: str
    subject: str
    sha: str
    place: str | None
    date: str | None


@dataclass(frozen=True)
class Certificate:
    title: str
    negotiation_id: str
    root: str
    convener: str
    convener_fingerprint: str
    document: str
    version: Version
    version_signature: str
    text: str
    text_sha256: str
    agreed: bool
    signatures: tuple[Attestation, ...]
    endorsements: tuple[Attestation, ...]
    timeline: tuple[TimelineEntry, ...]
    missing_signers: tuple[str, ...]

    @property
    def path(self) -> str:
        return f"drafts/{self.document}.md"


def build_certificate(
    negotiation: Negotiation, version: Version, *, draft: bool = False
) -> Certificate:
    """Gather the certificate of a text version; refuse one that is not agreed unless `draft`."""
    history, roster = negotiation.history, negotiation.roster
    if not version.is_text or not version.document:
        raise RefusedError(
            f"{version.short} is a {version.action}, not a text version: name the version signed",
            rule="certificate-kind",
        )
    agreed = is_agreed(history, version.sha)
    if not agreed and not draft:
        raise RefusedError(
            f"{version.short} is not agreed (every party must sign it and the mediator quorum "
            "endorse it); use --draft for a certificate marked DRAFT",
            rule="not-agreed",
        )
    answers = history.answers(version.sha)
    attesting = [w for w in answers if w.action in (Action.SIGN, Action.ENDORSE)]
    statuses = signature_statuses(
        negotiation.path, [version.sha] + [w.sha for w in attesting], roster
    )

    def attestation(w: Version) -> Attestation:
        actor = roster.actor(w.actor)
        assert actor is not None
        return Attestation(
            w.actor,
            actor.name,
            actor.role,
            actor.fingerprint,
            iso_time(w.time),
            w.sha,
            statuses[w.sha],
        )

    signs = tuple(attestation(w) for w in attesting if w.action == Action.SIGN)
    endorses = tuple(attestation(w) for w in attesting if w.action == Action.ENDORSE)
    signed_by = {a.actor for a in signs}
    timeline = []
    for sha in history.order:
        v = history.versions[sha]
        relevant = v.action in TIMELINE_ACTIONS or (
            v.action in TEXT_ACTIONS and v.document == version.document
        )
        if relevant and history.is_ancestor(sha, version.sha):
            timeline.append(
                TimelineEntry(
                    iso_time(v.time), v.round, v.actor, v.action, v.subject, v.sha, v.place, v.date
                )
            )
    text = negotiation.text_of(version)
    convener = roster.actor(roster.convener)
    assert convener is not None
    return Certificate(
        title=roster.title,
        negotiation_id=roster.negotiation_id,
        root=negotiation.root.sha,
        convener=convener.id,
        convener_fingerprint=convener.fingerprint,
        document=version.document,
        version=version,
        version_signature=statuses[version.sha],
        text=text,
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        agreed=agreed,
        signatures=signs,
        endorsements=endorses,
        timeline=tuple(timeline),
        missing_signers=tuple(p for p in roster.ids("party") if p not in signed_by),
    )


def verification_script(cert: Certificate) -> str:
    """Shell commands that check the certificate from any clone with git and ssh-keygen only.

    Run them with N set to the clone (`N=path/to/negotiation.git`); each line fails loudly.
    """
    rev = cert.version.sha
    lines = [
        'N="${N:-negotiation.git}"   # your clone of the negotiation',
        "set -e",
        f'git -C "$N" show {rev}:allowed_signers > allowed_signers',
        f'test "$(git -C "$N" show {rev}:{cert.path} | sha256sum | cut -d" " -f1)" = {cert.text_sha256}',
        f'git -C "$N" rev-list --max-parents=0 --all | grep -qx {cert.root}',
    ]
    attested = [(cert.version.actor, rev, None)] + [
        (a.actor, a.sha, rev) for a in (*cert.signatures, *cert.endorsements)
    ]
    for actor, sha, refers in attested:
        lines.append(
            f'git -C "$N" -c gpg.ssh.allowedSignersFile="$PWD/allowed_signers" verify-commit -v {sha} 2>&1 '
            f"| grep -q 'Good \"git\" signature for {actor} '"
        )
        if refers:
            lines.append(
                f"git -C \"$N\" show -s --format='%(trailers:key=Penholder-Refers,valueonly)' {sha} "
                f"| grep -qx {refers}"
            )
    first = attested[1] if len(attested) > 1 else attested[0]
    lines += [
        f"git -C \"$N\" cat-file commit {first[1]} | sed '/^gpgsig /,/^ -----END SSH SIGNATURE-----/d' > payload",
        f"git -C \"$N\" cat-file commit {first[1]} | sed -n '/^gpgsig /,/^ -----END SSH SIGNATURE-----/p' "
        "| sed 's/^gpgsig //; s/^ //' > payload.sig",
        f"ssh-keygen -Y verify -f allowed_signers -I {first[0]} -n git -s payload.sig < payload",
        'echo "certificate verified"',
    ]
    return "\n".join(lines) + "\n"
