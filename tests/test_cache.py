"""The version cache: JSON lines that read back exactly what was written; a file that is
foreign (the old marshal format, another format number or shape of `Version`), corrupt or out
of order is dropped and rebuilt from git, never read as versions."""

from __future__ import annotations

import dataclasses
import gc
import json
import marshal
import struct
import zlib
from pathlib import Path

import pytest

from helpers import Table, git, shuttle
from penholder.core.model import Version
from penholder.core.store import cache
from penholder.core.store.cache import HEADER, VersionIndex
from penholder.core.store.negotiation import Negotiation


def cached(table: Table) -> VersionIndex:
    return VersionIndex(table.path)


def every_sha(table: Table) -> list[str]:
    return git(table.path, "rev-list", "--all", "--topo-order", "--reverse").split()


def assert_rebuilt_from_git(table: Table) -> None:
    """Opening reads git, rewrites the cache whole and holds what git holds."""
    store = Negotiation(table.path)
    fresh = Negotiation(table.path, use_cache=False)
    shas = every_sha(table)
    assert all(store.history.get(s) == fresh.history.get(s) is not None for s in shas)
    data = cached(table).path.read_bytes()
    assert data.startswith(HEADER)
    assert [v.sha for v in cached(table).load()] == shas
    store.close()
    fresh.close()


@pytest.fixture
def shuttled(table: Table) -> Table:
    shuttle(table)
    return table


def test_what_is_appended_reads_back_exactly_in_order(tmp_path: Path, shuttled: Table) -> None:
    history = Negotiation(shuttled.path, use_cache=False).history
    written = [v for s in every_sha(shuttled) if (v := history.get(s)) is not None]
    assert len(written) == len(every_sha(shuttled))
    odd = dataclasses.replace(
        written[-1],
        sha="e" * 40,
        parents=(written[-1].sha,),
        subject="ligne\nnouvelle \u2028 \U0001f54a\ufe0f \udcff \x00",
        note="",
        place=None,
        round=2**40,
    )
    index = VersionIndex(tmp_path)
    index.append(written[:3])
    index.append(written[3:])
    index.append([odd])
    index.append(written[:2])  # another process read the same versions from git
    assert index.load() == [*written, odd]
    assert gc.isenabled()  # paused while reading, and only then
    assert index.path.read_bytes().count(b"\n") == 5


def test_every_field_of_a_version_has_its_type_checked_on_reading() -> None:
    """A new field or type in `Version` changes the header (old caches are rebuilt) and must
    get a kind here, or the cache would take whatever JSON holds for it."""
    unknown = [f.name for f in dataclasses.fields(Version) if str(f.type) not in cache.KINDS]
    assert unknown == []
    assert b'"sha","str"' in HEADER and b'"parents","tuple[str, ...]"' in HEADER


def test_the_old_marshal_cache_is_rebuilt(shuttled: Table) -> None:
    path = cached(shuttled).path
    records = [v.to_record() for v in cached(shuttled).load()]
    block = marshal.dumps(records)
    path.write_bytes(b"PHIX2\n" + struct.pack(">I", len(block)) + block)
    assert cached(shuttled).load() == []
    assert gc.isenabled()
    assert not path.exists()
    assert_rebuilt_from_git(shuttled)


@pytest.mark.parametrize(
    "header",
    [
        HEADER.replace(b'"penholder-version-cache":3', b'"penholder-version-cache":4'),
        HEADER.replace(b'"round","int"', b'"round","str"'),
        b"",
        b"\n",
    ],
)
def test_a_foreign_version_of_the_cache_is_rebuilt(shuttled: Table, header: bytes) -> None:
    path = cached(shuttled).path
    path.write_bytes(header + path.read_bytes()[len(HEADER) :])
    assert cached(shuttled).load() == []
    assert_rebuilt_from_git(shuttled)


@pytest.mark.parametrize("keep", [1, 2, 8])
def test_a_cache_cut_short_is_rebuilt(shuttled: Table, keep: int) -> None:
    """Readers and writers take turns on a lock, so a line without its newline is torn."""
    path = cached(shuttled).path
    whole = path.read_bytes()
    last = whole.rstrip(b"\n").rfind(b"\n") + 1
    path.write_bytes(whole[: last + keep])
    assert cached(shuttled).load() == []
    assert not path.exists()
    assert_rebuilt_from_git(shuttled)


@pytest.mark.parametrize("cut", [3, len(HEADER) - 1, len(HEADER) + 5])
def test_a_cache_cut_inside_its_header_or_first_line_is_rebuilt(shuttled: Table, cut: int) -> None:
    path = cached(shuttled).path
    path.write_bytes(path.read_bytes()[:cut])
    assert cached(shuttled).load() == []
    assert_rebuilt_from_git(shuttled)


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_a_flipped_byte_anywhere_is_caught_and_the_cache_rebuilt(
    shuttled: Table, where: float
) -> None:
    path = cached(shuttled).path
    data = bytearray(path.read_bytes())
    at = len(HEADER) + int((len(data) - len(HEADER)) * where)
    if data[at] == ord("\n"):
        at += 1
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    assert cached(shuttled).load() == []
    assert not path.exists()
    assert_rebuilt_from_git(shuttled)


