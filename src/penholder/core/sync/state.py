"""What the app shows about sync: remotes, ahead/behind counts, and when each actor was heard.

`<gitdir>/penholder/sync.json` is a small derived record: for each actor, the last sync that
brought one of its versions (when, from where, which version), and for each remote or bundle the
time of its last sync. It only informs a person; nothing trusts it, and a lost or torn file is
simply empty. Ahead/behind counts compare each branch with the remote's last fetched state, the
`refs/remotes/<remote>/<branch>` refs that `sync` keeps.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from penholder.core.errors import InputError
from penholder.core.store.gitobjects import run_git
from penholder.core.store.gitrepo import GitRepo

if TYPE_CHECKING:
    from penholder.core.store.negotiation import Negotiation

RECORD_FILE = "sync.json"


# remotes ----------------------------------------------------------------------------------------


def absolute_url(url: str, base: Path) -> str:
    """A URL git can use from any folder: a relative local path becomes absolute (from `base`)."""
    if "://" in url or os.path.isabs(url):
        return url
    head = url.split("/", 1)[0]
    if ":" in head:  # scp-like `host:path`
        return url
    return str((base / url).resolve())


def remotes(path: Path) -> dict[str, str]:
    """Every configured remote: name -> URL."""
    out = run_git(path, "config", "--get-regexp", r"^remote\..*\.url$", check=False)
    found: dict[str, str] = {}
    for line in out.stdout.decode("utf-8", "replace").splitlines():
        key, _, url = line.partition(" ")
        found[key[len("remote.") : -len(".url")]] = url
    return found


def add_remote(path: Path, name: str, url: str) -> str:
    """`git remote add NAME URL` (fetching `refs/heads/*` to `refs/remotes/NAME/*`)."""
    GitRepo(path).close()
    if name in remotes(path):
        raise InputError(f"a remote named {name!r} already exists", rule="remote-exists")
    url = absolute_url(url, Path.cwd())
    result = run_git(path, "remote", "add", "--", name, url, check=False)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(
            f"cannot add remote {name!r}: {message[-1] if message else 'git refused'}",
            rule="remote-name",
        )
    return url


# the record -------------------------------------------------------------------------------------


def _record_path(git_dir: Path) -> Path:
    return git_dir / "penholder" / RECORD_FILE


def load_record(git_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads(_record_path(git_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"heard": {}, "sources": {}}
    if not isinstance(data, dict):
        return {"heard": {}, "sources": {}}
    for key in ("heard", "sources"):
        if not isinstance(data.get(key), dict):
            data[key] = {}
    return data


def note_sync(
    git_dir: Path, source: str, when: int, heard: dict[str, tuple[str, int]], summary: str
) -> None:
    """Record a sync from `source`; `heard` maps actor -> (newest version brought, its time)."""
    record = load_record(git_dir)
    record["sources"][source] = {"time": when, "summary": summary}
    for actor, (sha, version_time) in heard.items():
        record["heard"][actor] = {
            "time": when,
            "source": source,
            "version": sha,
            "version_time": version_time,
        }
    folder = _record_path(git_dir).parent
    folder.mkdir(exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".sync-", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=1, sort_keys=True)
    os.replace(tmp, _record_path(git_dir))


# what the app shows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BranchState:
    """One branch against a remote's last fetched state (`refs/remotes/<remote>/<branch>`)."""

    branch: str
    local: str | None
    remote: str | None
    ahead: int  # versions here that the remote did not show at the last fetch
    behind: int  # versions the remote showed that are not here (refused, or fetched by git)

    def to_json(self) -> dict[str, object]:
        return {
            "branch": self.branch,
            "local": self.local,
            "remote": self.remote,
            "ahead": self.ahead,
            "behind": self.behind,
        }


def branch_states(path: Path, remote: str = "origin") -> list[BranchState]:
    """For each branch here or on `remote` (as last fetched): how far ahead and behind."""
    repo = GitRepo(path)
    try:
        local = repo.branches()
    finally:
        repo.close()
    prefix = f"refs/remotes/{remote}/"
    out = run_git(path, "for-each-ref", "--format=%(objectname) %(refname)", prefix)
    tracked = {}
    for line in out.stdout.decode("utf-8", "replace").splitlines():
        sha, _, ref = line.partition(" ")
        if ref[len(prefix) :] != "HEAD":
            tracked[ref[len(prefix) :]] = sha
    states = []
    for branch in sorted(set(local) | set(tracked)):
        mine, theirs = local.get(branch), tracked.get(branch)
        ahead = _count(path, [mine], [theirs] if theirs else list(tracked.values()))
        behind = _count(path, [theirs], [mine] if mine else list(local.values()))
        states.append(BranchState(branch, mine, theirs, ahead, behind))
    return states


def _count(path: Path, include: list[str | None], exclude: list[str]) -> int:
    wanted = [sha for sha in include if sha]
    if not wanted:
        return 0
    args = wanted + ["^" + sha for sha in exclude]
    out = run_git(path, "rev-list", "--count", "--stdin", input="\n".join(args).encode() + b"\n")
    return int(out.stdout.decode("ascii").strip() or 0)


@dataclass(frozen=True)
class Heard:
    """When an actor was last heard from.

    `newest_time` is the time written in the actor's newest version here (signer-written: it
    informs, it proves nothing); `synced_at` is when a sync last brought one of its versions,
    from `source` (a remote name, URL or bundle file).
    """

    actor: str
    newest_version: str | None
    newest_time: int | None
    synced_at: int | None
    source: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "actor": self.actor,
            "newest_version": self.newest_version,
            "newest_time": self.newest_time,
            "synced_at": self.synced_at,
            "source": self.source,
        }


def last_heard(path: Path, negotiation: Negotiation | None = None) -> dict[str, Heard]:
    """For each actor of the roster: its newest version here and the last sync that brought one.

    Pass the app's open `negotiation` to spare reading the history again."""
    from penholder.core.store.negotiation import Negotiation

    own = negotiation is None
    if negotiation is None:
        negotiation = Negotiation(path)
    try:
        negotiation.refresh()
        history = negotiation.history
        record = load_record(negotiation.repo.git_dir)
        out = {}
        actors = [*negotiation.roster.ids(), *sorted(history.actors())]
        for actor in dict.fromkeys(actors):
            newest = history.latest_by(actor)
            seen = record["heard"].get(actor)
            seen = seen if isinstance(seen, dict) else {}
            synced = seen.get("time")
            source = seen.get("source")
            out[actor] = Heard(
                actor,
                newest,
                history.version(newest).time if newest else None,
                synced if isinstance(synced, int) else None,
                source if isinstance(source, str) else None,
            )
        return out
    finally:
        if own:
            negotiation.close()
