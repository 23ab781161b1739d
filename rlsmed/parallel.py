"""Screen batches of records in worker processes (`--jobs N`), returning them in input order.

Workers find the names in each line and what they amount to (which drugs, flagged or not); what crosses
back is small: per line a number standing for its outcome (numbered by each worker, and described once,
by the hits of one line, when first seen), and the hits of flagged lines, whose findings need the
words. Everything else, and so every byte of output, stays in the main process, which keeps the report
identical to a single-process run.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
import time
from array import array
from collections import deque
from collections.abc import Iterator
from itertools import cycle
from multiprocessing.connection import Connection
from typing import Any, NamedTuple, NoReturn

from .engine import engine
from .errors import RlsmedError
from .matcher import Hit, Matcher
from .models import RECORD_CODES, RECORD_TEXT, InputRecord, LineStatus, MatchKind, Outcome, ResultBatch
from .normalize import name_key
from .screen import Screener
from .signals import STOPS, Stopped, deliver, stops_held

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


_IN_FLIGHT_PER_JOB = 3  # batches sent to each worker ahead: enough to keep it busy, few enough to stay small
_STOP_SECONDS = 5.0  # for the workers to end once told to (then they are killed)

_worker_matcher: Matcher | None = None
_worker_screener: Screener | None = None
_codes: dict[int, int] = {}  # a worker's outcome numbers, by the identity of its Outcome objects
_kept: list[Outcome] = []  # those objects, kept alive so that no identity is reused


def _start(kb_files: tuple[str, ...], country: str = "", watched: frozenset[str] = frozenset()) -> None:
    global _worker_matcher, _worker_screener
    # Ctrl-C reaches every process of the terminal's process group: the main process alone handles it
    # (it stops the workers); a worker interrupted in a task would print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # SIGTERM and SIGHUP end a worker at once and silently (the main process's handler, inherited by
    # forking, would raise in it): the main process sees its pipe close.
    for number in STOPS:
        if number != signal.SIGINT:
            signal.signal(number, signal.SIG_DFL)
    kb, _worker_matcher, _ = engine(kb_files, country)
    if watched:
        _worker_matcher.watch(watched)
    _worker_screener = Screener(kb, _worker_matcher, country=country)


def _serve(
    conn: Connection, kb_files: tuple[str, ...], country: str, watched: frozenset[str], inherited: list[Connection]
) -> None:
    """A worker process: screen each batch it is sent until it is sent None or its pipe closes.

    It ends with os._exit: a forked worker holds a copy of the main process's unwritten stdout, which
    multiprocessing's own ending would flush a second time."""
    code = 1
    try:
        for other in inherited:  # forked: the main process's ends of the pipes, which must close with it
            other.close()
        _start(kb_files, country, watched)
        while (task := conn.recv()) is not None:
            try:
                reply: Coded | BaseException = _screen(*task)
            except Exception as e:  # a bug: raised again in the main process, which reports it
                reply = e
            try:
                conn.send(reply)
            except OSError:
                raise
            except Exception:  # an exception that cannot be pickled: its type is enough
                conn.send(RuntimeError(type(reply).__name__))
        code = 0
    except (EOFError, OSError):  # the main process has gone, or stopped the workers: nothing to say
        code = 0
    finally:
        os._exit(code)


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


class _Worker(NamedTuple):
    process: Any  # multiprocessing's Process of the start method in use
    conn: Connection


