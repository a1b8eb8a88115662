"""The negotiation store: a bare git repository, one branch per actor, every version signed.

Writing follows one discipline: every rule is checked (by the trust kernel) against objects computed
but not yet stored; only then are blobs, trees and the signed commit written, and the actor's
branch moved by compare-and-swap. A lost swap reloads, re-checks and re-signs. A crash at any
point leaves at most unreachable objects.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from penholder.core.errors import (
    CommitFormatError,
    InputError,
    RefMovedError,
    RefusedError,
    StoreError,
)
from penholder.core.model import SAME_TREE_ACTIONS, TEXT_ACTIONS, Action, Version, document_path
from penholder.core.store.cache import VersionIndex
from penholder.core.store.gitrepo import GitRepo
from penholder.core.store.inputs import (
    check_text_fields,
    checked_message,
    decode_draft,
    raise_refusal,
    roster_fields,
    strip_field,
)
from penholder.core.store.opening import write_root
from penholder.core.store.trees import (
    Planned,
    object_sha,
    plan_roster_tree,
    plan_tree,
    read_roster,
    read_tree_facts,
)
from penholder.core.trust import sshsig
from penholder.core.trust.commit import (
    RawCommit,
    ident,
    parse_commit,
    unreadable_version,
    version_from_commit,
)
from penholder.core.trust.history import History
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.message import Trailers, parse_message
from penholder.core.trust.roster import Actor, Roster, check_roster_to_write
from penholder.core.trust.rosters import check_key_owners, check_roster_change, roster_judging
from penholder.core.trust.rules import Rule
from penholder.core.trust.tips import retracts_voided_by, revocations_voided_by
from penholder.core.trust.versions import TreeFacts, check_against_store, check_version

CAS_ATTEMPTS = 200
PLACEHOLDER_SHA = "0" * 40


@dataclass
class Request:
    """One action an actor wants to take; the store fills in parents, tree and round."""

    actor: str
    action: Action
    subject: str
    refers: tuple[str, ...] = ()
    to: tuple[str, ...] = ()
    document: str | None = None
    text: bytes | None = None
    note: str = ""
    round_number: int | None = None
    place: str | None = None
    date: str | None = None
    roster: Roster | None = None  # the new roster, for a `roster` version


class Negotiation:
    """One negotiation repository, opened for reading and acting."""

    def __init__(self, path: Path, *, use_cache: bool = True) -> None:
        """Open a negotiation. With `use_cache=False` every version is read afresh from git
        (what a command claims — agreement, a certificate — never rests on the cache)."""
        self.path = path
        self.repo = GitRepo(path)
        self.index = VersionIndex(self.repo.git_dir)
        self.history = History()
        self._tips: dict[str, str] = {}
        self._facts: dict[str, TreeFacts] = {}
        for v in self.index.load() if use_cache else ():
            if all(p in self.history for p in v.parents):
                self.history.add(v, roster=self._carried_roster(v))
        self.refresh()
        if self.history.root is None:
            raise StoreError(f"{path} holds no negotiation (no open version)")
        if self.history.root_roster is None:
            raise StoreError(
                f"the root of {path} carries no readable roster: run penholder verify",
                rule=Rule.ROOT,
            )

    def close(self) -> None:
        self.repo.close()

    # reading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Take in versions that arrived since the last look (another process, a sync)."""
        tips = self.repo.branches()
        if tips == self._tips:
            return
        unknown = [sha for sha in tips.values() if sha not in self.history]
        if unknown:
            known = [sha for sha in tips.values() if sha in self.history]
            new = [s for s in self.repo.rev_list(unknown, known) if s not in self.history]
            added = self._read_versions(new)
            self.index.append(added)
        self._tips = tips

    def _read_versions(self, shas: Sequence[str]) -> list[Version]:
        raw = self.repo.read_many(shas)
        added = []
        for sha in shas:
            kind, data = raw[sha]
            if kind != "commit":
                continue
            try:
                commit = parse_commit(data)
                version = version_from_commit(sha, commit)
            except CommitFormatError as exc:
                version = unreadable_version(sha, data, str(exc))
            self.history.add(version, roster=self._carried_roster(version))
            added.append(version)
        return added

    def _carried_roster(self, v: Version) -> Roster | None:
        """The roster an `open` or `roster` version's tree carries (None if unreadable)."""
        if v.action not in (Action.OPEN, Action.ROSTER) or not v.tree:
            return None
        return read_roster(self.repo, self.tree_facts(v.tree))

    @property
    def tips(self) -> dict[str, str]:
        return dict(self._tips)

    @property
    def root(self) -> Version:
        assert self.history.root is not None
        return self.history.version(self.history.root)

    @property
    def roster(self) -> Roster:
        """The roster in force at the newest versions of every branch."""
        return self.history.roster_in_force(self._tips.values())

    def roster_at(
        self, parents: Sequence[str], action: Action, actor: str, refers: Sequence[str]
    ) -> Roster:
        """The roster a new version with these parents would be judged by."""
        return roster_judging(self.history, parents, action, actor, refers)

    def tree_facts(self, tree: str) -> TreeFacts:
        cached = self._facts.get(tree)
        if cached is None:
            cached = self._facts[tree] = read_tree_facts(self.repo, tree)
        return cached

    def version(self, sha: str) -> Version:
        found = self.history.get(sha)
        if found is None:
            raise StoreError(f"{sha[:10]} is not a version of this negotiation")
        return found

    def resolve(self, rev: str) -> Version:
        return self.version(self.repo.rev_parse(rev))

    def document_of(self, v: Version, name: str | None = None) -> tuple[str, str] | None:
        """(name, text) of the document a version's tree carries, or, with `name`, the newest
        text version of that document among its ancestors."""
        facts = self.tree_facts(v.tree)
        for doc, blob, _ in facts.documents:
            if name is None or doc == name:
                return doc, self.repo.read(blob)[1].decode("utf-8", "replace")
        if name is None:
            return None
        best = self.history.latest_of(name, at=v.sha)
        return None if best is None else self.document_of(self.version(best), name)

    def text_of(self, v: Version) -> str:
        found = self.document_of(v)
        if found is None:
            raise StoreError(f"version {v.short} carries no document")
        return found[1]

    # writing -------------------------------------------------------------------------------

    def act(self, request: Request, key: Ed25519PrivateKey, when: int | None = None) -> Version:
        """Check, sign and store one version. Refusals raise before anything is written."""
        check_text_fields(
            [
                ("the subject", request.subject),
                ("the note", request.note),
                ("the place", request.place),
                ("the date", request.date),
                ("the document name", request.document),
                *(roster_fields(request.roster) if request.roster is not None else []),
            ]
        )
        if request.text is not None:
            decode_draft(
                request.text, f"the draft of {request.document}", self.roster.rules.max_draft_bytes
            )
        if request.roster is not None:
            check_roster_to_write(request.roster)
        for _attempt in range(CAS_ATTEMPTS):
            self.refresh()
            old_tip = self._tips.get(request.actor)
            parents = self._parents(request, old_tip)
            roster = self.roster_at(parents, request.action, request.actor, request.refers)
            actor = self._check_signer(roster, request.actor, key)
            planned = self._plan_tree(request, parents)
            number = (
                request.round_number
                if request.action == Action.ROUND and request.round_number is not None
                else self.history.round_of_parents(parents)
            )
            stamp = int(time.time()) if when is None else when
            who = ident(actor.name, f"{actor.id}@{roster.negotiation_id}", stamp)
            trailers = Trailers(
                negotiation=roster.negotiation_id,
                action=request.action.value,
                actor=request.actor,
                to=request.to,
                document=request.document,
                round=number,
                refers=request.refers,
                place=strip_field(request.place) if request.action == Action.ROUND else None,
                date=strip_field(request.date) if request.action == Action.ROUND else None,
            )
            message = checked_message(request.subject, request.note, trailers)
            subject, note, _ = parse_message(message)
            candidate = Version(
                sha=PLACEHOLDER_SHA,
                parents=parents,
                tree=planned.tree,
                actor=request.actor,
                action=request.action.value,
                to=request.to,
                document=request.document,
                round=number,
                refers=request.refers,
                negotiation=roster.negotiation_id,
                place=trailers.place,
                date=trailers.date,
                subject=subject,
                note=note,
                time=stamp,
                author=who,
                committer=who,
            )
            assert planned.facts is not None
            trees = {planned.tree: planned.facts}
            for sha in parents[:1]:
                trees[self.history.version(sha).tree] = self.tree_facts(
                    self.history.version(sha).tree
                )
            violations = check_version(
                candidate, self.history, roster, trees, carried_roster=request.roster
            )
            violations += check_against_store(candidate, self.history, roster)
            violations += retracts_voided_by(self.history, candidate, request.roster)
            violations += revocations_voided_by(self.history, candidate, request.roster)
            if request.action == Action.ROSTER and request.roster is not None:
                violations += check_roster_change(
                    roster, request.roster, planned.old_signers, planned.new_signers
                )
                violations += check_key_owners(self.history, parents, request.roster)
            raise_refusal(violations)
            commit = RawCommit(planned.tree, list(parents), who, who, message)
            commit.signature = sshsig.sign(key, commit.payload())
            data = commit.to_bytes()
            for kind, body in planned.objects:
                if not self.repo.has(object_sha(kind, body)):
                    self.repo.write(kind, body)
            sha = self.repo.write("commit", data)
            try:
                self.repo.update_ref(
                    request.actor, sha, old_tip, f"penholder {request.action.value}"
                )
            except RefMovedError:
                continue  # someone else moved the branch: reload, re-check, re-sign
            version = version_from_commit(sha, parse_commit(data))
            self.history.add(version, roster=request.roster)
            self._tips[request.actor] = sha
            self.index.append([version])
            self.repo.maybe_pack()
            return version
        raise StoreError(
            f"the branch {request.actor!r} kept moving: gave up after {CAS_ATTEMPTS} tries"
        )

    def _check_signer(self, roster: Roster, actor_id: str, key: Ed25519PrivateKey) -> Actor:
        actor = roster.actor(actor_id)
        if actor is None:
            raise RefusedError(f"{actor_id!r} is not on the roster in force", rule="actor-unknown")
        line = public_key_line(key.public_key())
        if line != actor.key:
            raise RefusedError(
                f"this key is not {actor.id}'s key on the roster in force ({actor.fingerprint})",
                rule="signature-key",
            )
        for sha in self.history.effective_anywhere():
            if line in {k for _, k in self.history.roster_carried_by(sha).revoked}:
                raise RefusedError(
                    f"this key was revoked by roster version {sha[:10]}", rule="revoked-key"
                )
        return actor

    def _parents(self, request: Request, old_tip: str | None) -> tuple[str, ...]:
        for sha in request.refers:
            if sha not in self.history:
                raise RefusedError(
                    f"{sha[:10]} is not a version of this negotiation", rule="refers-missing"
                )
        root = self.history.root
        assert root is not None
        parents = list(request.refers) if request.refers else [old_tip or root]
        if old_tip is not None and not self.history.reaches(parents, old_tip):
            parents.append(old_tip)
        return tuple(parents)

    def _plan_tree(self, request: Request, parents: tuple[str, ...]) -> Planned:
        first = self.history.version(parents[0])
        base = self.tree_facts(first.tree)
        if request.action == Action.ROSTER:
            if request.roster is None:
                raise InputError("a roster version needs the new roster", rule="input")
            if base.signers_blob is None:
                raise StoreError("the first parent lacks allowed_signers")
            old_signers = self.repo.read(base.signers_blob)[1].decode("utf-8")
            return plan_roster_tree(request.roster, old_signers)
        if request.action in SAME_TREE_ACTIONS:
            return Planned(tree=first.tree, facts=base)
        if base.roster_blob is None or base.signers_blob is None:
            raise StoreError(f"version {first.short} lacks the roster files")
        name = request.document or ""
        text = request.text
        if request.action in TEXT_ACTIONS and text is None:
            if request.action != Action.FORWARD:
                raise InputError(f"a {request.action} needs the text of the draft", rule="input")
            found = self.document_of(first, name)
            text = (found[1] if found else "").encode("utf-8")
        return plan_tree(request.action, name, text, base)

    # creating ------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        roster: Roster,
        key: Ed25519PrivateKey,
        *,
        place: str | None = None,
        date: str | None = None,
        when: int | None = None,
        subject: str | None = None,
    ) -> Negotiation:
        """Make a new negotiation: a bare repository whose single root is the `open` version."""
        write_root(path, roster, key, place=place, date=date, when=when, subject=subject)
        return cls(path)


def new_negotiation_id() -> str:
    return str(uuid.uuid4())


__all__ = ["Negotiation", "Request", "document_path", "new_negotiation_id"]
