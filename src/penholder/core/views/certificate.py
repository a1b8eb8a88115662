"""The facts an accord certificate states, and the recipe that checks them with git alone.

Nothing here rests on the local cache (`versions.idx`): the history is read afresh from git and
the whole negotiation verified before a word is stated; a history that does not verify gets no
certificate. The facts: the agreed text, who signed and witnessed it — each with the key the
roster in force at that point gives it, and the roster changes that put those keys in force,
back to the trusted root — and the road of rounds, withdrawals and resumptions that led to it.

The recipe (`verification_script`) is one fixed POSIX shell program followed by this
certificate's facts as calls to it. It uses git and ssh-keygen (plus sh, grep, sed) and exits
non-zero at the first claim that does not hold. What it cannot check is `CANNOT_CHECK`.
"""

from __future__ import annotations

import base64
import hashlib
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from penholder.core.errors import CommitFormatError, Hint, RefusedError, StoreError
from penholder.core.model import TEXT_ACTIONS, Action, Version, document_path
from penholder.core.store.negotiation import Negotiation
from penholder.core.trust.agreement import agreement
from penholder.core.trust.commit import parse_commit
from penholder.core.trust.history import History
from penholder.core.trust.keylines import fingerprint_of_line
from penholder.core.trust.roster import Roster
from penholder.core.trust.text import neutralize
from penholder.core.views.queries import iso_time
from penholder.core.views.signatures import signature_statuses, signing_key_blob
from penholder.core.views.verify import Report, verify

TIMELINE_ACTIONS = frozenset({Action.OPEN, Action.ROUND, Action.WITHDRAW, Action.RESUME})
_FRESH_ATTEMPTS = 3

CHECKS = (
    "the trusted root is a commit without parents in your clone, signed by the convener with the "
    "key whose fingerprint this certificate prints (compare both with what the convener gave you "
    "out of band); the clone is not shallow and has no grafts; replace refs and the commit-graph "
    "are ignored",
    "each roster change named here descends from the root, is signed by a mediator of the roster "
    "it replaces, was endorsed by that roster's mediator quorum (each endorsement a signed "
    "`endorse` referring to exactly it) and receipted by every key it adds, each with its own key",
    "the text version is a `propose`, `amend`, `forward` or `consolidate` of this document, its "
    "text is the blob printed here, and it is signed by its actor's key in the roster in force",
    "each attestation is a commit whose action is `sign` (by a party of the roster in force at "
    "the text) or `endorse` (by one of its mediators), whose only `Penholder-Refers` is the "
    "certified text and whose tree is the text's tree",
    "each signature is one `git verify-commit` says is Good for the named actor, with an "
    "allowed_signers line that the trusted root's or a named roster change's own files give that "
    "actor (its `penholder.toml` key, found in its `allowed_signers`), never the certified "
    "text's own tree — the roster change being the newest named one in effect there — and the key "
    "has the fingerprint printed here",
    "every commit it names descends from the trusted root (`git merge-base --is-ancestor`)",
    "no version it names was made with a key that a named roster change revokes, unless it came "
    "before that change",
    "every party of the roster in force at the text signed it and the mediator quorum of that "
    "roster endorsed it",
)

CANNOT_CHECK = (
    "that no signature or endorsement listed here was retracted before the text was agreed, or "
    "an endorsement of a roster change before the change took effect: a retract is a later "
    "version, and the recipe looks only at the versions named here",
    "that this certificate names every roster change in effect: one left out could have removed "
    "an actor or revoked a key, and the recipe checks only the changes named here",
    "the turn and routing rules: who may propose, amend, forward or consolidate what, and when; "
    "and the rounds",
    "suspension: that no one signed, amended or endorsed while a withdrawal was in force",
    "that each actor acted from its own previous version (no forked or hidden line of an actor) "
    "and that each branch tip is signed by its owner",
    "that signatures are in the one canonical form Penholder writes (git and ssh-keygen accept "
    "forms Penholder refuses), that commits and trees are canonical, and that no message or text "
    "carries control or bidirectional characters",
    "that no key was ever held by two actors",
    "the dates: each is written by its signer and proves nothing",
    "rosters written in a layout other than Penholder's: the recipe reads `penholder.toml` with "
    "sed and fails on one it cannot read",
)


