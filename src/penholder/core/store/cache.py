"""A derived, append-only cache of every version's facts, kept inside the git directory.

Reading ten thousand commits' trailers costs git about 85 ms; acting must cost far less. The
cache holds only what the commits themselves say (keyed by sha, which never changes meaning),
so it can always be rebuilt, and a torn or foreign file is simply discarded. Nothing trusts
it for verification: `verify` reads every commit afresh.
"""

from __future__ import annotations

import marshal
import os
import struct
from pathlib import Path

from penholder.core.model import Version

# Bumped whenever what a version is read as changes: a cache from an older reader is dropped.
MAGIC = b"PHIX2\n"
_LEN = struct.Struct(">I")


class VersionIndex:
    def __init__(self, git_dir: Path) -> None:
        self.path = git_dir / "penholder" / "versions.idx"

    def load(self) -> list[Version]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        if not data.startswith(MAGIC):
            return []
        versions: list[Version] = []
        pos = len(MAGIC)
        while pos + _LEN.size <= len(data):
            (size,) = _LEN.unpack_from(data, pos)
            block = data[pos + _LEN.size : pos + _LEN.size + size]
            if len(block) != size:
                break  # a torn final append: what precedes it is whole
            try:
                records = marshal.loads(block)
                versions.extend(Version.from_record(tuple(r)) for r in records)
            except (ValueError, EOFError, TypeError):
                break
            pos += _LEN.size + size
        return versions

    def append(self, versions: list[Version]) -> None:
        if not versions:
            return
        block = marshal.dumps([v.to_record() for v in versions])
        self.path.parent.mkdir(exist_ok=True)
        try:
            first = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            pass
        else:
            os.write(first, MAGIC)
            os.close(first)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            # One write call per block, so concurrent appenders never interleave inside it.
            os.write(fd, _LEN.pack(len(block)) + block)
        finally:
            os.close(fd)

    def reset(self) -> None:
        self.path.unlink(missing_ok=True)