class ParallelMatcher:
    """Worker processes, each with its own knowledge base and matcher and its own pipe; what they find
    becomes results of the main process's screener (the same objects a single-process run makes).

    Not multiprocessing.Pool: its workers share a lock to take tasks, and one killed while holding it
    (SIGTERM or SIGHUP sent to the whole process group, the out-of-memory killer) leaves Pool.terminate
    waiting forever. Here every worker has a pipe of its own: a worker that dies is seen as its pipe
    closing, and stopping the workers takes no lock."""

    def __init__(self, screener: Screener, kb_files: tuple[str, ...], jobs: int, country: str = "") -> None:
        self.screener = screener
        self.jobs = jobs
        self._outcomes: dict[int, dict[int, Outcome]] = {}  # by worker: its outcome numbers, as Outcomes
        self._workers: list[_Worker] = []
        import multiprocessing  # only now: it is slow to import, and most runs need no workers

        # Forking shares the loaded knowledge base with the workers; elsewhere they load their own.
        fork = "fork" in multiprocessing.get_all_start_methods()
        context: Any = multiprocessing.get_context("fork" if fork else "spawn")
        # No stop signal may reach a worker before `_start` runs: while they start, one is held back
        # (forked workers inherit the handler that holds it; spawned ones inherit the signals ignored,
        # and then one sent in these milliseconds is lost), then acted on.
        watched = screener.matcher.watched  # the words context reading looks for
        with stops_held(ignore=not fork) as held:
            for _ in range(jobs):
                ours, theirs = context.Pipe()
                inherited = [ours, *(w.conn for w in self._workers)] if fork else []
                process = context.Process(
                    target=_serve, args=(theirs, kb_files, country, watched, inherited), daemon=True
                )
                try:
                    process.start()
                finally:
                    theirs.close()
                self._workers.append(_Worker(process, ours))
        self._feeder = _Feeder()  # after forking: a worker gets no copy of the thread
        if held:
            self.terminate()
            deliver(held)

    def screen_batches(self, batches: Iterator[list[InputRecord]]) -> Iterator[ResultBatch]:
        """The results of each batch of records, in the order the batches came: batch i is screened by
        worker i mod N, a few batches ahead of the one whose results are taken."""
        pending: deque[tuple[list[InputRecord], _Worker]] = deque()
        ahead = len(self._workers) * _IN_FLIGHT_PER_JOB
        try:
            for records, worker in zip(batches, cycle(self._workers)):
                # Lines with RxNorm codes are finished here, from their hits and their codes.
                wanted = [i for i, r in enumerate(records) if r.codes] if any(map(RECORD_CODES, records)) else []
                self._feeder.send(worker.conn, (list(map(RECORD_TEXT, records)), wanted))
                pending.append((records, worker))
                if len(pending) >= ahead:
                    done, by = pending.popleft()
                    yield self._results(done, self._receive(by))
            while pending:
                done, by = pending.popleft()
                yield self._results(done, self._receive(by))
            self._finish()
        except BaseException:  # an error, Ctrl-C, or the consumer stopping early (GeneratorExit)
            self.terminate()
            raise

    def _receive(self, worker: _Worker) -> Coded:
        try:
            reply = worker.conn.recv()
        except (EOFError, OSError):
            self._gone(worker)
        if isinstance(reply, BaseException):
            raise reply
        return reply  # type: ignore[no-any-return]

    def _gone(self, worker: _Worker) -> NoReturn:
        """A worker ended before its work was done: killed by a stop signal sent to the whole process
        group (the main process stops as it would on that signal), or by anything else (an error)."""
        worker.process.join(1.0)
        code = worker.process.exitcode
        if code is not None and -code in STOPS:  # SIGTERM, SIGHUP: workers ignore Ctrl-C
            raise Stopped(-code)
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        raise RlsmedError(f"a worker process ended unexpectedly ({how}); run again, or with --jobs 1")

    def _finish(self) -> None:
        """Every batch is done: the workers are told to end, and waited for."""
        workers, self._workers = self._workers, []
        for worker in workers:
            self._feeder.send(worker.conn, None)
        self._feeder.stop()
        _reap(workers)

    def terminate(self) -> None:
        """Stop the workers now (after an error, Ctrl-C, SIGTERM or SIGHUP) and wait for them; safe to
        call again."""
        workers, self._workers = self._workers, []
        if not workers:
            return
        with stops_held(ignore=True):  # a second Ctrl-C must not leave workers half stopped
            for worker in workers:
                with contextlib.suppress(OSError, ValueError, AttributeError):
                    worker.process.terminate()
            self._feeder.stop()  # a send to a worker that has gone fails, and the thread goes on to the end
            _reap(workers)

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


class _Feeder:
    """Sends the batches to the workers from a thread of its own: the main process then only ever waits
    for results, never to send a batch to a worker that is itself waiting to send a result (with large
    batches and results both pipes can be full). Messages go out in the order given."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[Connection, object] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="rlsmed-feeder", daemon=True)
        self._thread.start()

    def send(self, conn: Connection, message: object) -> None:
        self._queue.put((conn, message))

    def stop(self) -> None:
        """Send what was given, then end (at once for workers that have gone); safe to call again."""
        self._queue.put(None)
        self._thread.join(_STOP_SECONDS)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            conn, message = item
            # A worker that has gone: the main process learns it, and how, when it asks for the result.
            with contextlib.suppress(OSError, ValueError):
                conn.send(message)


def _reap(workers: list[_Worker]) -> None:
    """Wait for the workers to end (killing any that have not within _STOP_SECONDS) and close their pipes."""
    deadline = time.monotonic() + _STOP_SECONDS
    for worker in workers:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.exitcode is None:
                worker.process.kill()
                worker.process.join()
        worker.conn.close()


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
