"""The git plumbing Penholder needs, and nothing else: objects in, objects out, refs by CAS.

`GitRepo` opens (or creates) the bare repository of one negotiation; its object half is
`gitobjects.GitObjects` (reading, writing, trees), its ref half `gitrefs.GitRefs` (reading,
updating by compare-and-swap, hazards).
"""

from __future__ import annotations

import threading
from pathlib import Path

from penholder.core.errors import StoreError
from penholder.core.store import packing
from penholder.core.store.gitobjects import READ_AS_STORED, GitObjects, run_git
from penholder.core.store.gitrefs import GitRefs, repo_hazards
from penholder.core.trust.rules import Rule

# Pack once loose objects pass about this many (git samples objects/17 and multiplies by 256).
AUTO_PACK_OBJECTS = 512


class GitRepo(GitObjects, GitRefs):
    """A bare repository holding one negotiation."""

    def __init__(self, path: Path, *, hazards_ok: bool = False) -> None:
        """Open a repository; one with grafts or a shallow file is refused (rule ref-form)
        unless `hazards_ok` (verify and doctor open it to report them)."""
        # GitPython (tens of ms, and `git version` run twice) is imported by the first command
        # that opens a store, not by every command.
        import git

        self.path = path
        try:
            self._repo = git.Repo(path)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise StoreError(f"{path} is not a negotiation (no git repository there)") from exc
        # GitPython's persistent `cat-file --batch` reads objects as stored, like run_git.
        self._repo.git.update_environment(**READ_AS_STORED)
        self.git_dir = Path(self._repo.git_dir)
        self._lock = threading.Lock()
        if not hazards_ok:
            hazards = repo_hazards(self.git_dir)
            if hazards:
                self._repo.close()
                raise StoreError(f"{path}: {hazards[0].message}", rule=Rule.REF_FORM)

    @classmethod
    def init_bare(cls, path: Path) -> GitRepo:
        if path.exists() and any(path.iterdir()):
            raise StoreError(f"{path} exists and is not empty", rule="repo-exists")
        path.mkdir(parents=True, exist_ok=True)
        run_git(path, "init", "--bare", "--quiet", "--object-format=sha1", "--initial-branch=open")
        for key, value in (
            # Packing is Penholder's own (`packing`): git's auto-gc never starts on a fetch.
            ("gc.auto", "0"),
            ("receive.fsckObjects", "true"),
            ("fetch.fsckObjects", "true"),
            ("transfer.fsckObjects", "true"),
            ("core.logAllRefUpdates", "true"),
        ):
            run_git(path, "config", key, value)
        return cls(path)

    def close(self) -> None:
        self._repo.close()

    # housekeeping ---------------------------------------------------------------------------

    def maybe_pack(self) -> None:
        """Keep the store packed: a detached repack once loose objects pile up (see `packing`:
        git's own auto-gc samples one folder and can stop for a day on a gc.log warning)."""
        packing.maybe_pack(self.path, self.git_dir)
