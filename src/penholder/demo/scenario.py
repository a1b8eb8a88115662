"""Replay a scripted negotiation (`seeds/<name>/roster.toml` + `script.toml`) through the store.

Every step becomes a real signed version. With demo keys (derived from a published seed, DEMO
ONLY) and the scripted dates, the replay yields the same shas on every run. A script's text
files (`text = "drafts/accord.md"`) are read relative to the folder holding `seeds/`, the
scenario folder's grandparent: for the shipped scenario (`penholder.demo.scenario_folder()`),
this package's folder.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from penholder.core.errors import InputError, PenholderError
from penholder.core.model import TEXT_ACTIONS, Action, Version
from penholder.core.store.keyfiles import KeyStore
from penholder.core.store.negotiation import Negotiation, Request
from penholder.core.trust.keylines import public_key_line
from penholder.core.trust.roster import Actor, Roster, check_roster, parse_actors, parse_rules
from penholder.demo import scenario_folder
from penholder.demo.keys import demo_private_key

DEMO_PASSPHRASE = "demo-only-passphrase"
DEMO_NAMESPACE = uuid.UUID("6f1c1a5e-3b7e-4b8e-9d43-5d1e0c7a2b10")
STEP_KEYS = {
    "id",
    "as",
    "action",
    "date",
    "refers",
    "to",
    "doc",
    "text",
    "subject",
    "note",
    "changes",
    "number",
    "place",
    "round_date",
}


@dataclass
class Step:
    id: str
    actor: str
    action: Action
    when: int
    refers: list[str] = field(default_factory=list)
    to: list[str] = field(default_factory=list)
    doc: str | None = None
    text: str | None = None
    subject: str = ""
    note: str = ""
    changes: list[tuple[str, str]] = field(default_factory=list)
    number: int | None = None
    place: str | None = None
    round_date: str | None = None


@dataclass
class Scenario:
    folder: Path
    texts_root: Path
    title: str
    convener: str
    place: str | None
    date: str | None
    actors: tuple[Actor, ...]
    roster_table: dict[str, object]
    steps: list[Step]

    def roster(self, keys: dict[str, Ed25519PrivateKey], negotiation_id: str) -> Roster:
        actors = tuple(
            Actor(a.id, a.name, a.role, public_key_line(keys[a.id].public_key()))
            for a in self.actors
        )
        roster = Roster(
            negotiation_id,
            self.title,
            self.convener,
            actors,
            parse_rules(self.roster_table.get("rules")),
        )
        check_roster(roster)
        return roster


def _epoch(value: object, where: str) -> int:
    if isinstance(value, dt.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    elif isinstance(value, str):
        try:
            stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InputError(f"{where}: date {value!r} is not ISO 8601") from exc
    else:
        raise InputError(f"{where}: date is missing")
    return int(stamp.timestamp())


def load_scenario(folder: Path | None = None) -> Scenario:
    """The scenario in `folder`, by default the one shipped with Penholder."""
    if folder is None:
        folder = scenario_folder()
    try:
        roster_data = tomllib.loads((folder / "roster.toml").read_text(encoding="utf-8"))
        script = tomllib.loads((folder / "script.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read the scenario in {folder}: {exc}") from exc
    head = roster_data.get("negotiation", {})
    steps = []
    for number, raw in enumerate(script.get("step", []), 1):
        where = f"step {raw.get('id', number)}"
        unknown = set(raw) - STEP_KEYS
        if unknown:
            raise InputError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        try:
            action = Action(raw["action"])
        except (KeyError, ValueError) as exc:
            raise InputError(f"{where}: unknown action {raw.get('action')!r}") from exc
        steps.append(
            Step(
                id=str(raw["id"]),
                actor=str(raw["as"]),
                action=action,
                when=_epoch(raw.get("date"), where),
                refers=[str(r) for r in raw.get("refers", [])],
                to=[str(t) for t in raw.get("to", [])],
                doc=raw.get("doc"),
                text=raw.get("text"),
                subject=str(raw.get("subject", "")),
                note=str(raw.get("note", "")),
                changes=[(str(c["old"]), str(c["new"])) for c in raw.get("changes", [])],
                number=raw.get("number"),
                place=raw.get("place"),
                round_date=raw.get("round_date"),
            )
        )
    return Scenario(
        folder=folder,
        texts_root=folder.absolute().parent.parent,
        title=str(head.get("title", folder.name)),
        convener=str(head.get("convener", "")),
        place=head.get("place"),
        date=str(head["date"]) if head.get("date") else None,
        actors=parse_actors(roster_data.get("actor"), need_keys=False),
        roster_table=roster_data,
        steps=steps,
    )


def apply_changes(text: str, changes: list[tuple[str, str]], where: str) -> str:
    for old, new in changes:
        count = text.count(old)
        if count != 1:
            raise InputError(
                f"{where}: {old[:50]!r} occurs {count} times in the referred text, not once"
            )
        text = text.replace(old, new, 1)
    return text


def _default_subject(step: Step, target: Version | None) -> str:
    if step.action == Action.ROUND:
        return f"Round {step.number} opens at {step.place} on {step.round_date}"
    if target is None:
        return f"{step.action.value.capitalize()} by {step.actor}"
    what = target.document or "the table"
    return f"{step.action.value.capitalize()} {target.actor}'s {target.action} of {what}"


Progress = Callable[[int, int, Version], None]


def replay(
    scenario: Scenario,
    repo: Path,
    keys: dict[str, Ed25519PrivateKey],
    negotiation_id: str,
    *,
    repo_root: Path | None = None,
    progress: Progress | None = None,
) -> Negotiation:
    """Replay `scenario` into a new negotiation at `repo`; text files are read under
    `repo_root` (by default the scenario's own `texts_root`)."""
    texts_root = scenario.texts_root if repo_root is None else repo_root
    roster = scenario.roster(keys, negotiation_id)
    opened = _epoch(f"{scenario.date}T08:00:00Z", "open") if scenario.date else None
    negotiation = Negotiation.create(
        repo,
        roster,
        keys[scenario.convener],
        place=scenario.place,
        date=scenario.date,
        when=opened,
        subject=f"Round 1 opens at {scenario.place}: {scenario.title}" if scenario.place else None,
    )
    made: dict[str, Version] = {}
    for done, step in enumerate(scenario.steps, 1):
        where = f"step {step.id} ({step.actor} {step.action.value})"
        try:
            refers = tuple(made[r].sha for r in step.refers)
        except KeyError as exc:
            raise InputError(f"{where}: refers to unknown step {exc.args[0]!r}") from exc
        target = made[step.refers[0]] if step.refers else None
        text: bytes | None = None
        document = step.doc or (target.document if target else None)
        if step.action == Action.PROPOSE:
            if not step.text:
                raise InputError(f"{where}: a propose names its text file")
            try:
                text = (texts_root / step.text).read_text(encoding="utf-8").encode("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{where}: cannot read its text {step.text}: {exc}") from exc
        elif step.action in TEXT_ACTIONS:
            assert target is not None
            base = negotiation.text_of(target)
            text = apply_changes(base, step.changes, where).encode("utf-8")
        request = Request(
            actor=step.actor,
            action=step.action,
            subject=step.subject or _default_subject(step, target),
            refers=refers,
            to=tuple(step.to) if step.to else _default_to(step, roster),
            document=document if (step.action in TEXT_ACTIONS or target) else None,
            text=text,
            note=step.note,
            round_number=step.number,
            place=step.place,
            date=step.round_date,
        )
        try:
            version = negotiation.act(request, keys[step.actor], when=step.when)
        except PenholderError as exc:
            raise InputError(f"{where}: refused: {exc.message}", rule=exc.rule) from exc
        made[step.id] = version
        if progress is not None:
            progress(done, len(scenario.steps), version)
    return negotiation


def _default_to(step: Step, roster: Roster) -> tuple[str, ...]:
    others = tuple(a for a in roster.ids() if a != step.actor)
    if step.action == Action.COMMENT:
        return tuple(m for m in roster.ids("mediator") if m != step.actor)
    if step.action == Action.WITHDRAW:
        return tuple(roster.ids("mediator"))
    if step.action in (Action.RESUME, Action.ROUND):
        return others
    return ()


def demo_keys(scenario: Scenario, *, random_keys: bool) -> tuple[dict[str, Ed25519PrivateKey], str]:
    """The actors' keys and the negotiation id: fixed for the published demo seed, or fresh."""
    if random_keys:
        return {a.id: Ed25519PrivateKey.generate() for a in scenario.actors}, str(uuid.uuid4())
    keys = {a.id: demo_private_key(a.id) for a in scenario.actors}
    return keys, str(uuid.uuid5(DEMO_NAMESPACE, scenario.folder.name))


def write_demo_keys(
    home: Path, keys: dict[str, Ed25519PrivateKey], names: dict[str, str]
) -> KeyStore:
    store = KeyStore(home)
    for actor_id, key in keys.items():
        store.save(actor_id, key, DEMO_PASSPHRASE.encode("utf-8"), name=names.get(actor_id, ""))
    return store