@dataclass(frozen=True)
class Attestation:
    """One signature on the text: a party's `sign` or a mediator's `endorse`."""

    actor: str
    name: str
    role: str
    fingerprint: str  # of the key that made it: the one the roster in force there gives the actor
    time: str
    sha: str
    signature: str
    roster: str = ""  # the roster in force where it was made: the root or a roster version


@dataclass(frozen=True)
class RosterMark:
    """An `endorse` of a roster change by a mediator of the roster it replaces, or a `receipt`
    of it by a key it adds (proof of possession)."""

    action: str
    actor: str
    sha: str
    roster: str  # the roster whose key for the actor made it
    fingerprint: str


@dataclass(frozen=True)
class RosterChange:
    """A roster version in effect, the roster it replaces, and what put it in effect."""

    sha: str
    actor: str
    prior: str
    fingerprint: str
    changes: tuple[str, ...]
    marks: tuple[RosterMark, ...]


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
    text_blob: str = ""
    version_roster: str = ""
    version_fingerprint: str = ""
    rosters: tuple[RosterChange, ...] = ()
    missing_endorsements: int = 0

    @property
    def path(self) -> str:
        return document_path(self.document)


def build_certificate(
    negotiation: Negotiation, version: Version, *, draft: bool = False
) -> Certificate:
    """The certificate of a text version, from a fresh read of git (the negotiation given is
    only where to look: its cache is never evidence)."""
    return certify(negotiation.path, version.sha, draft=draft)


def certify(path: Path, sha: str, *, draft: bool = False) -> Certificate:
    """Gather the certificate of a text version from git, read afresh and verified whole;
    refuse a history that does not verify, and a text that is not agreed unless `draft`."""
    fresh = _fresh(path)
    try:
        return _certify(fresh, sha, draft)
    finally:
        fresh.close()


def _fresh(path: Path) -> Negotiation:
    """The negotiation read from git without the cache, and verified over the same tips."""
    for _attempt in range(_FRESH_ATTEMPTS):
        fresh = Negotiation(path, use_cache=False)
        try:
            report = verify(path)
            if fresh.repo.branches() != fresh.tips:
                fresh.close()
                continue  # a branch moved while we read: read again
        except BaseException:
            fresh.close()
            raise
        if not report.ok:
            fresh.close()
            _refuse_unverified(report)
        return fresh
    raise StoreError("the branches kept moving while the certificate was read: try again")


def _refuse_unverified(report: Report) -> None:
    first = report.failures[0]
    more = len(report.failures) - 1
    detail = " ".join(neutralize(first.message).split())
    raise RefusedError(
        f"the history does not verify ({first.sha[:10]} {neutralize(first.actor)}: {detail}"
        + (f"; {more} more" if more else "")
        + "): nothing is certified until `penholder verify` passes",
        rule=str(first.rule),
    )


def _source(history: History, parents: Iterable[str], root: str) -> str:
    """The roster version in force among these ancestors, or the root (its roster)."""
    newest, _ = history.newest_in_effect(list(parents))
    return root if newest is None else newest


def _roster_of(history: History, source: str, root: str) -> Roster:
    if source == root:
        assert history.root_roster is not None
        return history.root_roster
    return history.roster_carried_by(source)


def _fingerprint(blob: bytes) -> str:
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


class _Signers:
    """The fingerprint of the key that made each version, read from its own signature."""

    def __init__(self, negotiation: Negotiation) -> None:
        self.negotiation = negotiation
        self.found: dict[str, str] = {}

    def load(self, shas: Iterable[str]) -> None:
        wanted = sorted({s for s in shas if s not in self.found})
        for sha, (_kind, data) in self.negotiation.repo.read_many(wanted).items():
            try:
                blob = signing_key_blob(parse_commit(data).signature)
            except CommitFormatError:
                blob = None
            self.found[sha] = _fingerprint(blob) if blob is not None else ""

    def of(self, sha: str, roster: Roster, actor: str) -> str:
        """The fingerprint of the key that made `sha`, which must be `actor`'s in `roster`."""
        self.load([sha])
        held = roster.actor(actor)
        made = self.found[sha]
        if held is None or held.fingerprint != made:
            raise RefusedError(
                f"{sha[:10]} was not made with the key the roster in force gives {actor}",
                rule="signature-key",
            )
        return made


