"""The recipe that checks a certificate with git alone: one fixed POSIX shell program followed by
the certificate's facts as calls to it. It uses git and ssh-keygen (plus sh, grep, sed) and
exits non-zero at the first claim that does not hold. What it checks is `CHECKS`; what it
cannot is `CANNOT_CHECK`."""

from __future__ import annotations

import shlex

from penholder.core.model import Action
from penholder.core.views.certificate import Certificate

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
