"""Trees: what a version's tree holds, read from git, and the tree a new version will have,
computed (objects and all) before anything is written."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from penholder.core.errors import InputError, StoreError
from penholder.core.model import ROSTER_ONLY_ACTIONS, TEXT_ACTIONS, Action
from penholder.core.store.gitobjects import parse_tree, tree_bytes
from penholder.core.store.gitrepo import GitRepo
from penholder.core.trust.roster import (
    ROSTER_FILE,
    SIGNERS_FILE,
    Roster,
    allowed_signers_after,
    parse_roster,
)
from penholder.core.trust.versions import TreeFacts


def object_sha(kind: str, data: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(data)}\0".encode("ascii") + data).hexdigest()


def read_roster(repo: GitRepo, facts: TreeFacts) -> Roster | None:
    """The roster a tree carries, or None when it cannot be read. A blob's content is fixed by
    its sha, so each roster blob is read and parsed once per process (a negotiation's roster
    versions often carry the same few rosters)."""
    blob = facts.roster_blob
    if blob is None:
        return None
    if blob not in _ROSTER_OF_BLOB:
        if len(_ROSTER_OF_BLOB) >= _ROSTERS_KEPT:
            _ROSTER_OF_BLOB.clear()
        try:
            _ROSTER_OF_BLOB[blob] = parse_roster(repo.read(blob)[1].decode("utf-8"))
        except (InputError, UnicodeDecodeError):
            _ROSTER_OF_BLOB[blob] = None
    return _ROSTER_OF_BLOB[blob]


_ROSTERS_KEPT = 1024
_ROSTER_OF_BLOB: dict[str, Roster | None] = {}


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


@dataclass
class Planned:
    """Objects computed for a version, not yet written."""

    objects: list[tuple[str, bytes]] = field(default_factory=list)
    tree: str = ""
    facts: TreeFacts | None = None
    old_signers: str = ""
    new_signers: str = ""


def plan_tree(action: Action, document: str, text: bytes | None, base: TreeFacts) -> Planned:
    """The tree of a text or roster-only version: `base`'s roster files, and for a text action
    the draft `text` as `drafts/<document>.md`."""
    assert base.roster_blob is not None and base.signers_blob is not None
    planned = Planned()
    entries = [
        ("100644", ROSTER_FILE, base.roster_blob),
        ("100644", SIGNERS_FILE, base.signers_blob),
    ]
    documents: tuple[tuple[str, str, int], ...] = ()
    if action in TEXT_ACTIONS:
        assert text is not None
        blob_sha = object_sha("blob", text)
        drafts = tree_bytes([("100644", f"{document}.md", blob_sha)])
        drafts_sha = object_sha("tree", drafts)
        planned.objects += [("blob", text), ("tree", drafts)]
        entries.append(("40000", "drafts", drafts_sha))
        documents = ((document, blob_sha, len(text)),)
    elif action not in ROSTER_ONLY_ACTIONS:
        raise StoreError(f"no tree rule for {action}")
    root = tree_bytes(entries)
    planned.tree = object_sha("tree", root)
    planned.objects.append(("tree", root))
    planned.facts = TreeFacts(planned.tree, base.roster_blob, base.signers_blob, documents)
    return planned


def plan_roster_tree(roster: Roster, old_signers: str) -> Planned:
    """The tree of a `roster` version: the new roster, and allowed_signers kept and extended."""
    planned = Planned()
    planned.old_signers = old_signers
    planned.new_signers = allowed_signers_after(old_signers, roster)
    roster_blob = roster.to_toml().encode("utf-8")
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