def _changes(old: Roster, new: Roster) -> tuple[str, ...]:
    out = []
    before = {a.id: a for a in old.actors}
    after = {a.id: a for a in new.actors}
    for actor in new.actors:
        was = before.get(actor.id)
        if was is None:
            out.append(f"seats {actor.id} ({actor.role}, key {actor.fingerprint})")
            continue
        if was.key != actor.key:
            out.append(f"rotates {actor.id}'s key {was.fingerprint} to {actor.fingerprint}")
        if was.role != actor.role:
            out.append(f"makes {actor.id} a {actor.role} (was a {was.role})")
    out += [f"removes {a.id} (key {a.fingerprint})" for a in old.actors if a.id not in after]
    revoked_before = set(old.revoked)
    for actor_id, key in new.revoked:
        if (actor_id, key) not in revoked_before:
            out.append(f"revokes {actor_id}'s key {fingerprint_of_line(key)}")
    if old.rules != new.rules:
        out.append("changes the rules")
    return tuple(out) or ("restates the roster",)


def _roster_changes(history: History, root: str, signers: _Signers) -> tuple[RosterChange, ...]:
    """Every roster version in effect anywhere, each after what it rests on (the roster it
    replaces, the rosters its marks were made under), with the marks that put it in effect."""
    candidates = sorted(history.effective_anywhere(), key=lambda s: (history.generation(s), s))
    marks: dict[str, list[RosterMark]] = {}
    signers.load([*candidates, *(w.sha for r in candidates for w in history.referring(r))])
    for r in candidates:
        old = history.roster_before(r)
        mediators = set(old.ids("mediator"))
        added = history.added_actors(r)
        found = []
        for w in history.referring(r):
            if not history.on_line(w.sha) or w.refers != (r,):
                continue
            if w.action == Action.ENDORSE and w.actor in mediators:
                source = _source(history, w.parents, root)
                roster = _roster_of(history, source, root)
            elif w.action == Action.RECEIPT and w.actor in added:
                source, roster = r, history.roster_carried_by(r)
            else:
                continue
            found.append(
                RosterMark(w.action, w.actor, w.sha, source, signers.of(w.sha, roster, w.actor))
            )
        marks[r] = found
    trusted = {root}
    out: list[RosterChange] = []
    pending = list(candidates)
    while pending:
        for r in pending:
            v = history.version(r)
            prior = _source(history, v.parents, root)
            if prior not in trusted:
                continue
            usable = tuple(m for m in marks[r] if m.roster in trusted or m.roster == r)
            old = history.roster_before(r)
            endorsers = {m.actor for m in usable if m.action == Action.ENDORSE}
            receipted = {m.actor for m in usable if m.action == Action.RECEIPT}
            if len(endorsers) < max(old.quorum, 1) or not history.added_actors(r) <= receipted:
                continue
            prior_roster = _roster_of(history, prior, root)
            out.append(
                RosterChange(
                    r,
                    v.actor,
                    prior,
                    signers.of(r, prior_roster, v.actor),
                    _changes(old, history.roster_carried_by(r)),
                    usable,
                )
            )
            trusted.add(r)
            pending.remove(r)
            break
        else:
            break  # what is left rests on something that cannot be established: leave it out
    return tuple(out)


