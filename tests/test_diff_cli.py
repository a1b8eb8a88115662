"""`penholder diff` and `consolidate --auto` on real negotiations."""

from __future__ import annotations

import json
import subprocess

from helpers import TEXT, Table, penholder, shuttle, snapshot
from penholder.core.model import Action, Version
from penholder.core.store.keyfiles import KeyStore
from penholder.core.store.negotiation import Negotiation


def test_diff_of_one_version_is_its_amendment(table: Table) -> None:
    v = shuttle(table)
    result = penholder(table.path, "diff", v["amend"].sha, "--no-color")
    assert result.returncode == 0, result.stderr
    assert "{+strictly +}" in result.stdout or "{+strictly+}" in result.stdout
    assert v["forward"].short in result.stdout and v["amend"].short in result.stdout
    data = json.loads(penholder(table.path, "diff", v["amend"].sha, "--json").stdout)
    assert data["a"] == v["forward"].sha and data["b"] == v["amend"].sha
    assert data["document"] == "accord" and data["granularity"] == "word"
    assert data["simplified"] is False
    assert ["insert", "strictly "] in data["ops"] or any(
        op == "insert" and "strictly" in text for op, text in data["ops"]
    )
    assert "".join(t for op, t in data["ops"] if op != "delete") == TEXT.replace(
        "maintain", "strictly maintain"
    )
    assert data["stats"]["words_inserted"] == 1


def test_diff_between_two_versions_side_by_side_and_stat(table: Table) -> None:
    v = shuttle(table)
    both = penholder(
        table.path, "diff", v["propose"].sha, v["forward2"].sha, "--side-by-side", "--no-color"
    )
    assert both.returncode == 0, both.stderr
    assert "│" in both.stdout or "|" in both.stdout
    stat = penholder(table.path, "diff", v["propose"].sha, v["forward2"].sha, "--stat")
    assert "+1 word," in stat.stdout and stat.stdout.count("\n") <= 4
    chars = json.loads(
        penholder(table.path, "diff", v["amend"].sha, "--granularity", "char", "--json").stdout
    )
    assert chars["granularity"] == "char"


def test_diff_by_round_and_since_seen(table: Table) -> None:
    v = shuttle(table)
    table.act(
        "qatar",
        Action.ROUND,
        "Round 2",
        round_number=2,
        place="Istanbul",
        date="2025-10-25",
        to=("pakistan",),
    )
    receipt = table.act("pakistan", Action.RECEIPT, refers=(Negotiation(table.path).tips["qatar"],))
    amended = table.act(
        "pakistan", Action.PROPOSE, "Annex", document="annex", text=b"# Annex\n", to=("qatar",)
    )
    assert receipt.round == 2 and amended.round == 2
    by_round = json.loads(
        penholder(table.path, "diff", "--round", "1", "--doc", "accord", "--json").stdout
    )
    assert by_round["a"] is None  # the accord did not exist when round 1 opened
    assert by_round["b"] == v["forward2"].sha
    seen = penholder(
        table.path, "diff", "--since-seen", "--as", "afghanistan", "--doc", "accord", "--json"
    )
    assert seen.returncode == 0, seen.stderr
    data = json.loads(seen.stdout)
    assert data["a"] == v["amend"].sha and data["b"] == v["forward2"].sha


def test_several_heads_are_listed(table: Table) -> None:
    proposal = table.propose()
    forward = table.forward("qatar", proposal, ("pakistan", "afghanistan", "turkiye"))
    table.amend("pakistan", forward, TEXT + "\nP.\n", ("qatar",))
    table.amend("afghanistan", forward, TEXT + "\nA.\n", ("qatar",))
    result = penholder(table.path, "diff", "--round", "1", "--doc", "accord")
    assert result.returncode == 1
    assert result.stderr.startswith("penholder: several-heads: accord had 2 heads")
    assert result.stderr.rstrip().endswith("Name one (penholder diff A B)")


def consolidate_auto(table: Table, *heads: Version) -> subprocess.CompletedProcess[str]:
    """qatar joins the heads with `consolidate --auto`, its demo key unencrypted in a home."""
    home = table.path.parent / "home"
    if not KeyStore(home).has("qatar"):
        KeyStore(home).save("qatar", table.keys["qatar"], None)
    refers = ",".join(h.sha for h in heads)
    return penholder(
        table.path,
        "--home",
        str(home),
        "consolidate",
        "--as",
        "qatar",
        "--refers",
        refers,
        "--auto",
        "--to",
        "pakistan,afghanistan",
        "-m",
        "Joined",
    )


def test_consolidate_auto_joins_parallel_amendments(table: Table) -> None:
    proposal = table.propose(text="# Accord\n\n1.1 Alpha beta gamma.\n\n1.2 Delta epsilon zeta.\n")
    forward = table.forward("qatar", proposal, ("pakistan", "afghanistan", "turkiye"))
    pk = table.amend(
        "pakistan",
        forward,
        "# Accord\n\n1.1 Alpha BETA gamma.\n\n1.2 Delta epsilon zeta.\n",
        ("qatar",),
    )
    af = table.amend(
        "afghanistan",
        forward,
        "# Accord\n\n1.1 Alpha beta gamma.\n\n1.2 Delta epsilon ZETA.\n",
        ("qatar",),
    )
    result = consolidate_auto(table, pk, af)
    assert result.returncode == 0, result.stderr
    joined = Negotiation(table.path).resolve("qatar")
    assert (
        Negotiation(table.path).text_of(joined)
        == "# Accord\n\n1.1 Alpha BETA gamma.\n\n1.2 Delta epsilon ZETA.\n"
    )
    assert joined.refers == (pk.sha, af.sha)


def test_consolidate_auto_stops_on_conflict_and_writes_nothing(table: Table) -> None:
    proposal = table.propose(text="# Accord\n\n1.1 Alpha beta gamma.\n")
    forward = table.forward("qatar", proposal, ("pakistan", "afghanistan", "turkiye"))
    pk = table.amend("pakistan", forward, "# Accord\n\n1.1 Alpha ONE gamma.\n", ("qatar",))
    af = table.amend("afghanistan", forward, "# Accord\n\n1.1 Alpha TWO gamma.\n", ("qatar",))
    before = snapshot(table.path)
    result = consolidate_auto(table, pk, af)
    assert result.returncode == 1
    assert result.stderr.startswith("penholder: merge-conflict: 1 passages")
    assert result.stderr.splitlines()[0].endswith("join them by hand (give --file):")
    assert "ONE" in result.stderr and "TWO" in result.stderr
    assert snapshot(table.path) == before
