"""The roster files every tree carries: `penholder.toml` (roster, rules) and `allowed_signers`."""

from __future__ import annotations

import functools
import json
import re
import tomllib
from dataclasses import dataclass, field

from penholder.core.errors import InputError
from penholder.core.model import Role
from penholder.core.trust.keylines import check_actor_id, fingerprint_of_line, parse_public_key_line
from penholder.core.trust.rules import Rule
from penholder.core.trust.text import unsafe_problem

ROLES = tuple(role.value for role in Role)  # as a person writes them (click matches enum names)
DEFAULT_MAX_DRAFT_BYTES = 10_000_000
ROSTER_FILE = "penholder.toml"
SIGNERS_FILE = "allowed_signers"
# A roster is a few kilobytes and nests two levels; anything far past that is hostile.
MAX_TOML_BYTES = 256 * 1024
MAX_TOML_DEPTH = 32


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    role: str  # a Role once read from a roster; plain strings compare equal to it
    key: str

    @property
    def fingerprint(self) -> str:
        return fingerprint_of_line(self.key)


@dataclass(frozen=True)
class Rules:
    """`[rules]`: None for witness_quorum means every mediator of the roster must endorse."""

    witness_quorum: int | None = None
    max_draft_bytes: int = DEFAULT_MAX_DRAFT_BYTES
    party_may_address: tuple[str, ...] = (Role.MEDIATOR,)


@dataclass(frozen=True)
class Roster:
    negotiation_id: str
    title: str
    convener: str
    actors: tuple[Actor, ...]
    rules: Rules = field(default_factory=Rules)
    revoked: tuple[tuple[str, str], ...] = ()  # (actor id, key line): revoked, positionally

    def actor(self, actor_id: str) -> Actor | None:
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        return None

    def ids(self, role: str | None = None) -> list[str]:
        return [a.id for a in self.actors if role is None or a.role == role]

    @property
    def quorum(self) -> int:
        mediators = len(self.ids(Role.MEDIATOR))
        quorum = self.rules.witness_quorum
        return mediators if quorum is None else min(quorum, mediators)

    def to_toml(self) -> str:
        s = json.dumps  # a JSON string is a valid TOML basic string
        lines = [
            "# Penholder negotiation: roster and rules. Only open and roster versions change it.",
            "[negotiation]",
            f"id = {s(self.negotiation_id)}",
            f"title = {s(self.title, ensure_ascii=False)}",
            f"convener = {s(self.convener)}",
            "",
            "[rules]",
        ]
        if self.rules.witness_quorum is not None:
            lines.append(f"witness_quorum = {self.rules.witness_quorum}")
        lines.append(f"max_draft_bytes = {self.rules.max_draft_bytes}")
        roles = ", ".join(s(r) for r in self.rules.party_may_address)
        lines.append(f"party_may_address = [{roles}]")
        for actor in self.actors:
            lines += [
                "",
                "[[actor]]",
                f"id = {s(actor.id)}",
                f"name = {s(actor.name, ensure_ascii=False)}",
                f"role = {s(actor.role)}",
                f"key = {s(actor.key)}",
            ]
        for actor_id, key in self.revoked:
            lines += ["", "[[revoked]]", f"actor = {s(actor_id)}", f"key = {s(key)}"]
        return "\n".join(lines) + "\n"

    def key_lines(self) -> set[str]:
        return {a.key for a in self.actors}

    def allowed_signers(self) -> str:
        return "".join(f'{a.id} namespaces="git" {a.key}\n' for a in self.actors)