def _certify(fresh: Negotiation, sha: str, draft: bool) -> Certificate:
    history = fresh.history
    version = history.get(sha)
    if version is None:
        raise RefusedError(
            f"{sha[:10]} is not a version on any branch of this negotiation",
            rule="certificate-kind",
        )
    if not version.is_text or not version.document:
        raise RefusedError(
            f"{version.short} is a {neutralize(version.action)}, not a text version: "
            "name the version signed",
            rule="certificate-kind",
        )
    found = agreement(history, version.sha)
    if not found.agreed and not draft:
        raise RefusedError(
            f"{version.short} is not agreed (every party must sign it and the mediator quorum "
            "endorse it); a certificate marked DRAFT can be asked for",
            rule="not-agreed",
            hint=Hint.ALLOW_DRAFT,
        )
    root = fresh.root.sha
    root_roster = history.root_roster
    assert root_roster is not None
    signers = _Signers(fresh)
    rosters = _roster_changes(history, root, signers)
    established = {root} | {r.sha for r in rosters}
    text_roster = found.roster

    signs = dict(found.signs)
    endorses = dict(found.endorsements)
    if not found.agreed:  # a draft lists the standing attestations only
        signs = {a: s for a, s in signs.items() if not history.is_retracted(s)}
        endorses = {a: s for a, s in endorses.items() if not history.is_retracted(s)}
    attesting = [version.sha, *signs.values(), *endorses.values()]
    signers.load(attesting)
    statuses = signature_statuses(fresh.path, attesting, text_roster, history)

    def made_under(v: Version) -> tuple[str, Roster]:
        source = _source(history, v.parents, root)
        if source not in established:
            raise RefusedError(
                f"{v.short}: the roster change in force there cannot be established from the root",
                rule="certificate-roster",
            )
        return source, _roster_of(history, source, root)

    def attestation(w_sha: str) -> Attestation:
        w = history.version(w_sha)
        source, roster = made_under(w)
        actor = roster.actor(w.actor)
        if actor is None:  # verify passed, so the actor is on the roster in force there
            raise RefusedError(f"{w.short}: {w.actor} is not on the roster", rule="actor-unknown")
        at_text = text_roster.actor(w.actor)
        return Attestation(
            w.actor,
            actor.name,
            at_text.role if at_text is not None else actor.role,
            signers.of(w.sha, roster, w.actor),
            iso_time(w.time),
            w.sha,
            statuses[w.sha],
            source,
        )

    signatures = tuple(attestation(s) for s in signs.values())
    endorsements = tuple(attestation(s) for s in endorses.values())
    version_roster, made_roster = made_under(version)
    timeline = []
    for v in history.versions_in_order():
        relevant = v.action in TIMELINE_ACTIONS or (
            v.action in TEXT_ACTIONS and v.document == version.document
        )
        if relevant and history.is_ancestor(v.sha, version.sha):
            timeline.append(
                TimelineEntry(
                    iso_time(v.time), v.round, v.actor, v.action, v.subject, v.sha, v.place, v.date
                )
            )
    text = fresh.text_of(version)
    blob = _blob_of(fresh, version)
    convener = root_roster.actor(root_roster.convener)
    if convener is None:
        raise RefusedError("the root's roster names no convener", rule="root")
    return Certificate(
        title=text_roster.title,
        negotiation_id=text_roster.negotiation_id,
        root=root,
        convener=convener.id,
        convener_fingerprint=convener.fingerprint,
        document=version.document,
        version=version,
        version_signature=statuses[version.sha],
        text=text,
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        agreed=found.agreed,
        signatures=signatures,
        endorsements=endorsements,
        timeline=tuple(timeline),
        missing_signers=tuple(p for p in text_roster.ids("party") if p not in signs),
        text_blob=blob,
        version_roster=version_roster,
        version_fingerprint=signers.of(version.sha, made_roster, version.actor),
        rosters=rosters,
        missing_endorsements=found.missing_endorsements,
    )


def _blob_of(fresh: Negotiation, version: Version) -> str:
    facts = fresh.tree_facts(version.tree)
    for name, blob, _size in facts.documents:
        if name == version.document:
            return blob
    raise StoreError(f"version {version.short} carries no {version.document}")


