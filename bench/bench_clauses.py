"""Attribution (blame) of a 1 MB document with 200 versions, and the clause table.

Baseline side by side: `git blame` of the same document on a plain git history of the same
200 texts (line-level, as git does it), built in the same run.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import WORDS, Row, bench_negotiation
from penholder.core.model import Action
from penholder.core.store.negotiation import Negotiation, Request
from penholder.core.views.blame import blame
from penholder.core.views.clauses import clause_table


def document(size: int, rng: random.Random) -> list[str]:
    paragraphs: list[str] = []
    total = 0
    number = 0
    while total < size:
        number += 1
        if number % 12 == 1:
            paragraphs.append(f"## {number // 12 + 1}. {' '.join(rng.choices(WORDS, k=4)).title()}")
        text = (
            f"{number // 12 + 1}.{number % 12 + 1} "
            + " ".join(rng.choices(WORDS, k=rng.randint(30, 90)))
            + "."
        )
        paragraphs.append(text)
        total += len(text) + 2
    return paragraphs


def build(versions: int, size: int, folder: Path) -> tuple[Path, Path]:
    repo = folder / f"blame-{versions}-{size}"
    plain = folder / f"blame-plain-{versions}-{size}"
    if (repo / "bench-complete").exists():
        return repo, plain
    shutil.rmtree(repo, ignore_errors=True)
    shutil.rmtree(plain, ignore_errors=True)
    store, keys = bench_negotiation(
        repo,
        "0b7e3f3c-0000-4000-8000-00000000b1a3",
        {"qatar": "mediator", "pakistan": "party", "afghanistan": "party"},
    )
    rng = random.Random(3)
    paragraphs = document(size, rng)
    subprocess.run(["git", "init", "-q", str(plain)], check=True)
    text = "\n\n".join(paragraphs) + "\n"

    def plain_commit(n: int, author: str) -> None:
        (plain / "doc.md").write_text(text)
        subprocess.run(["git", "-C", str(plain), "add", "doc.md"], check=True)
        subprocess.run(
            [
                "git",
                "-C",
                str(plain),
                "-c",
                f"user.name={author}",
                "-c",
                "user.email=x@y",
                "commit",
                "-q",
                "-m",
                f"v{n}",
            ],
            check=True,
        )

    version = store.act(
        Request(
            "qatar", Action.PROPOSE, "Base", to=("pakistan",), document="doc", text=text.encode()
        ),
        keys["qatar"],
        when=1_700_000_060,
    )
    plain_commit(0, "qatar")
    cycle = ["pakistan", "qatar", "afghanistan", "qatar"]
    for n in range(versions - 1):
        actor = cycle[n % 4]
        following = cycle[(n + 1) % 4]
        for _ in range(3):  # a few words changed in a few paragraphs
            k = rng.randrange(len(paragraphs))
            words = paragraphs[k].split(" ")
            words[rng.randrange(1, len(words))] = rng.choice(WORDS)
            paragraphs[k] = " ".join(words)
        text = "\n\n".join(paragraphs) + "\n"
        version = store.act(
            Request(
                actor,
                Action.AMEND,
                f"v{n}",
                refers=(version.sha,),
                to=(following,),
                document="doc",
                text=text.encode(),
            ),
            keys[actor],
            when=1_700_000_120 + n,
        )
        plain_commit(n + 1, actor)
    store.close()
    (repo / "bench-complete").write_text("")
    return repo, plain


def run(quick: bool) -> list[Row]:
    versions, size = (40, 200_000) if quick else (200, 1_000_000)
    folder = Path(tempfile.gettempdir()) / "penholder-bench"
    folder.mkdir(exist_ok=True)
    print(
        f"clauses: building {versions} versions of a {size // 1000} KB document (cached)…",
        file=sys.stderr,
    )
    repo, plain = build(versions, size, folder)
    store = Negotiation(repo)
    tip = store.version(max(store.tips.values(), key=store.history.generation))
    start = time.perf_counter()
    spans = blame(store, tip, "doc")
    ours = time.perf_counter() - start
    assert "".join(s.text for s in spans) == store.text_of(tip)
    start = time.perf_counter()
    subprocess.run(
        ["git", "-C", str(plain), "blame", "--porcelain", "doc.md"], capture_output=True, check=True
    )
    theirs = time.perf_counter() - start
    start = time.perf_counter()
    table = clause_table(store, tip, "doc")
    clauses = time.perf_counter() - start
    return [
        Row(
            "clauses",
            f"blame {size // 1000} KB, {versions} versions (word level)",
            f"{ours:.2f} s",
            f"git blame (line level) {theirs:.2f} s",
            f"{ours / theirs:.1f}x",
            "< 2 s" if not quick else "",
            ours < 2.0 if not quick else None,
        ),
        Row(
            "clauses",
            f"clause table, {len(table)} clauses, {versions} versions",
            f"{clauses:.2f} s",
        ),
    ]
