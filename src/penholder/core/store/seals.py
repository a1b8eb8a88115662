"""The half of a signature check that needs no history: is the signature well formed, and
made over this version's content by the key it carries? (Whether that key is the actor's is
the roster's question, asked in `verify`.)

A large negotiation's signatures are checked in a second process (this module, started
isolated by `child.own_module_command`, fed over a pipe) while the rules run in this one:
Ed25519 verification is about a third of a verify, and a thread would wait on the GIL after every signature. The
answers are the same as checking in line; small histories, and any failure to start or talk to
the helper, are checked in line.
"""

from __future__ import annotations

import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import IO

from penholder.core.errors import SignatureFormError
from penholder.core.model import SignatureStatus
from penholder.core.store.child import own_module_command
from penholder.core.trust import sshsig
from penholder.core.trust.commit import strip_signature
from penholder.core.trust.rules import Rule

# (status, rule, message, key blob): status good or bad; rule and message empty when good.
Sealed = tuple[SignatureStatus, str, str, bytes | None]
Item = tuple[bytes, str | None]
# Below this many versions a second process costs more than it saves (it starts in ~0.1 s).
IN_LINE_BELOW = 1_500
CHUNK = 500


def check_sealed(raw: bytes, signature: str | None) -> Sealed:
    if signature is None:
        return SignatureStatus.BAD, Rule.SIGNATURE_MISSING, "the version is not signed", None
    try:
        parsed = sshsig.parse(signature)
    except SignatureFormError as exc:
        return SignatureStatus.BAD, Rule.SIGNATURE_FORM, str(exc), None
    blob = parsed.public_key_blob
    if not parsed.verify(strip_signature(raw)):
        return (
            SignatureStatus.BAD,
            Rule.SIGNATURE_BAD,
            "the signature does not match the version's content",
            blob,
        )
    return SignatureStatus.GOOD, "", "", blob


def check_chunk(items: Sequence[Item]) -> list[Sealed]:
    return [check_sealed(raw, signature) for raw, signature in items]


class Seals:
    """The sealed-check answer for each item, by index. When many are expected a helper
    process checks chunks from the front while this process reads and judges; whenever the
    answer it needs is not back yet, this process checks the last chunk nobody has taken
    instead of waiting, so the two finish together. Items are added as they are read (`add`,
    then `finish`), so the helper starts on the first ones while the rest are still read."""

    def __init__(self, expected: int) -> None:
        self._items: list[Item] = []
        self._chunks: list[list[Item]] = []
        self._answers: dict[int, list[Sealed]] = {}
        self._done: list[Sealed] = []
        self._helper: subprocess.Popen[bytes] | None = None
        self._inbox: queue.SimpleQueue[list[Sealed] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        # Under the lock: chunks before `front` went to the helper (their numbers in `sent`,
        # in order) or were taken here, as were chunks from `back` on; `arrived` answers came
        # back from the helper, `returned` of them were read; `finished` once all were added.
        self._lock = threading.Condition()
        self._sent: list[int] = []
        self._front = self._back = self._arrived = self._returned = 0
        self._finished = self._stopped = False
        if expected >= IN_LINE_BELOW:
            self._start()

    def _start(self) -> None:
        try:
            self._helper = subprocess.Popen(
                own_module_command("penholder.core.store.seals"),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self._helper = None
            return
        assert self._helper.stdin is not None and self._helper.stdout is not None
        # Chunks go in, and answers come out, on threads of their own: a full pipe must never
        # block the reading, and the helper must never wait for the rules to catch up.
        self._threads = [
            threading.Thread(target=self._feed, args=(self._helper.stdin,), daemon=True),
            threading.Thread(target=self._collect, args=(self._helper.stdout,), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def add(self, raw: bytes, signature: str | None) -> None:
        self._items.append((raw, signature))
        if len(self._items) % CHUNK == 0:
            self._add_chunk(len(self._items) - CHUNK)

    def finish(self) -> None:
        """No more items: the last, short chunk joins the others."""
        if len(self._items) % CHUNK:
            self._add_chunk(len(self._items) - len(self._items) % CHUNK)
        with self._lock:
            self._finished = True
            self._lock.notify_all()

    def _add_chunk(self, start: int) -> None:
        with self._lock:
            self._chunks.append(self._items[start : start + CHUNK])
            self._back = len(self._chunks)
            self._lock.notify_all()

    def __getitem__(self, index: int) -> Sealed:
        while index >= len(self._done):
            self._done += self._answer(len(self._done) // CHUNK)
        return self._done[index]

    def _answer(self, number: int) -> list[Sealed]:
        """Chunk `number`'s answers: from the helper if it has it, else checked here (and while
        the helper is busy with it, the last untaken chunk is checked here meanwhile)."""
        while True:
            with self._lock:
                if number in self._answers:
                    return self._answers.pop(number)
                if self._stopped or self._helper is None or number >= self._front:
                    if number >= self._front:
                        self._front = max(self._front, number + 1)  # the helper skips it
                    take = number
                elif self._inbox.empty() and self._front < self._back:
                    self._back -= 1
                    take = self._back
                else:
                    take = -1
            if take >= 0:
                self._answers[take] = check_chunk(self._chunks[take])
                continue
            answers = self._inbox.get()
            if answers is None:
                with self._lock:
                    self._stopped = True
                continue
            with self._lock:
                self._answers[self._sent[self._returned]] = answers
                self._returned += 1

    def _feed(self, pipe: IO[bytes]) -> None:
        try:
            while True:
                with self._lock:
                    self._lock.wait_for(
                        lambda: (
                            self._stopped
                            or (self._front < self._back and len(self._sent) - self._arrived < 2)
                            or (self._finished and self._front >= self._back)
                        )
                    )
                    if self._stopped or self._front >= self._back:
                        break
                    chunk = self._chunks[self._front]
                    self._sent.append(self._front)
                    self._front += 1
                pickle.dump(chunk, pipe)
                pipe.flush()
            pipe.close()
        except (OSError, ValueError):
            pass  # the helper was stopped: what is left is checked here

    def _collect(self, pipe: IO[bytes]) -> None:
        try:
            while True:
                self._inbox.put(pickle.load(pipe))
                with self._lock:
                    self._arrived += 1
                    self._lock.notify_all()
        except (OSError, ValueError, EOFError, pickle.UnpicklingError):
            self._inbox.put(None)  # the helper ended or was stopped

    def close(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify_all()
        helper, self._helper = self._helper, None
        if helper is not None:
            helper.kill()
            helper.wait()
        for thread in self._threads:
            thread.join()
        if helper is not None:
            for pipe in (helper.stdin, helper.stdout):
                if pipe is not None:
                    pipe.close()


def _serve() -> None:
    """The helper: chunks of (raw commit, signature) in, their answers out, until EOF."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            chunk: list[Item] = pickle.load(source)
        except EOFError:
            return
        pickle.dump(check_chunk(chunk), sink)
        sink.flush()


if __name__ == "__main__":
    _serve()