# The fixed part of the recipe: the same on every certificate. Only the calls that follow it
# carry a certificate's facts. POSIX sh, git, ssh-keygen, grep and sed; nothing of Penholder.
_PROGRAM = r"""set -eu
export LC_ALL=C GIT_NO_REPLACE_OBJECTS=1
case $W in /*) ;; *) W="$PWD/$W" ;; esac
mkdir -p "$W"
: > "$W/trusted"; : > "$W/signed"; : > "$W/attested"
g() { git -C "$N" -c core.useReplaceRefs=false -c core.commitGraph=false "$@"; }
fail() { echo "NOT VERIFIED: $*" >&2; exit 1; }
anc() { g merge-base --is-ancestor "$1" "$2" 2>/dev/null; }   # $1 is $2 or below it
below() { [ "$1" != "$2" ] && anc "$1" "$2"; }                 # $1 is strictly below $2
trailer() { g show -s --format="%(trailers:key=Penholder-$2,valueonly)" "$1"; }
is_sha() { case $1 in *[!0-9a-f]*|'') fail "$1 is not a full sha" ;; esac
  [ ${#1} -eq 40 ] || fail "$1 is not a full sha"; }
is_id() { case $1 in [a-z]*) ;; *) fail "$1 is not an actor id" ;; esac
  case $1 in *[!a-z0-9-]*) fail "$1 is not an actor id" ;; esac; }
keyprint() { printf '%s\n' "$1" > "$W/one.pub"
  ssh-keygen -l -f "$W/one.pub" | sed 's/^[0-9]* \([^ ]*\) .*/\1/'; }
# roster_of V: the actors ("id role key"), revoked keys and allowed_signers V's tree carries.
roster_of() {
  g show "$1:penholder.toml" > "$W/toml.$1" 2>/dev/null || fail "$1 carries no penholder.toml"
  g show "$1:allowed_signers" > "$W/signers.$1" 2>/dev/null || fail "$1 carries no allowed_signers"
  ! grep -qvE '^(#.*|\[negotiation\]|\[rules\]|\[\[actor\]\]|\[\[revoked\]\]|[a-z_]+ = .+|)$' \
    "$W/toml.$1" || fail "$1: penholder.toml is not in the layout Penholder writes"
  sed -n '/^\[\[actor\]\]$/{n;N;N;N;s|^id = "\([a-z][a-z0-9-]*\)"\nname = ".*"\nrole = "\([a-z]*\)"\nkey = "\(ssh-ed25519 [A-Za-z0-9+/=]*\)"$|\1 \2 \3|p;}' "$W/toml.$1" > "$W/actors.$1"
  sed -n '/^\[\[revoked\]\]$/{n;N;s|^actor = "[a-z][a-z0-9-]*"\nkey = "\(ssh-ed25519 [A-Za-z0-9+/=]*\)"$|\1|p;}' "$W/toml.$1" > "$W/revoked.$1"
  [ "$(grep -c '^\[\[actor\]\]$' "$W/toml.$1")" = "$(grep -c '' "$W/actors.$1")" ] \
    && [ "$(grep -c '^\[\[revoked\]\]$' "$W/toml.$1")" = "$(grep -c '' "$W/revoked.$1")" ] \
    || fail "$1: penholder.toml is not in the layout Penholder writes"
  sed 's/^[^ ]* [^ ]* //' "$W/actors.$1" > "$W/keys.$1"
  [ "$(sed -n '/^\[negotiation\]$/{n;s/^id = "\([^"]*\)"$/\1/p;}' "$W/toml.$1")" = "${NID:-}" ] \
    || [ "$1" = "$ROOT" ] || fail "$1 names another negotiation"
}
role_of() { sed -n "s/^$2 \([a-z]*\) .*/\1/p" "$W/actors.$1"; }
key_of() { [ "$(grep -c "^$2 " "$W/actors.$1" || true)" = 1 ] \
    || fail "roster $1 does not give $2 exactly one key"
  sed -n "s/^$2 [a-z]* //p" "$W/actors.$1"; }
# quorum R: how many of roster R's mediators must endorse (witness_quorum, else all; >= 1).
quorum() { q_m=$(grep -c '^[^ ]* mediator ' "$W/actors.$1" || true)
  q_w=$(sed -n '/^\[rules\]$/,/^\[/s/^witness_quorum = \([0-9][0-9]*\)$/\1/p' "$W/toml.$1")
  if [ -n "$q_w" ] && [ "$q_w" -lt "$q_m" ]; then q_m=$q_w; fi
  if [ "$q_m" -lt 1 ]; then q_m=1; fi
  echo "$q_m"; }
# version V ACTION ACTOR: a commit of this negotiation, descending from the trusted root.
version() { is_sha "$1"; is_id "$3"
  [ "$(g cat-file -t "$1" 2>/dev/null)" = commit ] || fail "$1 is not a commit of $N"
  anc "$ROOT" "$1" || fail "$1 does not descend from the trusted root $ROOT"
  [ "$(trailer "$1" Negotiation)" = "$NID" ] || fail "$1 is not a version of negotiation $NID"
  [ "$(trailer "$1" Action)" = "$2" ] || fail "$1 is not a '$2'"
  [ "$(trailer "$1" Actor)" = "$3" ] || fail "$1 is not by $3"; }
# refers V TARGET: V refers to exactly TARGET and carries its tree.
refers() { [ "$(trailer "$1" Refers)" = "$2" ] || fail "$1 does not refer to exactly $2"
  [ "$(g rev-parse "$1^{tree}")" = "$(g rev-parse "$2^{tree}")" ] \
    || fail "$1 does not carry the tree of $2"; }
# signed V ACTOR R FINGERPRINT: git verify-commit says Good for ACTOR, with the one key roster
# R gives ACTOR (its penholder.toml key, found in its allowed_signers), of that fingerprint.
signed() { s_k=$(key_of "$3" "$2")
  grep -qxF "$2 namespaces=\"git\" $s_k" "$W/signers.$3" \
    || fail "$1: $2's key is not in the allowed_signers of $3"
  printf '%s namespaces="git" %s\n' "$2" "$s_k" > "$W/allowed_signers"
  [ "$(keyprint "$s_k")" = "$4" ] || fail "$1: roster $3 does not give $2 the key $4"
  s_o=$(g -c gpg.ssh.allowedSignersFile="$W/allowed_signers" verify-commit "$1" 2>&1) \
    || fail "$1: git verify-commit finds no good signature by $2 with $4"
  printf '%s\n' "$s_o" | grep -qxF "Good \"git\" signature for $2 with ED25519 key $4" \
    || fail "$1: not signed by $2 with $4"
  echo "$1 $4" >> "$W/signed"
  echo "ok $1: Good \"git\" signature for $2 with ED25519 key $4"; }
# effect R V: roster change R, its quorum of endorsements and every added key's receipt all
# stand below V (the root's roster is in effect everywhere).
effect() { [ "$1" = "$ROOT" ] && return 0
  below "$1" "$2" || return 1
  e_seen=" "
  while read -r e_kind e_sha e_who; do
    below "$e_sha" "$2" || continue
    case $e_kind in receipt) e_who="+$e_who" ;; esac
    case $e_seen in *" $e_who "*) ;; *) e_seen="$e_seen$e_who " ;; esac
  done < "$W/marks.$1"
  e_n=0
  for e_w in $e_seen; do case $e_w in +*) ;; *) e_n=$((e_n + 1)) ;; esac; done
  [ "$e_n" -ge "$(cat "$W/quorum.$1")" ] || return 1
  while read -r e_who; do case $e_seen in *" +$e_who "*) ;; *) return 1 ;; esac
  done < "$W/added.$1"
  return 0; }
# in_force R V: R is established, in effect at V, and no newer established change is.
in_force() { grep -qxF "$1" "$W/trusted" || fail "$2: roster $1 is not established"
  effect "$1" "$2" || fail "$2: roster $1 is not in effect there"
  for n_r in $(cat "$W/trusted"); do
    [ "$n_r" = "$1" ] && continue
    if effect "$n_r" "$2" && ! anc "$n_r" "$1"; then
      fail "$2: roster change $n_r is in effect there, newer than $1"
    fi
  done; }
check_root() { is_sha "$ROOT"
  [ "$(g rev-parse --is-shallow-repository)" = false ] || fail "$N is a shallow clone"
  [ ! -e "$(g rev-parse --absolute-git-dir)/info/grafts" ] || fail "$N has a grafts file"
  [ "$(g cat-file -t "$ROOT" 2>/dev/null)" = commit ] || fail "the trusted root $ROOT is not in $N"
  [ -z "$(g show -s --format=%P "$ROOT")" ] || fail "$ROOT has parents: not a root"
  NID=""; roster_of "$ROOT"
  NID=$(sed -n '/^\[negotiation\]$/{n;s/^id = "\([^"]*\)"$/\1/p;}' "$W/toml.$ROOT")
  r_c=$(sed -n '/^\[negotiation\]$/,/^\[rules\]$/s/^convener = "\([a-z][a-z0-9-]*\)"$/\1/p' "$W/toml.$ROOT")
  [ -n "$NID" ] && [ -n "$r_c" ] || fail "the root's penholder.toml names no negotiation or convener"
  echo "$ROOT" >> "$W/trusted"
  version "$ROOT" open "$r_c"
  [ "$(role_of "$ROOT" "$r_c")" = mediator ] || fail "the convener $r_c is not a mediator"
  signed "$ROOT" "$r_c" "$ROOT" "$CONVENER_KEY"; }
# check_roster R ACTOR PRIOR FINGERPRINT: a roster change by a mediator of PRIOR, the roster
# in force where it was made; its endorsements and proofs follow, then `established`.
check_roster() { version "$1" roster "$2"
  in_force "$3" "$1"
  [ "$(role_of "$3" "$2")" = mediator ] || fail "$1: $2 is not a mediator of $3"
  signed "$1" "$2" "$3" "$4"
  roster_of "$1"
  CUR=$1; PRIOR=$3
  : > "$W/marks.$1"
  while read -r c_a c_r c_k; do grep -qxF "$c_k" "$W/keys.$3" || echo "$c_a"; done \
    < "$W/actors.$1" > "$W/added.$1"
  quorum "$3" > "$W/quorum.$1"; }
check_endorsement() { version "$1" endorse "$2"; refers "$1" "$CUR"
  in_force "$3" "$1"
  [ "$(role_of "$PRIOR" "$2")" = mediator ] || fail "$1: $2 is not a mediator of $PRIOR"
  signed "$1" "$2" "$3" "$4"
  echo "endorse $1 $2" >> "$W/marks.$CUR"; }
check_proof() { version "$1" receipt "$2"; refers "$1" "$CUR"
  grep -qxF "$2" "$W/added.$CUR" || fail "$1: $CUR adds no key for $2"
  signed "$1" "$2" "$CUR" "$3"
  echo "receipt $1 $2" >> "$W/marks.$CUR"; }
established() { x_seen=" "
  while read -r x_kind x_sha x_who; do
    [ "$x_kind" = endorse ] || continue
    case $x_seen in *" $x_who "*) ;; *) x_seen="$x_seen$x_who " ;; esac
  done < "$W/marks.$CUR"
  x_n=0; for x_w in $x_seen; do x_n=$((x_n + 1)); done
  [ "$x_n" -ge "$(cat "$W/quorum.$CUR")" ] \
    || fail "$CUR: endorsed by $x_n mediator(s) of $PRIOR, its quorum is $(cat "$W/quorum.$CUR")"
  while read -r x_who; do grep -q "^receipt [0-9a-f]* $x_who\$" "$W/marks.$CUR" \
    || fail "$CUR: no receipt by $x_who's new key"; done < "$W/added.$CUR"
  echo "$CUR" >> "$W/trusted"
  echo "ok $CUR: roster change established"; }
# check_text ACTOR ROSTER FINGERPRINT: the certified text version, $TEXT.
check_text() { is_sha "$TEXT"
  [ "$(g cat-file -t "$TEXT" 2>/dev/null)" = commit ] || fail "$TEXT is not a commit of $N"
  t_a=$(trailer "$TEXT" Action)
  case $t_a in propose|amend|forward|consolidate) ;; *) fail "$TEXT is not a text version" ;; esac
  version "$TEXT" "$t_a" "$1"
  [ "$(trailer "$TEXT" Document)" = "$DOC" ] || fail "$TEXT is not a version of $DOC"
  [ "$(g rev-parse "$TEXT:drafts/$DOC.md" 2>/dev/null)" = "$BLOB" ] \
    || fail "the text at $TEXT is not $BLOB"
  in_force "$2" "$TEXT"
  case $(role_of "$2" "$1") in party|mediator) ;; *) fail "$TEXT: $1 may not write texts" ;; esac
  signed "$TEXT" "$1" "$2" "$3"
  TROSTER=$2; }
# check_sign / check_endorse V ACTOR ROSTER FINGERPRINT: one attestation of the text.
attest() { version "$2" "$1" "$3"; refers "$2" "$TEXT"
  a_r=$(role_of "$TROSTER" "$3")
  case $1/$a_r in sign/party|endorse/mediator) ;;
    *) fail "$2: a $1 by $3, who is not a $( [ "$1" = sign ] && echo party || echo mediator ) of the roster at the text" ;;
  esac
  in_force "$4" "$2"
  signed "$2" "$3" "$4" "$5"
  echo "$1 $3" >> "$W/attested"; }
check_sign() { attest sign "$@"; }
check_endorse() { attest endorse "$@"; }
# check_revocations: a key a named roster change revokes made only versions below that change.
check_revocations() { for v_r in $(cat "$W/trusted"); do
    while read -r v_k; do
      v_f=$(keyprint "$v_k")
      while read -r v_s v_sf; do
        if [ "$v_sf" = "$v_f" ] && ! anc "$v_s" "$v_r"; then
          fail "$v_s was made with $v_f, which $v_r revokes, and is not below it"
        fi
      done < "$W/signed"
    done < "$W/revoked.$v_r"
  done; }
# check_agreed: every party of the roster at the text signed; its mediator quorum endorsed.
check_agreed() { a_p=$(sed -n 's/^\([^ ]*\) party .*/\1/p' "$W/actors.$TROSTER")
  [ -n "$a_p" ] || fail "the roster at the text has no parties"
  for a_w in $a_p; do
    grep -qxF "sign $a_w" "$W/attested" || fail "the text is not agreed: $a_w has not signed it"
  done
  a_seen=" "
  while read -r a_k a_w; do
    [ "$a_k" = endorse ] || continue
    case $a_seen in *" $a_w "*) ;; *) a_seen="$a_seen$a_w " ;; esac
  done < "$W/attested"
  a_n=0; for a_w in $a_seen; do a_n=$((a_n + 1)); done
  [ "$a_n" -ge "$(quorum "$TROSTER")" ] \
    || fail "the text is not agreed: $a_n endorsement(s), the quorum is $(quorum "$TROSTER")"; }
"""


