"""The accord certificate and printable redlines: what they state, and that a stranger's
git and ssh-keygen confirm it."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import git, penholder
from penholder.core.store.negotiation import Negotiation
from penholder.core.views.queries import table_state
from penholder.demo.scenario import demo_keys, load_scenario, replay

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    scenario = load_scenario(ROOT / "seeds" / "istanbul-2025")
    keys, negotiation_id = demo_keys(scenario, random_keys=False)
    replay(scenario, folder / "negotiation", keys, negotiation_id, repo_root=ROOT).close()
    return folder / "negotiation"


def agreed_accord(repo: Path) -> str:
    store = Negotiation(repo)
    agreed = next(
        d for d in table_state(store.history, store.roster).documents if d.name == "accord"
    ).agreed
    assert agreed is not None
    return agreed


def run_script(script: str, repo: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    cwd.mkdir(exist_ok=True)
    return subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=dict(os.environ, N=str(repo)),
        capture_output=True,
        text=True,
        check=False,
    )


def test_markdown_certificate_states_the_facts_and_verifies_with_git(
    demo_repo: Path, tmp_path: Path
) -> None:
    agreed = agreed_accord(demo_repo)
    out = tmp_path / "cert.md"
    made = penholder(demo_repo, "certificate", agreed, "-o", str(out))
    assert made.returncode == 0, made.stderr
    text = out.read_text()
    assert agreed in text and "Status: AGREED" in text
    for actor in ("pakistan", "afghanistan", "qatar", "turkiye"):
        assert f"({actor}, " in text
    assert text.count("| good |") == 4
    assert "withdraw" in text and "resume" in text and "round (Istanbul, 2025-10-25)" in text
    store = Negotiation(demo_repo)
    assert store.text_of(store.version(agreed)).rstrip("\n") in text
    script = re.search(r"```sh verify-it-yourself\n(.*?)```", text, re.S)
    assert script
    result = run_script(script.group(1), demo_repo, tmp_path / "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "certificate verified" in result.stdout
    assert 'Good "git" signature for' in result.stderr + result.stdout
    broken = script.group(1).replace(agreed, "0" * 40, 1)
    assert run_script(broken, demo_repo, tmp_path / "broken").returncode != 0


def test_html_certificate_carries_the_same_commands(demo_repo: Path, tmp_path: Path) -> None:
    agreed = agreed_accord(demo_repo)
    out = tmp_path / "cert.html"
    assert (
        penholder(demo_repo, "certificate", agreed, "--format", "html", "-o", str(out)).returncode
        == 0
    )
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<link" not in page and "<script" not in page
    assert "size: A4" in page and "counter(page)" in page
    script = re.search(r'<pre class="verify-it-yourself">(.*?)</pre>', page, re.S)
    assert script
    result = run_script(html.unescape(script.group(1)), demo_repo, tmp_path / "check")
    assert result.returncode == 0, result.stderr
    assert "DRAFT" not in page


def test_a_text_not_agreed_is_refused_unless_draft(demo_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "draft.md"
    refused = penholder(demo_repo, "certificate", "pakistan", "-o", str(out))
    assert refused.returncode == 1
    assert (
        refused.stderr.startswith("penholder: not-agreed: ")
        and len(refused.stderr.strip().splitlines()) == 1
    )
    assert not out.exists()
    annex = Negotiation(demo_repo).history.heads("annex-monitoring")[0]
    assert penholder(demo_repo, "certificate", annex, "--draft", "-o", str(out)).returncode == 0
    assert out.read_text().startswith("> **DRAFT — NOT AGREED.**")
    page = tmp_path / "draft.html"
    assert (
        penholder(
            demo_repo, "certificate", annex, "--draft", "--format", "html", "-o", str(page)
        ).returncode
        == 0
    )
    assert '@top-center { content: "DRAFT — NOT AGREED"' in page.read_text()
    assert '<div class="watermark">DRAFT</div>' in page.read_text()


def test_redline_html_names_both_versions(demo_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "red.html"
    made = penholder(demo_repo, "redline", "afghanistan~3", "--format", "html", "-o", str(out))
    assert made.returncode == 0, made.stderr
    page = out.read_text()
    new = git(demo_repo, "rev-parse", "afghanistan~3").strip()
    old = git(demo_repo, "rev-parse", "afghanistan~3^1").strip()
    assert new in page and old in page
    assert "<del>" in page and "<ins>" in page and "paragraphs changed" in page
    assert "✓ good" in page


def _ink(pdf: Path) -> float:
    import pypdfium2

    image = pypdfium2.PdfDocument(str(pdf))[0].render(scale=0.5).to_pil().convert("L")
    dark = sum(1 for value in image.tobytes() if value < 200)
    return float(dark) / float(image.width * image.height)


def test_pdf_first_page_is_not_blank(demo_repo: Path, tmp_path: Path) -> None:
    if not os.environ.get("CI"):
        pytest.importorskip("weasyprint")
    agreed = agreed_accord(demo_repo)
    pdf = tmp_path / "cert.pdf"
    made = penholder(demo_repo, "certificate", agreed, "--format", "pdf", "-o", str(pdf))
    assert made.returncode == 0, made.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _ink(pdf) > 0.01
    red = tmp_path / "red.pdf"
    assert (
        penholder(
            demo_repo,
            "redline",
            "--round",
            "2",
            "--doc",
            "accord",
            "--format",
            "pdf",
            "-o",
            str(red),
        ).returncode
        == 0
    )
    assert _ink(red) > 0.01


def test_pdf_without_weasyprint_says_how_to_get_it(demo_repo: Path, tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['weasyprint'] = None\n"
        "from penholder.cli.main import main\n"
        f"main(['-C', {str(demo_repo)!r}, 'certificate', 'qatar', '--draft', '--format', 'pdf', "
        f"'-o', {str(tmp_path / 'x.pdf')!r}])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "pip install 'penholder[pdf]'" in result.stderr


def test_certificate_of_a_fresh_agreement(tmp_path: Path) -> None:
    from helpers import make_table, shuttle

    table = make_table(tmp_path / "neg")
    v = shuttle(table)
    made = penholder(table.path, "certificate", v["forward2"].sha, "-o", str(tmp_path / "c.md"))
    assert made.returncode == 0, made.stderr
    assert "Status: AGREED" in (tmp_path / "c.md").read_text()
