"""The negotiation store: a bare git repository, one branch per actor, every version signed.

Writing follows one discipline: every rule is checked (by `protocol`) against objects computed
but not yet stored; only then are blobs, trees and the signed commit written, and the actor's
branch moved by compare-and-swap. A lost swap reloads, re-checks and re-signs. A crash at any
point leaves at most unreachable objects.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from penholder.core.errors import InputError, RefusedError, StoreError
from penholder.core.model import (
    ROSTER_ONLY_ACTIONS,
    SAME_TREE_ACTIONS,
    TEXT_ACTIONS,
    Action,
    Version,
    document_path,
)
from penholder.core.store.cache import VersionIndex
from penholder.core.store.gitrepo import GitRepo, RefMovedError, parse_tree, run_git, tree_bytes
from penholder.core.trust import sshsig
from penholder.core.trust.commit import (
    CommitFormatError,
    RawCommit,
    Trailers,
    build_message,
    commit_links,
    ident,
    parse_commit,
    parse_message,
    version_from_commit,
)
from penholder.core.trust.history import History
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.roster import (
    ROSTER_FILE,
    SIGNERS_FILE,
    Actor,
    Roster,
    allowed_signers_after,
    check_roster,
    check_roster_to_write,
    parse_roster,
)
from penholder.core.trust.rosters import check_key_owners, check_roster_change, roster_judging
from penholder.core.trust.rules import Rule, Violation
from penholder.core.trust.text import first_unsafe, unsafe_problem
from penholder.core.trust.tips import retracts_voided_by, revocations_voided_by
from penholder.core.trust.versions import TreeFacts, check_against_store, check_version

CAS_ATTEMPTS = 200
PRIVATE_KEY_MARK = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
PLACEHOLDER_SHA = "0" * 40


def object_sha(kind: str, data: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(data)}\0".encode("ascii") + data).hexdigest()


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


@dataclass
class _Planned:
    """Objects computed for a version, not yet written."""

    objects: list[tuple[str, bytes]] = field(default_factory=list)
    tree: str = ""
    facts: TreeFacts | None = None
    old_signers: str = ""
    new_signers: str = ""


def decode_draft(data: bytes, where: str, limit: int) -> str:
    """The draft as text, or a one-line refusal: over the size limit, not UTF-8, holding a
    control or bidi character (carriage returns included), or private key material."""
    if len(data) > limit:
        raise RefusedError(
            f"{where} has {len(data):,} bytes, over the {limit:,}-byte limit of [rules]",
            rule="document-size",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where} is not UTF-8 text (byte {exc.start})", rule=Rule.DOCUMENT_ENCODING
        ) from exc
    found = first_unsafe(text)
    if found is not None:
        offset, name = found
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise InputError(
            f"{where} holds {name} at line {line}, column {column}: control and bidi "
            "characters are refused (save the file as UTF-8 text with plain newlines)",
            rule=Rule.CONTROL_CHARACTERS,
        )
    secret = PRIVATE_KEY_MARK.search(text)
    if secret:
        raise InputError(
            f"{where} holds private key material ({secret.group(0)}): a draft is read by every "
            "side, so it is refused",
            rule="document-secret",
        )
    return text


def check_text_fields(fields: Sequence[tuple[str, str | None]]) -> None:
    """Refuse, before anything is written, a field (named in the one-line error) that holds a
    control or bidi character."""
    for what, value in fields:
        problem = unsafe_problem(value, what) if value else None
        if problem is not None:
            raise InputError(problem, rule=Rule.CONTROL_CHARACTERS)


def roster_fields(roster: Roster) -> list[tuple[str, str | None]]:
    """The free-text fields of a roster a person reads: its title and the actors' names."""
    out: list[tuple[str, str | None]] = [
        ("the roster's title", roster.title),
        ("the negotiation id", roster.negotiation_id),
    ]
    out += [(f"the name of {a.id}", a.name) for a in roster.actors]
    return out


def checked_message(subject: str, note: str, trailers: Trailers) -> str:
    """The canonical message for these parts, checked to read back as written (so nothing is
    signed that Penholder or git would later read differently); refusals are InputErrors."""
    try:
        message = build_message(subject, note, trailers)
        if parse_message(message)[2] != trailers:
            raise CommitFormatError("the trailers do not read back as written")
    except CommitFormatError as exc:
        raise InputError(str(exc), rule=exc.rule) from exc
    return message


