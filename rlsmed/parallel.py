"""Match batches of records in worker processes (`--jobs N`), returning them in input order.

Only matching runs in the workers: it is the costly step, and its result per line is small (which
names were found where), so little crosses between processes. Everything else, and so every byte
of output, stays in the main process, which keeps the report identical to a single-process run.
"""

from __future__ import annotations

import os
import signal
import time
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from .entry import deliver_sigint, sigint_held
from .matcher import Hit, Matcher
from .models import InputRecord, MatchKind
from .normalize import name_key

__all__ = ["Encoded", "ParallelMatcher", "decode", "default_jobs"]

# A line's hits, as sent back by a worker: (name key, first word, end word, fuzzy score or -1).
Encoded = tuple[tuple[str, int, int, float], ...]
_IN_FLIGHT_PER_JOB = 3  # batches queued per worker: enough to keep it busy, few enough to stay small
_LARGE = 8 << 20  # inputs of this many bytes or more are screened by one worker per core by default
_FINISH_SECONDS = 10.0  # at most this long for the batches sent to finish when the pool is stopped early

_worker_matcher: Matcher | None = None


def default_jobs(sizes: Sequence[int | None]) -> int:
    """One job per core when the inputs are large and of known size, else one."""
    if any(size is None for size in sizes) or sum(s or 0 for s in sizes) < _LARGE:
        return 1
    return max(1, os.cpu_count() or 1)


def _start(kb_files: tuple[str, ...]) -> None:
    global _worker_matcher
    # Ctrl-C reaches every process of the terminal's process group: the main process alone handles it
    # (it terminates the pool); a worker interrupted in a task would lose it, print a traceback, and
    # leave the main process waiting for a result that never comes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .api import engine

    _worker_matcher = engine(kb_files)[1]


def _match(texts: list[str]) -> list[Encoded]:
    assert _worker_matcher is not None
    fuzzy = MatchKind.FUZZY
    return [
        tuple((name_key(h.target.display), h.start, h.end, h.score if h.kind is fuzzy else -1.0) for h in hits)
        for hits in _worker_matcher.match_many(texts)
    ]


class ParallelMatcher:
    """A pool of worker processes, each with its own knowledge base and matcher."""

    def __init__(self, matcher: Matcher, kb_files: tuple[str, ...], jobs: int) -> None:
        self.matcher = matcher
        self.jobs = jobs
        import multiprocessing  # only now: it is slow to import, and most runs need no workers

        # Forking shares the loaded knowledge base with the workers; elsewhere they load their own.
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        # No Ctrl-C may reach a worker before `_start` runs: while they start, one pressed is held back
        # (forked workers inherit the handler that holds it; spawned ones inherit SIGINT ignored, and
        # then a Ctrl-C in these milliseconds is lost), then acted on.
        self._pool: Any = None
        self._pending: deque[tuple[list[InputRecord], Any]] = deque()  # batches sent, results not yet taken
        with sigint_held(ignore=method != "fork") as held:
            self._pool = context.Pool(jobs, initializer=_start, initargs=(kb_files,))
        if held:
            self.terminate()
            deliver_sigint()

    def match_batches(self, batches: Iterator[list[InputRecord]]) -> Iterator[tuple[list[InputRecord], list[Encoded]]]:
        """Each batch of records with the encoded hits of each record, in the order the batches came."""
        pending = self._pending
        try:
            for records in batches:
                pending.append((records, self._pool.apply_async(_match, ([r.text for r in records],))))
                if len(pending) >= self.jobs * _IN_FLIGHT_PER_JOB:
                    done, result = pending.popleft()
                    yield done, result.get()
            while pending:
                done, result = pending.popleft()
                yield done, result.get()
            self._pool.close()
            self._pool.join()
        except BaseException:  # an error, Ctrl-C, or the consumer stopping early (GeneratorExit)
            self.terminate()
            raise
        self._pool = None

    def terminate(self) -> None:
        """Stop the workers now (after an error or Ctrl-C) and wait for them; safe to call again."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        with sigint_held(ignore=True):  # a second Ctrl-C must not leave the pool half torn down
            # The batches sent are finished first (a few per worker: milliseconds). Pool.terminate stops
            # reading results early and then needs the lock of the results queue; a worker still
            # writing a large result holds that lock, and with many workers it could wait forever.
            deadline = time.monotonic() + _FINISH_SECONDS
            for _, result in self._pending:
                result.wait(max(0.0, deadline - time.monotonic()))
            self._pending.clear()
            pool.terminate()
            pool.join()


def decode(matcher: Matcher, encoded: Encoded) -> tuple[Hit, ...]:
    """The hits a worker found, as the main process's own objects."""
    exact, fuzzy = MatchKind.EXACT, MatchKind.FUZZY
    hits = []
    for key, start, end, score in encoded:
        found = matcher.target(key)
        if found is None:  # cannot happen with the same knowledge base; never drop a name silently
            raise RuntimeError(f"a worker matched a name this process does not know: {key!r}")
        hits.append(Hit(found, start, end, fuzzy if score >= 0 else exact, score if score >= 0 else 100.0))
    return tuple(hits)
