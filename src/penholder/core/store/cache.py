"""A derived, append-only cache of every version's facts, kept inside the git directory.

Reading ten thousand commits' trailers costs git about 85 ms; acting must cost far less. The
cache holds only what the commits themselves say (keyed by sha, which never changes meaning),
so it can always be rebuilt. Nothing trusts it for verification or for a claim: `verify`,
`status`'s agreement and the certificate read every commit afresh.

The file is JSON lines. The first line names the format and the fields of `Version` it was
written with; every later line is one append, `<crc32 of the JSON, 8 hex digits> <JSON>`, the
JSON holding the appended versions by column (one list per field: parsed as fast as marshal,
three times faster than a list per version). Appends take an exclusive lock, readers a shared
one. A file with another header (an older Penholder, the old `marshal` format, another shape of
`Version`), a line cut short, a line that fails its checksum or holds a value of the wrong type,
or versions out of order is dropped, and the open that found it reads every version from git
and writes it anew. Acting appends one line per version: past `COMPACT_AFTER` lines, an open
rewrites the file as one line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
import json
import os
import sys
import threading
import zlib
from pathlib import Path
from typing import Any

from penholder.core.model import Version

FORMAT = 3  # 1 and 2 were marshal blocks ("PHIX2")
COMPACT_AFTER = 256
_FIELDS = dataclasses.fields(Version)
HEADER = (
    json.dumps(
        {
            "penholder-version-cache": FORMAT,
            "fields": [[f.name, str(f.type)] for f in _FIELDS],
        },
        separators=(",", ":"),
    )
    + "\n"
).encode("ascii")
# What JSON gives back for each kind of field; a tuple comes back as a list of strings.
KINDS: dict[str, frozenset[type]] = {
    "str": frozenset({str}),
    "str | None": frozenset({str, type(None)}),
    "int": frozenset({int}),
    "tuple[str, ...]": frozenset({list}),
}
_KINDS = [KINDS.get(str(f.type)) for f in _FIELDS]
_TUPLES = [i for i, f in enumerate(_FIELDS) if str(f.type) == "tuple[str, ...]"]
_STR = frozenset({str})
_LIST = frozenset({list})


class _Corrupt(Exception):
    pass


def encode_line(versions: list[Version]) -> bytes:
    """One append, its newline included."""
    columns = list(zip(*(v.to_record() for v in versions), strict=True))
    body = json.dumps(columns, separators=(",", ":")).encode("ascii")
    return b"%08x %s\n" % (zlib.crc32(body), body)


def _decode(lines: list[bytes]) -> list[Version]:
    """The versions of every line, parsed in one go and checked column by column."""
    if not all(line[8:9] == b" " for line in lines):
        raise _Corrupt("a line without its checksum")
    bodies = [line[9:] for line in lines]
    if b"".join([line[:8] for line in lines]) != b"".join(
        [b"%08x" % crc for crc in map(zlib.crc32, bodies)]
    ):
        raise _Corrupt("checksum")
    try:
        appends = json.loads(b"[" + b",".join(bodies) + b"]")
    except (ValueError, RecursionError) as exc:  # RecursionError: lists nested too deep
        raise _Corrupt(str(exc)) from exc
    if not set(map(type, appends)) <= _LIST or set(map(len, appends)) != {len(_FIELDS)}:
        raise _Corrupt("another shape")
    columns: list[Any] = appends[0]
    if len(appends) > 1:
        pieces = list(zip(*appends, strict=True))  # per field, its list from every append
        if not all(set(map(type, field)) <= _LIST for field in pieces):
            raise _Corrupt("another shape")
        columns = [list(itertools.chain.from_iterable(field)) for field in pieces]
    if not set(map(type, columns)) <= _LIST or len(set(map(len, columns))) != 1:
        raise _Corrupt("another shape")
    for column, kinds in zip(columns, _KINDS, strict=True):
        if kinds is not None and not set(map(type, column)) <= kinds:
            raise _Corrupt("a value of another type")
    for i in _TUPLES:
        if not set(map(type, itertools.chain.from_iterable(columns[i]))) <= _STR:
            raise _Corrupt("a value of another type")
        columns[i] = map(tuple, columns[i])
    return list(map(Version, *columns))


def _once_in_order(versions: list[Version]) -> list[Version]:
    """Each sha once (two processes may append the same versions read from git), parents
    before children. Out of order happens only when a rebuild raced a writer: a version read
    before its parents would be dropped on every open, so such a file is rebuilt."""
    seen: set[str] = set()
    later: set[str] = set()
    out = []
    for v in versions:
        if v.sha in seen:
            continue
        for p in v.parents:
            if p not in seen:
                later.add(p)
        seen.add(v.sha)
        out.append(v)
    if not later.isdisjoint(seen):
        raise _Corrupt("a version before its parents")
    return out


class VersionIndex:
    def __init__(self, git_dir: Path) -> None:
        self.path = git_dir / "penholder" / "versions.idx"

    def load(self) -> list[Version]:
        """The cached versions, parents before children; [] (and the file dropped, to be
        rebuilt by the caller's read of git) when it is foreign, torn or corrupt."""
        try:
            with open(self.path, "rb") as file:
                _lock(file.fileno(), shared=True)
                data = file.read()
        except OSError:
            return []  # none yet, or unreadable: work from git alone
        if not data:
            return []  # just created; its first line is being written
        # Tens of thousands of containers are made here and all of them live on: the cycle
        # collector would walk them over and over for nothing (a third of the time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            if not data.startswith(HEADER) or not data.endswith(b"\n"):
                raise _Corrupt("foreign or torn")
            lines = data[len(HEADER) : -1].split(b"\n")
            versions = _once_in_order(_decode(lines))
        except _Corrupt:
            self.reset()
            return []
        finally:
            if collecting:
                gc.enable()
        if len(lines) > COMPACT_AFTER:
            self._compact(versions, len(data))
        return versions

    def append(self, versions: list[Version]) -> None:
        """Add versions read from git or just written. A cache that cannot be written is
        only a slower next open, never a failed action."""
        if not versions:
            return
        line = encode_line(versions)
        try:
            self.path.parent.mkdir(exist_ok=True)
            for _attempt in range(3):
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    _lock(fd, shared=False)
                    if not _is_current(fd, self.path):
                        continue  # compacted or dropped while we waited: append to the new one
                    # The first writer of a new file writes the header under the same lock.
                    _write_all(fd, line if os.fstat(fd).st_size else HEADER + line)
                    return
                finally:
                    os.close(fd)
        except OSError:
            return

    def reset(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            return

    def _compact(self, versions: list[Version], size: int) -> None:
        """Rewrite the file as one line, unless another process appended since it was read."""
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            temporary.write_bytes(HEADER + encode_line(versions))
            with open(self.path, "rb") as file:
                _lock(file.fileno(), shared=False)
                if os.fstat(file.fileno()).st_size == size and _is_current(
                    file.fileno(), self.path
                ):
                    os.replace(temporary, self.path)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)


def _is_current(fd: int, path: Path) -> bool:
    """Whether `fd` is still the file at `path` (not one replaced or removed since)."""
    mine = os.fstat(fd)
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    return (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)


def _lock(fd: int, *, shared: bool) -> None:
    """Readers and appenders take turns (released on close): a reader never sees half of a
    line being written, so a line without its newline is one a crash tore. Where locks are
    not to be had the cache goes without."""
    if sys.platform != "win32":
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        except OSError:
            return


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
