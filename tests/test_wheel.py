"""The wheel works on its own: built from this checkout's sources, installed into a fresh
virtual environment in a temp folder, it builds and verifies the demo with its own code.

The new environment borrows the dependencies already installed for the tests (a `.pth` line
naming this interpreter's site-packages, which Python adds after the environment's own), so
nothing is downloaded but the build backend; the editable install of Penholder is not among
what it borrows, and the test checks that every Penholder module it runs comes from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = "Scripts" if os.name == "nt" else "bin"
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git missing")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def source_copy(folder: Path) -> Path:
    """The files a fresh clone of this working tree would hold, copied: building here leaves
    nothing in the checkout, and no stale `build/` folder can slip old modules into the wheel."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in sorted(set(filter(None, listed.split("\0")))):
        origin = ROOT / name
        if not os.path.lexists(origin):
            continue  # deleted in the working tree, not yet in the index
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, target, follow_symlinks=False)
    return folder


def build_wheel(source: Path, out: Path) -> Path:
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, source, cwd=out)
    (wheel,) = out.glob("penholder-*.whl")
    return wheel


def fresh_venv(folder: Path) -> Path:
    """A new environment (no pip of its own) that sees this interpreter's installed packages
    after its own, but not Penholder's editable install (a `.pth` file inside a folder named
    by a `.pth` line is not read, and that is how the editable install is hooked in)."""
    run(sys.executable, "-m", "venv", "--without-pip", folder, cwd=folder.parent)
    python = folder / BIN / ("python.exe" if os.name == "nt" else "python")
    own = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=folder)
    borrowed = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (Path(own.strip()) / "borrowed-test-dependencies.pth").write_text("\n".join(borrowed) + "\n")
    return python


def test_the_wheel_installed_outside_the_checkout_builds_and_verifies_the_demo(
    tmp_path: Path,
) -> None:
    source = source_copy(tmp_path / "source")
    out = tmp_path / "dist"
    out.mkdir()
    wheel = build_wheel(source, out)

    # Every file of the package ships: modules, stylesheets, the demo's seeds and drafts.
    shipped = {
        n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("penholder/") and n[-1] != "/"
    }
    package = source / "src"
    tracked = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    assert shipped == {t for t in tracked if t.startswith("penholder/")}
    assert "penholder/demo/seeds/istanbul-2025/script.toml" in shipped
    assert "penholder/demo/drafts/accord.md" in shipped

    venv = tmp_path / "venv"
    python = fresh_venv(venv)
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PENHOLDER_HOME"] = str(tmp_path / "home")
    # --ignore-installed: the borrowed site-packages lists the editable Penholder, same version.
    run(
        python,
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        "--ignore-installed",
        wheel,
        cwd=away,
        env=env,
    )

    # The code that runs is the wheel's, not the checkout's.
    where = run(
        python,
        "-c",
        "import sys, penholder.cli.main, penholder.demo.scenario, penholder.demo as d\n"
        "mods = [m for n, m in sys.modules.items() if n.split('.')[0] == 'penholder']\n"
        "print('\\n'.join(str(getattr(m, '__file__', None)) for m in mods))\n"
        "print(d.scenario_folder())",
        cwd=away,
        env=env,
    ).split()
    assert where and all(Path(w).is_relative_to(venv) for w in where), where
    penholder = venv / BIN / "penholder"
    assert "0.1.0" in run(penholder, "--version", cwd=away, env=env)

    demo = away / "demo"
    built = run(penholder, "demo", demo, "--no-tui", cwd=away, env=env)
    assert "demo-only-passphrase" in built and (demo / ".penholder-demo").is_file()
    verified = run(penholder, "-C", demo / "negotiation", "verify", "--json", cwd=away, env=env)
    assert json.loads(verified)["ok"] is True, verified
