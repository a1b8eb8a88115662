"""Deterministic legal-sounding sample documents and word edits, for benchmarks, tests and
demonstrations of the diff engine. The same seed always gives the same text."""

from __future__ import annotations

import random
import re
import textwrap
from dataclasses import dataclass
from typing import Literal

_WORDS = [
    "agreement",
    "party",
    "parties",
    "shall",
    "may",
    "must",
    "not",
    "hereby",
    "herein",
    "thereof",
    "whereas",
    "provided",
    "that",
    "notice",
    "written",
    "consent",
    "prior",
    "obligation",
    "obligations",
    "liability",
    "liable",
    "damages",
    "indemnify",
    "indemnification",
    "breach",
    "terminate",
    "termination",
    "term",
    "effective",
    "date",
    "schedule",
    "annex",
    "clause",
    "section",
    "subsection",
    "paragraph",
    "applicable",
    "law",
    "laws",
    "governing",
    "jurisdiction",
    "court",
    "courts",
    "dispute",
    "arbitration",
    "confidential",
    "information",
    "disclose",
    "disclosure",
    "receiving",
    "disclosing",
    "purpose",
    "purposes",
    "permitted",
    "use",
    "services",
    "goods",
    "delivery",
    "deliver",
    "supplier",
    "customer",
    "buyer",
    "seller",
    "price",
    "prices",
    "payment",
    "payments",
    "invoice",
    "invoices",
    "due",
    "within",
    "days",
    "business",
    "calendar",
    "month",
    "months",
    "year",
    "years",
    "period",
    "renewal",
    "renew",
    "extend",
    "extension",
    "reasonable",
    "efforts",
    "best",
    "commercially",
    "including",
    "without",
    "limitation",
    "respect",
    "each",
    "other",
    "any",
    "all",
    "such",
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "for",
    "on",
    "by",
    "with",
    "under",
    "upon",
    "from",
    "as",
    "or",
    "and",
    "against",
    "between",
    "during",
    "after",
    "before",
    "unless",
    "until",
    "except",
    "where",
    "when",
    "which",
    "who",
    "whose",
    "this",
    "that",
    "these",
    "those",
    "its",
    "their",
    "his",
    "her",
    "it",
    "warranty",
    "warranties",
    "represents",
    "represent",
    "warrants",
    "warrant",
    "accurate",
    "complete",
    "true",
    "fair",
    "intellectual",
    "property",
    "rights",
    "title",
    "interest",
    "licence",
    "license",
    "grant",
    "granted",
    "exclusive",
    "non-exclusive",
    "perpetual",
    "royalty",
    "fee",
    "fees",
    "costs",
    "expenses",
    "taxes",
    "duties",
    "insurance",
    "force",
    "majeure",
    "event",
    "events",
    "beyond",
    "control",
    "act",
    "acts",
    "omission",
    "omissions",
    "negligence",
    "wilful",
    "misconduct",
    "fraud",
    "loss",
    "losses",
    "claim",
    "claims",
    "proceedings",
    "costs",
    "assignment",
    "assign",
    "transfer",
    "subcontract",
    "successor",
    "successors",
    "affiliate",
    "affiliates",
    "employee",
    "employees",
    "agent",
    "agents",
]

_TERMS = [
    "Agreement",
    "Supplier",
    "Customer",
    "Services",
    "Effective Date",
    "Confidential Information",
    "Term",
    "Fees",
    "Deliverables",
    "Territory",
]


def legal_text(size: int, seed: int = 0, wrap: int | None = 72) -> str:
    """About `size` characters of numbered clauses in paragraphs separated by blank lines,
    hard-wrapped at `wrap` columns (None: one line per paragraph)."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    length = 0
    clause = 0
    while length < size:
        clause += 1
        sentences = []
        for _ in range(rng.randint(2, 6)):
            words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 30))]
            if rng.random() < 0.4:
                words.insert(rng.randrange(len(words)), f"the {rng.choice(_TERMS)}")
            if rng.random() < 0.3:
                words[rng.randrange(len(words))] += ","
            sentence = " ".join(words)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        paragraph = f"{clause // 10 + 1}.{clause % 10 + 1} " + " ".join(sentences)
        if wrap:
            paragraph = textwrap.fill(paragraph, wrap)
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs) + "\n"


EditKind = Literal["replace", "delete", "insert"]


@dataclass(frozen=True, slots=True)
class WordEdit:
    """An edit of the word at index `word` (counting words, from 0): replace it, delete it
    (with the whitespace after it) or insert `text` and a space before it."""

    word: int
    kind: EditKind
    text: str = ""


_WORD = re.compile(r"\w+")


def word_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text)]


def apply_edits(text: str, edits: list[WordEdit]) -> str:
    """`text` with the edits applied (at most one edit per word)."""
    spans = word_spans(text)
    out: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: e.word):
        start, end = spans[edit.word]
        out.append(text[position:start])
        if edit.kind == "replace":
            out.append(edit.text)
            position = end
        elif edit.kind == "insert":
            out.append(edit.text + " ")
            position = start
        else:
            while end < len(text) and text[end] == " ":
                end += 1
            position = end
    out.append(text[position:])
    return "".join(out)


def random_edits(
    text: str, rate: float, seed: int = 0, words: list[int] | None = None
) -> list[WordEdit]:
    """Scattered word edits touching about `rate` of the words (or exactly the given word
    indices): 60% replacements, 20% deletions, 20% insertions, using new made-up words so
    that an edit never happens to recreate the old text."""
    rng = random.Random(seed)
    count = len(word_spans(text))
    chosen = words if words is not None else sorted(rng.sample(range(count), int(count * rate)))
    edits = []
    for word in chosen:
        roll = rng.random()
        new_word = f"{rng.choice(_WORDS)}{rng.randint(10, 99)}".replace("-", "")
        kind: EditKind = "replace" if roll < 0.6 else ("delete" if roll < 0.8 else "insert")
        edits.append(WordEdit(word, kind, "" if kind == "delete" else new_word))
    return edits
