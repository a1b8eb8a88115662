"""Store benchmarks: append latency, disk use and verification over a long negotiation.

A negotiation of N versions of a 100 KB document (a two-actor shuttle of amendments) is built
once and cached under the temp folder, keyed by N. Baselines run side by side in the same run:
the same commit made through git plumbing subprocesses, and `git log --show-signature`.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import WORDS, Row, bench_negotiation, ms
from penholder.core.model import Action
from penholder.core.store import packing
from penholder.core.store.negotiation import Negotiation, Request
from penholder.core.views.verify import verify
from penholder.demo.keys import demo_private_key

NEGOTIATION_ID = "0b7e3f3c-0000-4000-8000-00000000bench"


def document(size: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return words


def render(words: list[str]) -> bytes:
    lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
    return ("\n\n".join(lines) + "\n").encode()


def build(versions: int, folder: Path) -> Path:
    repo = folder / f"store-{versions}"
    if (repo / "penholder-bench-complete").exists():
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    store, keys = bench_negotiation(
        repo, "0b7e3f3c-0000-4000-8000-000000000001", {"qatar": "mediator", "pakistan": "party"}
    )
    words = document(100_000)
    rng = random.Random(1)
    version = store.act(
        Request(
            "qatar", Action.PROPOSE, "Base", to=("pakistan",), document="doc", text=render(words)
        ),
        keys["qatar"],
        when=1_700_000_060,
    )
    for n in range(versions - 2):
        actor, other = ("pakistan", "qatar") if n % 2 == 0 else ("qatar", "pakistan")
        words[rng.randrange(len(words))] = rng.choice(WORDS)
        version = store.act(
            Request(
                actor,
                Action.AMEND,
                f"Amend {n}",
                refers=(version.sha,),
                to=(other,),
                document="doc",
                text=render(words),
            ),
            keys[actor],
            when=1_700_000_120 + n,
        )
        if n % 1000 == 999:
            print(f"  built {n + 3} versions", flush=True, file=__import__("sys").stderr)
    store.close()
    wait_for_gc(repo)
    (repo / "penholder-bench-complete").write_text("")
    return repo


def wait_for_gc(repo: Path) -> None:
    """Let the pack the store itself started finish, and no more: the disk row measures what
    the store's own packing achieves while it writes."""
    packing.wait(repo, 300.0)


def disk_bytes(repo: Path) -> int:
    return sum(f.stat().st_size for f in repo.rglob("*") if f.is_file())


def plumbing_commit(repo: Path, text: bytes, parent: str, tree_of_roster: str) -> float:
    """The same version's objects written through git subprocesses: the ~7 ms baseline."""
    start = time.perf_counter()

    def git(*args: str, data: bytes | None = None) -> str:
        return (
            subprocess.run(
                ["git", "-C", str(repo), *args], input=data, capture_output=True, check=True
            )
            .stdout.decode()
            .strip()
        )

    blob = git("hash-object", "-w", "--stdin", data=text)
    drafts = git("mktree", data=f"100644 blob {blob}\tdoc.md\n".encode())
    listing = git("ls-tree", tree_of_roster)
    tree = git("mktree", data=(listing + f"\n040000 tree {drafts}\tdrafts\n").encode())
    commit = git("commit-tree", tree, "-p", parent, "-m", "baseline", data=None)
    git("update-ref", "refs/bench/baseline", commit)
    return time.perf_counter() - start


def run(quick: bool) -> list[Row]:
    versions = 1_000 if quick else 10_000
    folder = Path(tempfile.gettempdir()) / "penholder-bench"
    folder.mkdir(exist_ok=True)
    print(
        f"store: building {versions} versions of a 100 KB document (cached)…",
        file=__import__("sys").stderr,
    )
    repo = build(versions, folder)
    work = folder / f"work-{versions}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(repo, work)
    rows: list[Row] = []

    store = Negotiation(work)
    keys = {a: demo_private_key(a) for a in ("qatar", "pakistan")}
    tip = (
        store.history.version(store.tips["pakistan"])
        if store.tips["pakistan"] in store.history
        else None
    )
    last = max(store.history.shas_in_order(), key=store.history.generation)
    version = store.version(last)
    words = store.text_of(version).split()
    rng = random.Random(5)
    ours: list[float] = []
    theirs: list[float] = []
    root_tree = store.root.tree
    for n in range(40):
        actor = version.to[0]
        other = "qatar" if actor == "pakistan" else "pakistan"
        words[rng.randrange(len(words))] = rng.choice(WORDS)
        text = render(words)
        start = time.perf_counter()
        version = store.act(
            Request(
                actor,
                Action.AMEND,
                f"Bench {n}",
                refers=(version.sha,),
                to=(other,),
                document="doc",
                text=text,
            ),
            keys[actor],
        )
        ours.append(time.perf_counter() - start)
        theirs.append(plumbing_commit(work, text + b"baseline", version.sha, root_tree))
    del tip
    store.close()
    append = statistics.median(ours)
    baseline = statistics.median(theirs)
    rows.append(
        Row(
            "store",
            f"append 1 version to {versions:,} (100 KB doc), median",
            ms(append),
            f"git plumbing subprocesses {ms(baseline)}",
            f"{append / baseline:.2f}x",
            "<= 20 ms",
            append <= 0.020,
        )
    )

    size = disk_bytes(repo)
    logical = versions * 100_000
    rows.append(
        Row(
            "store",
            f"disk for {versions:,} versions",
            f"{size / 1e6:.1f} MB",
            f"document bytes {logical / 1e6:.0f} MB",
            f"{size / logical:.3f}x",
            "<= 30 MB" if versions >= 10_000 else "",
            size <= 30e6 if versions >= 10_000 else None,
        )
    )

    start = time.perf_counter()
    report = verify(repo)
    elapsed = time.perf_counter() - start
    assert report.ok, report.failures[:3]
    sample = 200
    signers = folder / "allowed_signers"
    signers.write_text(
        subprocess.run(
            ["git", "-C", str(repo), "show", "qatar:allowed_signers"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    start = time.perf_counter()
    subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "-c",
            f"gpg.ssh.allowedSignersFile={signers}",
            "log",
            "--show-signature",
            f"-{sample}",
            "pakistan",
        ],
        capture_output=True,
        check=True,
    )
    git_per_version = (time.perf_counter() - start) / sample
    ours_per_version = elapsed / report.versions
    rows.append(
        Row(
            "store",
            f"verify {report.versions:,} versions",
            f"{elapsed:.2f} s",
            f"git log --show-signature {git_per_version * 1000:.2f} ms/version",
            f"{git_per_version / ours_per_version:.0f}x faster per version",
            "<= 3 s and >= 30x",
            elapsed <= 3.0 and git_per_version / ours_per_version >= 30,
        )
    )
    shutil.rmtree(work, ignore_errors=True)
    os.environ.pop("PENHOLDER_BENCH", None)
    return rows