def verification_script(cert: Certificate) -> str:
    """The recipe: a POSIX shell program that checks the certificate's claims from any clone
    with git and ssh-keygen (plus sh, grep, sed) only, and exits non-zero at the first claim
    that does not hold. Run it with N set to the clone (`N=path/to/negotiation.git sh check`);
    it works in the folder W (default `penholder-check`)."""
    q = shlex.quote
    v = cert.version
    lines = [
        "# Checks this certificate with git and ssh-keygen alone. N: your clone of the",
        "# negotiation. Compare ROOT and CONVENER_KEY with what the convener gave you out of band.",
        'N="${N:-negotiation.git}"',
        'W="${W:-penholder-check}"',
        f"ROOT={q(cert.root)}",
        f"CONVENER_KEY={q(cert.convener_fingerprint)}",
        f"TEXT={q(v.sha)}",
        f"DOC={q(cert.document)}",
        f"BLOB={q(cert.text_blob)}",
        _PROGRAM.rstrip("\n"),
        "# This certificate's facts.",
        "check_root",
    ]
    for change in cert.rosters:
        lines.append(
            f"check_roster {q(change.sha)} {q(change.actor)} {q(change.prior)} "
            f"{q(change.fingerprint)}"
        )
        for mark in change.marks:
            if mark.action == Action.ENDORSE:
                lines.append(
                    f"  check_endorsement {q(mark.sha)} {q(mark.actor)} {q(mark.roster)} "
                    f"{q(mark.fingerprint)}"
                )
            else:
                lines.append(f"  check_proof {q(mark.sha)} {q(mark.actor)} {q(mark.fingerprint)}")
        lines.append("established")
    lines.append(f"check_text {q(v.actor)} {q(cert.version_roster)} {q(cert.version_fingerprint)}")
    for kind, items in (("check_sign", cert.signatures), ("check_endorse", cert.endorsements)):
        lines += [f"{kind} {q(a.sha)} {q(a.actor)} {q(a.roster)} {q(a.fingerprint)}" for a in items]
    lines += [
        "check_revocations",
        "check_agreed",
        'echo "certificate verified: every party signed $TEXT ($DOC) and the mediator quorum '
        "endorsed it, each with the key the roster in force gives it, all descending from "
        'the trusted root $ROOT"',
    ]
    return "\n".join(lines) + "\n"