def _str(table: dict[str, object], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: `{key}` must be a non-empty string", rule="roster-format")
    return value.strip()


def parse_rules(table: object) -> Rules:
    if table is None:
        return Rules()
    if not isinstance(table, dict):
        raise InputError("[rules] must be a table", rule="roster-format")
    unknown = set(table) - {"witness_quorum", "max_draft_bytes", "party_may_address"}
    if unknown:
        raise InputError(f"[rules]: unknown setting {sorted(unknown)[0]!r}", rule="roster-format")
    quorum = table.get("witness_quorum")
    if quorum is not None and (
        not isinstance(quorum, int) or isinstance(quorum, bool) or quorum < 1
    ):
        raise InputError("[rules] witness_quorum must be a whole number >= 1", rule="roster-format")
    size = table.get("max_draft_bytes", DEFAULT_MAX_DRAFT_BYTES)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise InputError(
            "[rules] max_draft_bytes must be a whole number >= 1", rule="roster-format"
        )
    address = table.get("party_may_address", [Role.MEDIATOR.value])
    if not isinstance(address, list) or not all(r in ROLES for r in address):
        raise InputError(
            "[rules] party_may_address must be a list of roles (party, mediator, observer)",
            rule="roster-format",
        )
    return Rules(
        witness_quorum=quorum,
        max_draft_bytes=size,
        party_may_address=tuple(Role(r) for r in address),
    )


def parse_actors(items: object, *, need_keys: bool = True) -> tuple[Actor, ...]:
    if not isinstance(items, list) or not items:
        raise InputError("the roster needs at least one [[actor]] table", rule="roster-format")
    actors: list[Actor] = []
    seen: set[str] = set()
    for number, item in enumerate(items, 1):
        where = f"[[actor]] #{number}"
        if not isinstance(item, dict):
            raise InputError(f"{where} must be a table", rule="roster-format")
        unknown = set(item) - {"id", "name", "role", "key"}
        if unknown:
            raise InputError(f"{where}: unknown field {sorted(unknown)[0]!r}", rule="roster-format")
        actor_id = check_actor_id(_str(item, "id", where))
        name = _str(item, "name", where)
        if any(c in name for c in "<>\n\r\0"):
            raise InputError(
                f"{where}: name may not contain <, > or line breaks", rule="roster-format"
            )
        role = _str(item, "role", where)
        if role not in ROLES:
            raise InputError(
                f"{where}: role {role!r} is not party, mediator or observer", rule="roster-format"
            )
        key = item.get("key", "")
        if need_keys:
            key = _str(item, "key", where)
            parse_public_key_line(key)
            key = " ".join(key.split()[:2])
        elif not isinstance(key, str):
            raise InputError(f"{where}: `key` must be a string", rule="roster-format")
        if actor_id in seen:
            raise InputError(
                f"actor {actor_id!r} appears twice in the roster", rule="roster-format"
            )
        seen.add(actor_id)
        actors.append(Actor(actor_id, name, Role(role), str(key)))
    keys = [a.key for a in actors if a.key]
    if len(keys) != len(set(keys)):
        raise InputError("two actors of the roster share one key", rule="roster-format")
    return tuple(actors)


_TOML_TOKEN = re.compile(r"""[\[\]{}#]|\"\"\"|'\'\'|["']""")
_TOML_STRING_END = {
    '"': re.compile(r'(?:[^"\\\n]|\\.)*"'),
    "'": re.compile(r"[^'\n]*'"),
    '"""': re.compile(r'(?:[^\\]|\\.)*?"""', re.DOTALL),
    "'''": re.compile(r"(?:.)*?'''", re.DOTALL),
}


def toml_depth(text: str, stop_past: int | None = None) -> int:
    """An upper bound on how deeply `text` nests arrays and inline tables: brackets and braces
    counted outside strings and comments (a table header's `[[` counts too; an unclosed
    string ends the scan). Cheap: only the bracket, quote and comment characters are visited,
    and the scan stops once the depth passes `stop_past`."""
    depth = deepest = 0
    pos = 0
    while True:
        token = _TOML_TOKEN.search(text, pos)
        if token is None:
            return deepest
        mark, pos = token.group(), token.end()
        if mark in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if stop_past is not None and deepest > stop_past:
                return deepest
        elif mark in "]}":
            depth = max(depth - 1, 0)
        elif mark == "#":
            end = text.find("\n", pos)
            if end < 0:
                return deepest
            pos = end
        else:
            closed = _TOML_STRING_END[mark].match(text, pos)
            if closed is None:
                return deepest
            pos = closed.end()


def load_toml(text: str, where: str) -> dict[str, object]:
    """Parse TOML from a version or a file, refused (rule roster-format) past MAX_TOML_BYTES
    or MAX_TOML_DEPTH before the parser sees it: never a RecursionError or a traceback."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TOML_BYTES:
        raise InputError(
            f"{where} has {size:,} bytes, over the {MAX_TOML_BYTES:,}-byte limit",
            rule="roster-format",
        )
    if toml_depth(text, MAX_TOML_DEPTH) > MAX_TOML_DEPTH:
        raise InputError(
            f"{where} nests arrays or tables more than {MAX_TOML_DEPTH} deep", rule="roster-format"
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where} is not valid TOML: {exc}", rule="roster-format") from exc
    except (RecursionError, MemoryError, ValueError) as exc:
        raise InputError(f"{where} cannot be read as TOML", rule="roster-format") from exc


_CANONICAL_LINE = re.compile(r'^([a-z_]+) = ("(?:[^"\\]|\\.)*"|[0-9]+|\[[^\n]*\])$')


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _canonical_tables(text: str) -> dict[str, object] | None:
    """The tables of a `penholder.toml` in exactly the layout `Roster.to_toml` writes, read
    without the TOML parser (its values are JSON); None for any other layout. The caller keeps
    the result only if it writes back to the same text, so what is read is what TOML reads."""
    data: dict[str, object] = {}
    table: dict[str, object] | None = None
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            continue
        if line in ("[negotiation]", "[rules]"):
            table = {}
            data[line[1:-1]] = table
            continue
        if line in ("[[actor]]", "[[revoked]]"):
            table = {}
            items = data.setdefault(line[2:-2], [])
            assert isinstance(items, list)
            items.append(table)
            continue
        match = _CANONICAL_LINE.match(line)
        if match is None or table is None or match.group(1) in table:
            return None
        if _SURROGATE_ESCAPE.search(match.group(2)):
            return None  # JSON reads a surrogate escape; TOML refuses it: let TOML decide
        try:
            table[match.group(1)] = json.loads(match.group(2))
        except ValueError:
            return None
    return data


@functools.lru_cache(maxsize=256)
def parse_roster(text: str) -> Roster:
    """Parse a tree's `penholder.toml`: only in the one layout `Roster.to_toml` writes (the
    store writes nothing else). Any other layout, valid TOML or not, is refused: a reader with
    fewer tools (the certificate's recipe reads it with sed) must see the same roster. A roster
    is immutable, and a negotiation's roster versions carry the same few: each text is parsed
    once (a refusal is not remembered: it is raised again each time)."""
    fast = _canonical_tables(text) if len(text) <= MAX_TOML_BYTES else None
    if fast is not None:
        try:
            roster = _roster_from(fast)
        except InputError:
            pass
        else:
            if roster.to_toml() == text:
                return roster
    roster = _roster_from(load_toml(text, ROSTER_FILE))
    if roster.to_toml() != text:
        raise InputError(
            f"{ROSTER_FILE} is not in the one layout Penholder writes (comments, spacing, order "
            "or quoting differ)",
            rule="roster-format",
        )
    return roster


def _roster_from(data: dict[str, object]) -> Roster:
    head = data.get("negotiation")
    if not isinstance(head, dict):
        raise InputError(f"{ROSTER_FILE} lacks a [negotiation] table", rule="roster-format")
    roster = Roster(
        negotiation_id=_str(head, "id", "[negotiation]"),
        title=_str(head, "title", "[negotiation]"),
        convener=_str(head, "convener", "[negotiation]"),
        actors=parse_actors(data.get("actor")),
        rules=parse_rules(data.get("rules")),
        revoked=parse_revoked(data.get("revoked")),
    )
    check_roster(roster)
    return roster


def parse_revoked(items: object) -> tuple[tuple[str, str], ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise InputError("[[revoked]] must be an array of tables", rule="roster-format")
    out = []
    for number, item in enumerate(items, 1):
        where = f"[[revoked]] #{number}"
        if not isinstance(item, dict) or set(item) != {"actor", "key"}:
            raise InputError(f"{where} needs exactly `actor` and `key`", rule="roster-format")
        key = _str(item, "key", where)
        parse_public_key_line(key)
        out.append((check_actor_id(_str(item, "actor", where)), " ".join(key.split()[:2])))
    return tuple(out)


def allowed_signers_after(previous: str, roster: Roster) -> str:
    """`allowed_signers` for a new roster: every line ever valid is kept (so git can check old
    versions against any later tree), and a line is added for each new key."""
    lines = [line for line in previous.splitlines() if line.strip()]
    present = {" ".join(line.split()[-2:]) for line in lines}
    for actor in roster.actors:
        if actor.key not in present:
            lines.append(f'{actor.id} namespaces="git" {actor.key}')
    return "\n".join(lines) + "\n"


def check_roster_to_write(roster: Roster) -> None:
    """Refuse, before anything is written, a roster that verify would not read back exactly as
    it is: a key spelled in a non-canonical form, a field the parser refuses."""
    if parse_roster(roster.to_toml()) != roster:
        raise InputError("the roster does not read back as written", rule="roster-format")


def check_roster(roster: Roster) -> None:
    fields = [("the title", roster.title), ("the negotiation id", roster.negotiation_id)]
    fields += [(f"the name of {a.id}", a.name) for a in roster.actors]
    for what, text in fields:
        problem = unsafe_problem(text, what)
        if problem is not None:
            # A roster read from any tree fails closed, as a message or a text does.
            raise InputError(problem, rule=Rule.CONTROL_CHARACTERS)
    convener = roster.actor(roster.convener)
    if convener is None or convener.role != Role.MEDIATOR:
        raise InputError(
            f"the convener {roster.convener!r} must be a mediator of the roster",
            rule="roster-format",
        )
    quorum = roster.rules.witness_quorum
    mediators = len(roster.ids(Role.MEDIATOR))
    if quorum is not None and quorum > mediators:
        raise InputError(
            f"[rules] witness_quorum {quorum} exceeds the {mediators} mediators",
            rule="roster-format",
        )