def doctored(columns: list[list[object]]) -> bytes:
    body = json.dumps(columns, separators=(",", ":")).encode()
    return b"%08x %s\n" % (zlib.crc32(body), body)


def good_columns(versions: list[Version]) -> list[list[object]]:
    line = cache.encode_line(versions)
    columns: list[list[object]] = json.loads(line.partition(b" ")[2])
    assert doctored(columns) == line
    return columns


@pytest.mark.parametrize(
    "damage",
    [
        "round-as-text",
        "round-as-bool",
        "parents-as-text",
        "parent-as-number",
        "a-column-short",
        "a-column-missing",
        "a-column-as-text",
    ],
)
def test_a_line_with_a_good_checksum_but_values_of_another_type_is_not_read(
    shuttled: Table, damage: str
) -> None:
    versions = cached(shuttled).load()
    first, rest = good_columns(versions[:1]), good_columns(versions[1:])
    names = [f.name for f in dataclasses.fields(Version)]
    if damage == "round-as-text":
        rest[names.index("round")][-1] = "1"
    elif damage == "round-as-bool":
        rest[names.index("round")][-1] = True
    elif damage == "parents-as-text":
        rest[names.index("parents")][-1] = "abc"
    elif damage == "parent-as-number":
        rest[names.index("parents")][-1] = [1]
    elif damage == "a-column-short":
        rest[names.index("subject")].pop()
    elif damage == "a-column-missing":
        rest.pop()
    else:
        rest[names.index("note")] = "not a column"  # type: ignore[call-overload]
    cached(shuttled).path.write_bytes(HEADER + doctored(first) + doctored(rest))
    assert cached(shuttled).load() == []
    assert_rebuilt_from_git(shuttled)


def test_lists_nested_too_deep_for_the_parser_are_a_corrupt_line(shuttled: Table) -> None:
    body = b"[" * 200_000 + b"]" * 200_000
    line = b"%08x %s\n" % (zlib.crc32(body), body)
    cached(shuttled).path.write_bytes(HEADER + line)
    assert cached(shuttled).load() == []
    assert_rebuilt_from_git(shuttled)


def test_a_cache_listing_a_version_before_its_parents_is_rebuilt(shuttled: Table) -> None:
    """What a rebuild racing another writer can leave: read in file order, the child would be
    dropped (its parents unknown), read from git and appended again on every open."""
    versions = cached(shuttled).load()
    path = cached(shuttled).path
    path.unlink()
    cached(shuttled).append(versions[-2:])
    cached(shuttled).append(versions)
    assert cached(shuttled).load() == []
    assert_rebuilt_from_git(shuttled)


def test_a_cache_that_cannot_be_written_or_read_is_only_slower(shuttled: Table) -> None:
    folder = shuttled.path / "penholder"
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    folder.write_text("not a folder")  # the cache can be neither read nor written
    index = cached(shuttled)
    index.append([Negotiation(shuttled.path).root])
    assert index.load() == []
    version = shuttled.propose(doc="annex")
    assert Negotiation(shuttled.path).history.get(version.sha) == version
    folder.unlink()


def test_many_appends_are_rewritten_as_one_line_by_the_next_open(
    tmp_path: Path, shuttled: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "COMPACT_AFTER", 4)
    versions = cached(shuttled).load()
    assert len(versions) > 5
    index = VersionIndex(tmp_path)
    for v in versions:
        index.append([v])
    index.append(versions[:2])  # another process read the same versions
    assert index.path.read_bytes().count(b"\n") == len(versions) + 2
    assert index.load() == versions
    assert index.path.read_bytes() == HEADER + cache.encode_line(versions)
    assert not [p for p in tmp_path.joinpath("penholder").iterdir() if p.name != "versions.idx"]
    assert index.load() == versions


def test_an_append_waiting_on_a_file_that_is_replaced_goes_to_the_new_one(
    tmp_path: Path, shuttled: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compaction (or a rebuild) swaps the file while an appender waits for its lock: the
    appender writes to the file now in place, not to the one that is gone."""
    versions = cached(shuttled).load()
    index = VersionIndex(tmp_path)
    index.append(versions[:-1])
    locked = cache._lock

    def swap_then_lock(fd: int, *, shared: bool) -> None:
        if not shared and not swapped:
            swapped.append(True)
            replacement = index.path.with_name("new")
            replacement.write_bytes(HEADER + cache.encode_line(versions[:-1]))
            replacement.replace(index.path)
        locked(fd, shared=shared)

    swapped: list[bool] = []
    monkeypatch.setattr(cache, "_lock", swap_then_lock)
    index.append(versions[-1:])
    assert swapped and index.load() == versions
