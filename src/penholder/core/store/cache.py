"""A derived, append-only cache of every version's facts, kept inside the git directory.

Reading ten thousand commits' trailers costs git about 85 ms; acting must cost far less. The
cache holds only what the commits themselves say (keyed by sha, which never changes meaning),
so it can always be rebuilt. Nothing trusts it for verification or for a claim: `verify`,
`status`'s agreement and the certificate read every commit afresh.

The file is JSON lines. The first line names the format and the fields of `Version` it was
written with; every later line is one append, `<crc32 of the JSON, 8 hex digits> <JSON>`,
written under an exclusive lock (readers take a shared one). A file with another header (an
older Penholder, the old `marshal` format, another shape of `Version`), a line cut short, a
line that fails its checksum or holds a value of the wrong type, or versions out of order is
dropped, and the open that found it reads every version from git and writes it anew.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import sys
import zlib
from pathlib import Path

from penholder.core.model import Version

FORMAT = 3  # 1 and 2 were marshal blocks ("PHIX2")
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


class _Corrupt(Exception):
    pass


def encode_line(versions: list[Version]) -> bytes:
    """One append: the records by column (one JSON list per field of `Version`), which reads
    back several times faster than one list per record."""
    columns = list(zip(*(v.to_record() for v in versions), strict=True))
    body = json.dumps(columns, separators=(",", ":")).encode("ascii")
    return b"%08x %s\n" % (zlib.crc32(body), body)


def _decode_line(line: bytes) -> list[Version]:
    crc, _, body = line.partition(b" ")
    try:
        if len(crc) != 8 or int(crc, 16) != zlib.crc32(body):
            raise _Corrupt("checksum")
        columns = json.loads(body)
    except ValueError as exc:  # a checksum that is not hex, JSON that does not parse
        raise _Corrupt(str(exc)) from exc
    if type(columns) is not list or len(columns) != len(_FIELDS):
        raise _Corrupt("another shape")
    count = len(columns[0]) if type(columns[0]) is list else -1
    for column, kinds in zip(columns, _KINDS, strict=True):
        if type(column) is not list or len(column) != count:
            raise _Corrupt("another shape")
        if kinds is not None and not set(map(type, column)) <= kinds:
            raise _Corrupt("a value of another type")
    for i in _TUPLES:
        if not set(map(type, itertools.chain.from_iterable(columns[i]))) <= _STR:
            raise _Corrupt("a value of another type")
        columns[i] = list(map(tuple, columns[i]))
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
        try:
            if not data.startswith(HEADER) or not data.endswith(b"\n"):
                raise _Corrupt("foreign or torn")
            versions: list[Version] = []
            for line in data[len(HEADER) : -1].split(b"\n"):
                versions.extend(_decode_line(line))
            return _once_in_order(versions)
        except _Corrupt:
            self.reset()
            return []

    def append(self, versions: list[Version]) -> None:
        """Add versions read from git or just written. A cache that cannot be written is
        only a slower next open, never a failed action."""
        if not versions:
            return
        line = encode_line(versions)
        try:
            self.path.parent.mkdir(exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                _lock(fd, shared=False)
                # The first writer of a new file writes the header under the same lock.
                _write_all(fd, line if os.fstat(fd).st_size else HEADER + line)
            finally:
                os.close(fd)
        except OSError:
            return

    def reset(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            return


def _lock(fd: int, *, shared: bool) -> None:
    """Readers and appenders take turns (released on close): a reader never sees half of a
    line being written, so a line without its newline is one a crash tore."""
    if sys.platform != "win32":
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
