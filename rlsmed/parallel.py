"""Screen batches of records in worker processes (`--jobs N`), returning them in input order.

Workers find the names in each line and what they amount to (which drugs, flagged or not); what crosses
back is small: per line a number standing for its outcome (numbered by each worker, and described once,
by the hits of one line, when first seen), and the hits of flagged lines, whose findings need the
words. Everything else, and so every byte of output, stays in the main process, which keeps the report
identical to a single-process run.
"""

from __future__ import annotations

import os
import signal
import time
from array import array
from collections import deque
from collections.abc import Iterator
from typing import Any, NamedTuple

from .engine import engine
from .matcher import Hit, Matcher
from .models import RECORD_CODES, RECORD_TEXT, InputRecord, LineStatus, MatchKind, Outcome, ResultBatch
from .normalize import name_key
from .screen import Screener
from .signals import deliver_sigint, sigint_held

__all__ = ["Coded", "Encoded", "ParallelMatcher"]

# A line's hits, as sent back by a worker: (name key, first word, end word, fuzzy score or -1).
Encoded = tuple[tuple[str, int, int, float], ...]


class Coded(NamedTuple):
    """What a worker found in a batch of lines."""

    worker: int  # the worker's process id: outcome numbers are each worker's own
    codes: array[int]  # per line, the number of its outcome
    new: dict[int, Encoded]  # for each number first seen, the hits of one line with that outcome
    hits: dict[int, Encoded]  # by line: the hits of flagged lines, and of the lines asked for
    marks: list[int]  # the lines that hold a word the matcher watches for (context reading)


_IN_FLIGHT_PER_JOB = 3  # batches queued per worker: enough to keep it busy, few enough to stay small
_FINISH_SECONDS = 10.0  # at most this long for the batches sent to finish when the pool is stopped early

_worker_matcher: Matcher | None = None
_worker_screener: Screener | None = None
_codes: dict[int, int] = {}  # a worker's outcome numbers, by the identity of its Outcome objects
_kept: list[Outcome] = []  # those objects, kept alive so that no identity is reused


def _start(kb_files: tuple[str, ...], country: str = "", watched: frozenset[str] = frozenset()) -> None:
    global _worker_matcher, _worker_screener
    # Ctrl-C reaches every process of the terminal's process group: the main process alone handles it
    # (it terminates the pool); a worker interrupted in a task would lose it, print a traceback, and
    # leave the main process waiting for a result that never comes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    kb, _worker_matcher, _ = engine(kb_files, country)
    if watched:
        _worker_matcher.watch(watched)
    _worker_screener = Screener(kb, _worker_matcher, country=country)


def _encode(hits: tuple[Hit, ...]) -> Encoded:
    fuzzy = MatchKind.FUZZY
    return tuple((name_key(h.target.display), h.start, h.end, h.score if h.kind is fuzzy else -1.0) for h in hits)


def _screen(texts: list[str], wanted: list[int]) -> Coded:
    """A batch screened in a worker: each line's outcome number, and the hits that must cross."""
    assert _worker_matcher is not None and _worker_screener is not None
    marks: list[int] = []
    all_hits = _worker_matcher.match_many(texts, marks)
    outcomes = _worker_screener.outcomes(all_hits)
    get = _codes.get
    numbers = [get(id(o), -1) for o in outcomes]
    new: dict[int, Encoded] = {}
    for i in [i for i, n in enumerate(numbers) if n < 0]:
        n = get(id(outcomes[i]), -1)
        if n < 0:
            n = _codes[id(outcomes[i])] = len(_kept)
            _kept.append(outcomes[i])
            new[n] = _encode(all_hits[i])
        numbers[i] = n
    flagged = LineStatus.FLAGGED
    needed = [i for i, o in enumerate(outcomes) if o[0] is flagged] + wanted
    return Coded(os.getpid(), array("I", numbers), new, {i: _encode(all_hits[i]) for i in needed}, marks)


class ParallelMatcher:
    """A pool of worker processes, each with its own knowledge base and matcher; what they find becomes
    results of the main process's screener (the same objects a single-process run makes)."""

    def __init__(self, screener: Screener, kb_files: tuple[str, ...], jobs: int, country: str = "") -> None:
        self.screener = screener
        self.jobs = jobs
        self._outcomes: dict[int, dict[int, Outcome]] = {}  # by worker: its outcome numbers, as Outcomes
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
            watched = screener.matcher._watched  # the words context reading looks for
            self._pool = context.Pool(jobs, initializer=_start, initargs=(kb_files, country, watched))
        if held:
            self.terminate()
            deliver_sigint()

    def screen_batches(self, batches: Iterator[list[InputRecord]]) -> Iterator[ResultBatch]:
        """The results of each batch of records, in the order the batches came."""
        pending = self._pending
        try:
            for records in batches:
                # Lines with RxNorm codes are finished here, from their hits and their codes.
                wanted = [i for i, r in enumerate(records) if r.codes] if any(map(RECORD_CODES, records)) else []
                task = (list(map(RECORD_TEXT, records)), wanted)
                pending.append((records, self._pool.apply_async(_screen, task)))
                if len(pending) >= self.jobs * _IN_FLIGHT_PER_JOB:
                    done, result = pending.popleft()
                    yield self._results(done, result.get())
            while pending:
                done, result = pending.popleft()
                yield self._results(done, result.get())
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

    def _results(self, records: list[InputRecord], coded: Coded) -> ResultBatch:
        """A worker's outcome numbers become this process's own Outcomes, each described once by the
        hits of one line."""
        screener = self.screener
        matcher = screener.matcher
        table = self._outcomes.setdefault(coded.worker, {})
        for number, encoded in coded.new.items():
            table[number] = screener.outcome(_decode(matcher, encoded))
        outcomes = list(map(table.__getitem__, coded.codes))
        hits = {i: _decode(matcher, encoded) for i, encoded in coded.hits.items()}
        return screener.finish(records, outcomes, hits, coded.marks)


def _decode(matcher: Matcher, encoded: Encoded) -> tuple[Hit, ...]:
    """The hits a worker found, as the main process's own objects."""
    exact, fuzzy = MatchKind.EXACT, MatchKind.FUZZY
    hits = []
    for key, start, end, score in encoded:
        found = matcher.target(key)
        if found is None:  # cannot happen with the same knowledge base; never drop a name silently
            raise RuntimeError(f"a worker matched a name this process does not know: {key!r}")
        hits.append(Hit(found, start, end, fuzzy if score >= 0 else exact, score if score >= 0 else 100.0))
    return tuple(hits)
