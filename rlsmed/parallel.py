"""Match batches of records in worker processes (`--jobs N`), returning them in input order.

Only matching runs in the workers: it is the costly step, and its result per line is small (which
names were found where), so little crosses between processes. Everything else, and so every byte
of output, stays in the main process, which keeps the report identical to a single-process run.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from .matcher import Hit, Matcher
from .models import InputRecord, MatchKind
from .normalize import name_key

__all__ = ["Encoded", "ParallelMatcher", "decode", "default_jobs"]

# A line's hits, as sent back by a worker: (name key, first word, end word, fuzzy score or -1).
Encoded = tuple[tuple[str, int, int, float], ...]
_IN_FLIGHT_PER_JOB = 3  # batches queued per worker: enough to keep it busy, few enough to stay small
_LARGE = 8 << 20  # inputs of this many bytes or more are screened by one worker per core by default

_worker_matcher: Matcher | None = None


def default_jobs(sizes: Sequence[int | None]) -> int:
    """One job per core when the inputs are large and of known size, else one."""
    if any(size is None for size in sizes) or sum(s or 0 for s in sizes) < _LARGE:
        return 1
    return max(1, os.cpu_count() or 1)


def _start(kb_files: tuple[str, ...]) -> None:
    global _worker_matcher
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
        self._pool: Any = multiprocessing.get_context(method).Pool(jobs, initializer=_start, initargs=(kb_files,))

    def match_batches(self, batches: Iterator[list[InputRecord]]) -> Iterator[tuple[list[InputRecord], list[Encoded]]]:
        """Each batch of records with the encoded hits of each record, in the order the batches came."""
        pending: deque[tuple[list[InputRecord], Any]] = deque()
        try:
            for records in batches:
                pending.append((records, self._pool.apply_async(_match, ([r.text for r in records],))))
                if len(pending) >= self.jobs * _IN_FLIGHT_PER_JOB:
                    done, result = pending.popleft()
                    yield done, result.get()
            while pending:
                done, result = pending.popleft()
                yield done, result.get()
        except BaseException:
            self._pool.terminate()
            raise
        self._pool.close()
        self._pool.join()


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
