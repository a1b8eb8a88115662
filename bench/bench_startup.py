"""How fast the command line starts, whole process, beside a bare Python and a git command.

- `python -c pass` and `git rev-parse HEAD`: the floor a Python tool and a git tool start from,
  and `python -c 'import click'`: the floor of a command line built on click;
- `penholder --version`: within 40 ms of the bare Python start (it imports click alone);
- `penholder status` on the demo negotiation: at most 120 ms (it reads every version afresh
  and checks the signatures an agreement counts);
- one key unlocked in-process (the bcrypt KDF of an OpenSSH key, deliberately slow), and a
  signing command (`comment`): it may cost `status` plus that unlock, and no more.

The demo is built once per run in a temp folder. Every process runs with compiled bytecode
(a temp `PYTHONPYCACHEPREFIX`, written by a first warm-up run), as an installed Penholder
would; a checkout run with PYTHONDONTWRITEBYTECODE would otherwise measure the compiler.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, ms

AREA = "startup"
VERSION_OVER_PYTHON = 0.040
STATUS_TARGET = 0.120
# What a signing command may cost beyond `status` and the unlock: writing the objects and the
# ref, and the cache. Reading the history is the part both share.
SIGNING_SLACK = 0.030


def environment(pycache: Path, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PENHOLDER_REPO", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["PENHOLDER_HOME"] = str(home)
    return env


def timed(command: list[str], env: dict[str, str], repeat: int, cwd: Path | None = None) -> float:
    """Median wall time of the whole process, after one warm-up run (which must succeed)."""
    warm = subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=False)
    if warm.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {warm.stderr.decode(errors='replace')}")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def unlock_seconds(home: Path, actor: str, passphrase: str, repeat: int) -> float:
    from penholder.core.store.keyfiles import KeyStore

    store = KeyStore(home)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        store.unlock(actor, passphrase.encode())
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(quick: bool) -> list[Row]:
    from penholder.demo.scenario import DEMO_PASSPHRASE

    repeat = 5 if quick else 15
    python = sys.executable
    # The installed command, as a person runs it (else the module, as the tests run it).
    script = Path(python).parent / "penholder"
    penholder = [str(script)] if script.exists() else [python, "-m", "penholder"]
    work = Path(tempfile.mkdtemp(prefix="penholder-bench-startup-"))
    try:
        demo = work / "demo"
        env = environment(work / "pycache", demo / "home")
        built = subprocess.run(
            [*penholder, "demo", str(demo), "--no-tui"], env=env, capture_output=True, check=False
        )
        if built.returncode != 0:
            raise RuntimeError(f"penholder demo: {built.stderr.decode(errors='replace')}")
        repo = demo / "negotiation"
        env["PENHOLDER_REPO"] = str(repo)
        env["PENHOLDER_PASSPHRASE"] = DEMO_PASSPHRASE

        bare = timed([python, "-c", "pass"], env, repeat)
        click = timed([python, "-c", "import click"], env, repeat)
        git = timed(["git", "rev-parse", "HEAD"], env, repeat, cwd=repo)
        version = timed([*penholder, "--version"], env, repeat)
        status = timed([*penholder, "status"], env, repeat)
        unlock = unlock_seconds(demo / "home", "qatar", DEMO_PASSPHRASE, repeat)
        tip = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "refs/heads/qatar"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        signing = timed(
            [*penholder, "comment", "--as", "qatar", "--refers", tip, "-m", "A timed comment"],
            env,
            repeat,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def over(value: float, base: float) -> str:
        return f"+{(value - base) * 1000:.0f} ms"

    return [
        Row(AREA, "python -c pass", ms(bare)),
        Row(AREA, "git rev-parse HEAD", ms(git)),
        Row(
            AREA,
            "python -c 'import click' (the floor of any click CLI)",
            ms(click),
            ms(bare),
            over(click, bare),
        ),
        Row(
            AREA,
            "penholder --version",
            ms(version),
            ms(bare),
            over(version, bare),
            f"<= +{VERSION_OVER_PYTHON * 1000:.0f} ms",
            version - bare <= VERSION_OVER_PYTHON,
        ),
        Row(
            AREA,
            "penholder status (demo, 51 versions)",
            ms(status),
            ms(bare),
            over(status, bare),
            f"<= {ms(STATUS_TARGET)}",
            status <= STATUS_TARGET,
        ),
        Row(AREA, "unlock one key (bcrypt KDF, in-process)", ms(unlock)),
        Row(
            AREA,
            "penholder comment (signs; demo)",
            ms(signing),
            f"{ms(status + unlock)} (status + unlock)",
            over(signing, status + unlock),
            f"<= +{SIGNING_SLACK * 1000:.0f} ms",
            signing - (status + unlock) <= SIGNING_SLACK,
        ),
    ]


if __name__ == "__main__":
    from bench.run import render

    print(render(run("--quick" in sys.argv)))
