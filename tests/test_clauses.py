"""Clauses, brackets and who wrote what."""

from __future__ import annotations

import json

from helpers import Table, penholder
from penholder.core.model import Action
from penholder.core.store.negotiation import Negotiation
from penholder.core.views.blame import blame
from penholder.core.views.clauses import bracket_trend, clause_table, count_brackets, parse_clauses

BASE = """# Accord

## 1. Ceasefire

1.1 The Sides maintain the ceasefire [for 60 days / without limit of time].

1.2 Each Side reports violations to the Mechanism within seven days.

1.3 The Mediators witness every written exchange of the Sides.

## 2. Mechanism

2.1 A joint mechanism is established at Istanbul.
"""


def test_parse_clauses_and_brackets() -> None:
    clauses = parse_clauses(BASE)
    assert [c.number for c in clauses] == ["", "1", "1.1", "1.2", "1.3", "2", "2.1"]
    assert clauses[1].title == "Ceasefire"
    assert clauses[2].brackets == 1
    assert "".join(c.text + "\n\n" for c in clauses).strip() == BASE.strip()
    assert count_brackets("See [the annex](annex.md) and [60 / 90] days [^1].") == 1


def shuttle_clauses(table: Table) -> dict[str, object]:
    proposal = table.propose(text=BASE)
    forward = table.forward("qatar", proposal, ("afghanistan", "pakistan", "turkiye"))
    # Afghanistan inserts a clause at the top (renumbering the rest) and settles the bracket.
    af_text = (
        BASE.replace(
            "1.1 The Sides maintain the ceasefire [for 60 days / without limit of time].",
            "1.1 The Sides condemn all attacks across the border.\n\n"
            "1.2 The Sides maintain the ceasefire without limit of time.",
        )
        .replace("1.2 Each Side reports", "1.3 Each Side reports")
        .replace("1.3 The Mediators", "1.4 The Mediators")
    )
    af = table.amend("afghanistan", forward, af_text, ("qatar", "turkiye"))
    pk_text = BASE.replace("within seven days", "within three days")
    pk = table.amend("pakistan", forward, pk_text, ("qatar", "turkiye"))
    joined_text = af_text.replace("within seven days", "within three days")
    joined = table.act(
        "qatar",
        Action.CONSOLIDATE,
        "Joined",
        refers=(af.sha, pk.sha),
        document="accord",
        text=joined_text.encode(),
        to=("pakistan", "afghanistan", "turkiye"),
    )
    return {"proposal": proposal, "forward": forward, "af": af, "pk": pk, "joined": joined}


def test_clause_ids_survive_renumbering_and_track_status(table: Table) -> None:
    v = shuttle_clauses(table)
    store = Negotiation(table.path)
    before = {c.number: c for c in clause_table(store, v["proposal"])}  # type: ignore[arg-type]
    after = {c.number: c for c in clause_table(store, v["joined"])}  # type: ignore[arg-type]
    # 1.2 (reports) became 1.3, 1.3 (witness) became 1.4: same ids.
    assert after["1.3"].id == before["1.2"].id
    assert after["1.4"].id == before["1.3"].id
    assert after["1.1"].id not in {c.id for c in before.values()}
    assert after["1.1"].proposed_by == "afghanistan"
    assert before["1.1"].status == "bracketed" and before["1.1"].brackets == 1
    # Afghanistan's and Pakistan's latest texts both carry 2.1 unchanged and unbracketed.
    assert after["2.1"].status == "agreed ad referendum"
    # 1.3 (reports) differs between the parties' latest texts: still open.
    assert after["1.3"].status == "open"
    table.on("pakistan", Action.SIGN, v["joined"])  # type: ignore[arg-type]
    table.on("afghanistan", Action.SIGN, v["joined"])  # type: ignore[arg-type]
    table.on("qatar", Action.ENDORSE, v["joined"])  # type: ignore[arg-type]
    table.on("turkiye", Action.ENDORSE, v["joined"])  # type: ignore[arg-type]
    signed = clause_table(Negotiation(table.path), v["joined"])  # type: ignore[arg-type]
    assert {c.status for c in signed} == {"signed"}


def test_blame_carries_authors_through_forwards_amendments_and_consolidation(table: Table) -> None:
    v = shuttle_clauses(table)
    store = Negotiation(table.path)
    spans = blame(store, v["joined"])  # type: ignore[arg-type]
    assert "".join(s.text for s in spans) == store.text_of(v["joined"])  # type: ignore[arg-type]
    by_actor: dict[str, str] = {}
    for s in spans:
        by_actor[s.actor] = by_actor.get(s.actor, "") + s.text
    assert "condemn all attacks" in by_actor["afghanistan"]
    assert "three" in by_actor["pakistan"]  # came from pakistan's amendment, joined by qatar
    assert "seven" not in "".join(s.text for s in spans)
    assert "qatar" not in by_actor  # the consolidation added no words of its own
    assert all(s.round == 1 for s in spans)


def test_cli_json_shapes(table: Table) -> None:
    v = shuttle_clauses(table)
    joined = v["joined"].sha  # type: ignore[attr-defined]

    def run(*args: str) -> object:
        result = penholder(table.path, *args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    spans = run("blame", joined, "--doc", "accord", "--json")
    assert isinstance(spans, list) and set(spans[0]) == {"text", "actor", "round", "version"}
    assert "".join(s["text"] for s in spans) == Negotiation(table.path).text_of(v["joined"])  # type: ignore[arg-type]
    clauses = run("clauses", joined, "--doc", "accord", "--json")
    assert isinstance(clauses, list)
    assert set(clauses[0]) == {"id", "number", "title", "status", "brackets", "proposed_by"}
    trend = run("clauses", joined, "--doc", "accord", "--trend", "--json")
    assert isinstance(trend, list) and trend[-1]["brackets"] == 0


def test_bracket_trend_across_rounds(table: Table) -> None:
    proposal = table.propose(text=BASE)
    table.act(
        "qatar",
        Action.ROUND,
        "Round 2",
        round_number=2,
        place="Istanbul",
        date="2025-10-25",
        to=("pakistan",),
    )
    table.act("pakistan", Action.RECEIPT, refers=(Negotiation(table.path).tips["qatar"],))
    forward = table.forward("qatar", proposal, ("pakistan", "turkiye"))
    settled = table.amend(
        "pakistan",
        forward,
        BASE.replace("[for 60 days / without limit of time]", "for 90 days"),
        ("qatar",),
    )
    trend = bracket_trend(Negotiation(table.path), settled)
    assert [(t.round, t.total) for t in trend] == [(1, 1), (2, 0)]