def _strip(value: str | None) -> str | None:
    value = value.strip() if value is not None else None
    return value or None


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
        return self.history.versions[self.history.root]

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
        best = None
        for sha in self.history.lineage.get(name, ()):
            if self.history.is_ancestor(sha, v.sha) and (
                best is None or self.history.gen[sha] > self.history.gen[best]
            ):
                best = sha
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
                place=_strip(request.place) if request.action == Action.ROUND else None,
                date=_strip(request.date) if request.action == Action.ROUND else None,
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
                trees[self.history.versions[sha].tree] = self.tree_facts(
                    self.history.versions[sha].tree
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
            if line in {k for _, k in self.history.roster_versions[sha].revoked}:
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

    def _plan_tree(self, request: Request, parents: tuple[str, ...]) -> _Planned:
        planned = _Planned()
        first = self.history.versions[parents[0]]
        base = self.tree_facts(first.tree)
        if request.action == Action.ROSTER:
            return self._plan_roster_tree(request, base)
        if request.action in SAME_TREE_ACTIONS:
            planned.tree = first.tree
            planned.facts = base
            return planned
        if base.roster_blob is None or base.signers_blob is None:
            raise StoreError(f"version {first.short} lacks the roster files")
        entries = [
            ("100644", ROSTER_FILE, base.roster_blob),
            ("100644", SIGNERS_FILE, base.signers_blob),
        ]
        documents: tuple[tuple[str, str, int], ...] = ()
        if request.action in TEXT_ACTIONS:
            name = request.document or ""
            text = request.text
            if text is None:
                if request.action != Action.FORWARD:
                    raise InputError(
                        f"a {request.action} needs the text of the draft", rule="input"
                    )
                found = self.document_of(first, name)
                text = (found[1] if found else "").encode("utf-8")
            blob = text
            blob_sha = object_sha("blob", blob)
            drafts = tree_bytes([("100644", f"{name}.md", blob_sha)])
            drafts_sha = object_sha("tree", drafts)
            planned.objects += [("blob", blob), ("tree", drafts)]
            entries.append(("40000", "drafts", drafts_sha))
            documents = ((name, blob_sha, len(blob)),)
        elif request.action not in ROSTER_ONLY_ACTIONS:
            raise StoreError(f"no tree rule for {request.action}")
        root = tree_bytes(entries)
        planned.tree = object_sha("tree", root)
        planned.objects.append(("tree", root))
        planned.facts = TreeFacts(planned.tree, base.roster_blob, base.signers_blob, documents)
        return planned

    def _plan_roster_tree(self, request: Request, base: TreeFacts) -> _Planned:
        if request.roster is None:
            raise InputError("a roster version needs the new roster", rule="input")
        if base.signers_blob is None:
            raise StoreError("the first parent lacks allowed_signers")
        planned = _Planned()
        planned.old_signers = self.repo.read(base.signers_blob)[1].decode("utf-8")
        planned.new_signers = allowed_signers_after(planned.old_signers, request.roster)
        roster_blob = request.roster.to_toml().encode("utf-8")
        signers_blob = planned.new_signers.encode("utf-8")
        entries = [
            ("100644", ROSTER_FILE, object_sha("blob", roster_blob)),
            ("100644", SIGNERS_FILE, object_sha("blob", signers_blob)),
        ]
        root = tree_bytes(entries)
        planned.tree = object_sha("tree", root)
        planned.objects += [("blob", roster_blob), ("blob", signers_blob), ("tree", root)]
        planned.facts = TreeFacts(planned.tree, entries[0][2], entries[1][2], ())
        return planned

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
        check_roster(roster)
        check_roster_to_write(roster)
        check_text_fields(
            [
                ("the place", place),
                ("the date", date),
                ("the subject", subject),
                *roster_fields(roster),
            ]
        )
        place, date = _strip(place), _strip(date)
        convener = roster.actor(roster.convener)
        assert convener is not None
        if public_key_line(key.public_key()) != convener.key:
            raise RefusedError(
                f"this key is not the convener {convener.id}'s key on the roster",
                rule="signature-key",
            )
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise InputError(f"{path} exists and is not empty", rule="repo-exists")
        stamp = int(time.time()) if when is None else when
        who = ident(convener.name, f"{convener.id}@{roster.negotiation_id}", stamp)
        trailers = Trailers(
            negotiation=roster.negotiation_id,
            action=Action.OPEN.value,
            actor=convener.id,
            round=1,
            place=place,
            date=date,
        )
        message = checked_message(subject or f"Open the negotiation: {roster.title}", "", trailers)
        repo = GitRepo.init_bare(path)
        roster_blob = roster.to_toml().encode("utf-8")
        signers_blob = roster.allowed_signers().encode("ascii")
        entries = [
            ("100644", ROSTER_FILE, repo.write("blob", roster_blob)),
            ("100644", SIGNERS_FILE, repo.write("blob", signers_blob)),
        ]
        tree = repo.write("tree", tree_bytes(entries))
        commit = RawCommit(tree, [], who, who, message)
        commit.signature = sshsig.sign(key, commit.payload())
        sha = repo.write("commit", commit.to_bytes())
        repo.update_ref(convener.id, sha, None, "penholder open")
        run_git(path, "symbolic-ref", "HEAD", f"refs/heads/{convener.id}")
        record_trusted_root(repo.git_dir, sha)
        repo.close()
        return cls(path)


TRUSTED_ROOT = "trusted-root"


def record_trusted_root(git_dir: Path, sha: str) -> None:
    """Remember the root this copy trusts (given out of band), for verify to hold it to."""
    folder = git_dir / "penholder"
    folder.mkdir(exist_ok=True)
    (folder / TRUSTED_ROOT).write_text(sha + "\n", encoding="ascii")


_FULL_SHA = re.compile(rb"[0-9a-f]{40}")


def trusted_root(git_dir: Path) -> str | None:
    try:
        data = (git_dir / "penholder" / TRUSTED_ROOT).read_bytes().strip()
    except OSError:
        return None
    if not _FULL_SHA.fullmatch(data):
        return None
    return data.decode("ascii")


def new_negotiation_id() -> str:
    return str(uuid.uuid4())


def raise_refusal(violations: list[Violation]) -> None:
    violations = list(dict.fromkeys(violations))
    if not violations:
        return
    first = violations[0]
    more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
    raise RefusedError(first.message + more, rule=first.rule)


def read_roster(repo: GitRepo, facts: TreeFacts) -> Roster | None:
    if facts.roster_blob is None:
        return None
    try:
        return parse_roster(repo.read(facts.roster_blob)[1].decode("utf-8"))
    except (InputError, UnicodeDecodeError):
        return None


def read_tree_facts(repo: GitRepo, tree: str) -> TreeFacts:
    kind, data = repo.read(tree)
    if kind != "tree":
        raise StoreError(f"{tree[:10]} is not a tree")
    return facts_from_entries(repo, tree, parse_tree(data))


def facts_from_entries(
    repo: GitRepo, tree: str, entries: list[tuple[str, str, str]], drafts: bytes | None = None
) -> TreeFacts:
    roster_blob = signers_blob = None
    documents: list[tuple[str, str, int]] = []
    stray: list[str] = []
    for mode, name, sha in entries:
        if name == ROSTER_FILE and mode == "100644":
            roster_blob = sha
        elif name == SIGNERS_FILE and mode == "100644":
            signers_blob = sha
        elif name == "drafts" and mode == "40000":
            sub = drafts if drafts is not None else repo.read(sha)[1]
            for sub_mode, sub_name, blob in parse_tree(sub):
                if sub_mode == "100644" and sub_name.endswith(".md"):
                    documents.append((sub_name[:-3], blob, -1))
                else:
                    stray.append(f"drafts/{sub_name}")
        else:
            stray.append(name)
    return TreeFacts(tree, roster_blob, signers_blob, tuple(documents), tuple(stray))


def unreadable_version(sha: str, data: bytes, problem: str) -> Version:
    """A stand-in for a commit that does not parse, linked to its parents as git reads them, so
    its descendants can be read (it fails verify and never counts)."""
    tree, parents, author = commit_links(data)
    return Version(
        sha, parents, tree, "", "", (), None, 1, (), "", None, None, problem, "", 0, author, author
    )


__all__ = ["Negotiation", "Request", "document_path", "new_negotiation_id"]
