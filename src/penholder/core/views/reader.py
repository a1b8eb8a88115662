"""Reading a whole negotiation's trees and drafts in bulk, for `verify`: root trees, then
`drafts/` trees, then every draft blob once, streamed."""

from __future__ import annotations

from penholder.core.errors import TreeFormatError
from penholder.core.store.gitobjects import parse_tree
from penholder.core.store.gitrepo import GitRepo
from penholder.core.store.trees import facts_from_entries
from penholder.core.trust.rules import Rule
from penholder.core.trust.text import first_unsafe_bytes, unsafe_problem
from penholder.core.trust.versions import TreeFacts

_HEX = frozenset("0123456789abcdef")


def _is_sha(value: str) -> bool:
    return len(value) == 40 and all(c in _HEX for c in value)


class TreeReader:
    """Reads a whole negotiation in bulk: root trees, then `drafts/` trees, then every draft
    blob once, streamed. What is not canonical is kept as a problem (rule, message) per tree
    or per blob, never raised."""

    def __init__(self, repo: GitRepo) -> None:
        self.repo = repo
        self.tree_problems: dict[str, tuple[str, str]] = {}
        self.blob_problems: dict[str, tuple[str, str]] = {}

    def _parse(self, shas: list[str]) -> dict[str, tuple[list[tuple[str, str, str]], bytes]]:
        out = {}
        for sha, kind, data in self.repo.iter_objects(shas, missing_ok=True):
            if kind != "tree":
                self.tree_problems[sha] = (Rule.TREE_FORM, f"{sha[:10]} is a {kind}, not a tree")
                continue
            try:
                out[sha] = (parse_tree(data), data)
            except TreeFormatError as exc:
                self.tree_problems[sha] = (Rule.TREE_FORM, f"tree {sha[:10]}: {exc.message}")
        return out

    def tree_facts(self, trees: set[str]) -> dict[str, TreeFacts]:
        parsed = self._parse(sorted(t for t in trees if _is_sha(t)))
        subs = self._parse(
            sorted(
                {
                    s
                    for entries, _ in parsed.values()
                    for m, n, s in entries
                    if n == "drafts" and m == "40000"
                }
            )
        )
        facts = {}
        for sha, (entries, _) in parsed.items():
            sub = next((s for m, n, s in entries if n == "drafts" and m == "40000"), None)
            if sub is not None and sub not in subs:
                self.tree_problems[sha] = self.tree_problems.get(
                    sub, (Rule.TREE_FORM, f"drafts/ {sub[:10]} cannot be read")
                )
                continue
            facts[sha] = facts_from_entries(
                self.repo, sha, entries, subs[sub][1] if sub is not None else b""
            )
        sizes = self.read_drafts(sorted({b for f in facts.values() for _, b, _ in f.documents}))
        return {
            sha: TreeFacts(
                f.sha,
                f.roster_blob,
                f.signers_blob,
                tuple((n, b, sizes.get(b, 0)) for n, b, _ in f.documents),
                f.stray,
            )
            for sha, f in facts.items()
        }

    def read_drafts(self, blobs: list[str]) -> dict[str, int]:
        """Each draft blob read once: its size, and whether it is UTF-8 text free of control
        and bidi characters."""
        sizes = {}
        for sha, kind, data in self.repo.iter_objects(blobs, missing_ok=True):
            sizes[sha] = len(data)
            if kind != "blob":
                self.blob_problems[sha] = (
                    Rule.TREE_FORM,
                    f"the draft {sha[:10]} is a {kind}, not a file",
                )
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.blob_problems[sha] = (
                    Rule.DOCUMENT_ENCODING,
                    f"the draft {sha[:10]} is not UTF-8 text (byte {exc.start})",
                )
                continue
            if first_unsafe_bytes(data) is not None:
                problem = unsafe_problem(text, f"the draft {sha[:10]}")
                if problem is not None:
                    self.blob_problems[sha] = (Rule.CONTROL_CHARACTERS, problem)
        return sizes
