"""One screening run: inputs → readers → records → screener (or worker processes) → results → a writer.

`Screening` drives the run. Results stream a batch at a time, so that exports of any size run in
constant memory; `write` hands them to a writer and returns the Summary, which gives the exit code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from itertools import chain, islice
from typing import TYPE_CHECKING, TextIO

from .advice import iron_advice
from .conditions import PatientConditions, conditions_in, read_conditions
from .engine import engine, resolve_ignores
from .errors import RlsmedError, UsageError
from .formats import JOBS_MAX, InputFormat
from .ignores import as_ignores, in_force
from .inputs import Input, Marks, Reading
from .mentions import MentionReader
from .models import InputRecord, LineResult, Recognition, ResultBatch
from .options import CheckOptions
from .quietgc import quiet_gc
from .readers import ReadOptions, detect_format, reader_for
from .readers.base import Opener, Rewound
from .readers.compressed import Unpacking, unpacked
from .readers.statuses import current, left_out
from .report import Advice, ReportMeta, Summary, Tally, plural
from .screen import Screener
from .writers.base import RunEnd, Writer

if TYPE_CHECKING:
    from .parallel import ParallelMatcher

__all__ = ["Screening"]

_TRIAL_BATCHES = 32  # at most, screened here before workers are chosen (the line cache judges 16,384 look-ups)
_LARGE = 8 << 20  # bytes of input from which worker processes are used by default


class Screening:
    """One run over some inputs. Use it as a context manager; then `write` it, or iterate it once."""

    def __init__(self, inputs: Sequence[Input], options: CheckOptions | None = None) -> None:
        self.inputs = list(inputs)
        self.options = (options or CheckOptions()).checked()
        self.engine = engine(self.options.kb_files, self.options.country)
        self.kb, self.matcher = self.engine.kb, self.engine.matcher
        # Ignores past their date are not applied, and the run says so.
        active, self.expired_ignores = in_force(as_ignores(self.options.ignore), dt.date.today())
        ignore = resolve_ignores(active, self.engine)
        self.screener = Screener(self.kb, self.matcher, ignore=ignore, country=self.options.country)
        self.mentions = MentionReader(self.screener, all_statuses=self.options.all_statuses)
        self._sections: deque[bool] = deque()  # per batch read, in order: are its records a list's lines?
        o = self.options
        names = tuple(i.name for i in self.inputs)
        self.meta = ReportMeta(
            self.kb.version, self.kb.updated, o.fail_on, o.ferritin, o.tsat, names, o.country, self.kb.site_files
        )
        # Patients with RLS on record: from --conditions files now, and from FHIR inputs as they are read.
        self.conditions = PatientConditions(given=bool(o.conditions))
        for path in o.conditions:
            self.conditions.rls.update(read_conditions(path))
        self._rls_only: frozenset[str] | None = None  # with rls_only: those known before screening
        if o.rls_only and not o.conditions:
            # The patients must be known before screening: an input read only once cannot tell them.
            once = next((i.name for i in self.inputs if not _rereadable(i)), None)
            if once is not None:
                raise UsageError(
                    f"--rls-only needs the patients' conditions before screening, and {once} can be read only"
                    " once: give them with --conditions FILE, or the FHIR export as a file"
                )
        self.tally = Tally(o.fail_on, self.conditions)
        self.tally.summary.warnings.extend(
            f"{ignore.describe()} expired on {ignore.expires}: not applied" for ignore in self.expired_ignores
        )
        self.empty_inputs: list[str] = []  # inputs that held no medication record at all
        self._warned_empty = False
        self.progress: Callable[[int], None] | None = None  # told the bytes read, as they are read
        self._replay = False
        self._read: ReadOptions | None = None  # the read options, once the readers prepared the run
        self._formats: dict[int, InputFormat] = {}  # each input's format, where it was detected early
        self._parallel: ParallelMatcher | None = None  # the worker pool of --jobs, while it runs
        self._quiet_gc = False
        self._marks: dict[int, Marks] = {}  # by input: what the first reading saw, when it is read again

    @property
    def input_names(self) -> list[str]:
        return list(self.meta.inputs)

    @property
    def replayable(self) -> bool:
        return self._replay or all(i.replayable for i in self.inputs)

    def replay(self) -> bool:
        """Arrange, before screening, for the inputs to be read a second time (`reread_batches`): stdin's
        bytes are then kept in memory as it is read. False when an input cannot be read again."""
        if any(not i.replayable and i.keep is None for i in self.inputs):
            return False
        for i in self.inputs:
            if i.keep is not None:
                i.keep()
        self._replay = True
        return True

    def write(self, writer: Writer, out: TextIO) -> Summary:
        """Screen the inputs into `writer`, writing to `out`; the run's summary (writer's notes included)."""
        reread = writer.rereads and self.replay()
        writer.start(self.meta, out, reread=reread)
        for batch in self.batches():
            writer.add(batch)
        summary = self.finish()
        skipped = (self.left_out_batches if summary.skipped or summary.skipped_never else _none) if reread else None
        end = RunEnd(
            summary, self.advice(), self.reread_batches if reread else None, self.screener.recognition_set, skipped
        )
        summary.notes.extend(writer.finish(end))
        return summary

    def batches(self) -> Iterator[ResultBatch]:
        """Screen the inputs a batch at a time (the first and only screening pass). By default a large input
        goes to workers only once its texts turn out varied: on one that repeats them, the line cache wins."""
        add_batch, apply, sections = self.tally.add_batch, self.mentions.apply, self._sections
        batches = self.record_batches(count_skipped=True)
        chosen = self.options.jobs
        jobs = min(chosen or _default_jobs(self.inputs), usable_cores())
        screen_batch = self.screener.screen_batch
        if jobs > 1 and chosen is None:
            # Screened here until the line cache has judged a window (or the trial's limit): if it pays,
            # the whole input stays in this process.
            for records in islice(batches, _TRIAL_BATCHES):
                for batch in apply(screen_batch(records, marks=True), sections=sections.popleft()):
                    add_batch(batch)
                    yield batch
                if self.screener.cache_judged:
                    break
            if self.screener.caching:
                jobs = 1
        if jobs > 1:  # never more workers than batches: an input of one batch is screened here
            first = list(islice(batches, jobs))
            jobs = min(jobs, len(first))
            batches = chain(first, batches)
        if jobs > 1:
            from .parallel import ParallelMatcher  # only now: most runs need no workers

            parallel = self._parallel = ParallelMatcher(
                self.screener, self.options.kb_files, jobs, self.options.country
            )
            try:
                for screened in parallel.screen_batches(batches):
                    for batch in apply(screened, sections=sections.popleft()):
                        add_batch(batch)
                        yield batch
                for batch in self.mentions.flush():
                    add_batch(batch)
                    yield batch
            finally:
                parallel.terminate()
                self._parallel = None
            return
        for records in batches:
            for batch in apply(screen_batch(records, marks=True), sections=sections.popleft()):
                add_batch(batch)
                yield batch
        for batch in self.mentions.flush():
            add_batch(batch)
            yield batch

    def __iter__(self) -> Iterator[LineResult]:
        for batch in self.batches():
            yield from batch.results

    def record_batches(
        self, *, count_skipped: bool = False, only_left_out: bool = False
    ) -> Iterator[list[InputRecord]]:
        """The records to screen, a batch at a time: those whose status leaves them out are counted as
        skipped (when `count_skipped`) and not given; with `only_left_out`, only those are given."""
        return self._read_inputs(count_skipped=count_skipped, only_left_out=only_left_out, again=False)

    def _read_inputs(self, *, count_skipped: bool, only_left_out: bool, again: bool) -> Iterator[list[InputRecord]]:
        """The inputs read. The first reading of a run that reads its inputs again notes, for each file,
        what it was and what had been read at each batch; the later ones (`again`) check that."""
        read = self.read_options()
        all_statuses = self.options.all_statuses
        for index, item in enumerate(self.inputs):
            # stdin, a pipe and text read again are the bytes kept from the first reading: only a file can change.
            marks = self._marks.get(index) if again and item.replayable else None
            watch = item.replayable and self._replay and not again
            stream = Reading(item, watch=watch or marks is not None)
            try:
                if marks is not None:
                    marks.again(stream, item.name)
                if watch:
                    marks = self._marks[index] = Marks(stream.identity)
                progress = self.progress if count_skipped else None
                inner, head, name = unpacked(stream, item.name, progress)  # type: ignore[arg-type]
                fmt = self._formats.get(index) or self.options.input_format
                if fmt is InputFormat.AUTO:
                    fmt = detect_format(name, head)
                reader = reader_for(fmt)
                read_any = False
                for batch in reader.read_batches(Rewound(head, inner), item.name, read):  # type: ignore[arg-type]
                    if marks is not None:
                        marks.check(stream, item.name, first=watch)
                    read_any = read_any or bool(batch)
                    if reader.statuses:
                        if only_left_out:
                            yield left_out(batch, all_statuses=all_statuses)[0]
                            continue
                        kept = current(batch, all_statuses=all_statuses)
                        if count_skipped and len(kept) < len(batch):
                            # Only records entered in error are left out (never screened): a stopped or
                            # allergy record names a drug that is not current, reported as such.
                            self.tally.summary.skipped_never += left_out(batch, all_statuses=all_statuses)[1]
                        batch = kept
                    elif only_left_out:
                        continue
                    if self._rls_only is not None:
                        # A record naming no patient cannot be told apart: it is screened (recall first).
                        rls = self._rls_only
                        kept = [r for r in batch if r.patient is None or r.patient in rls]
                        if count_skipped:
                            self.tally.summary.skipped_no_rls += len(batch) - len(kept)
                        batch = kept
                    if count_skipped:
                        self._sections.append(reader.sections)
                    yield batch
                if count_skipped:
                    self.tally.summary.notes.extend(f"{item.name}: {note}" for note in reader.notes())
                    if not read_any:
                        self._nothing_in(item.name)
                if marks is not None:
                    marks.check(stream, item.name, first=watch, end=True)
            finally:
                if item.replayable:
                    stream.close()

    def _nothing_in(self, name: str) -> None:
        """An input with no medication record in it: with others that have some, it is named in a warning
        (it may be an empty or broken export); a run of empty inputs only exits NOTHING_TO_SCREEN."""
        self.empty_inputs.append(name)

    def records(self) -> Iterator[InputRecord]:
        """Every record to screen, in order."""
        for batch in self.record_batches():
            yield from batch

    def reread_batches(self) -> Iterator[list[InputRecord]]:
        """The same records once more, in the same batches as the first pass."""
        if not self.replayable:
            raise RuntimeError("stdin cannot be read twice")
        return self._read_inputs(count_skipped=False, only_left_out=False, again=True)

    def left_out_batches(self) -> Iterator[list[InputRecord]]:
        """The records that statuses left out (read again): for a report that lists them by line."""
        return self._read_inputs(count_skipped=False, only_left_out=True, again=True)

    def read_options(self) -> ReadOptions:
        """The read options of the run: what each format's reader learns from all of its inputs before any
        is read (FHIR references resolve across lines and files). Inputs that can be opened again have
        their format detected here, once."""
        if self._read is not None:
            return self._read
        fixed = self.options.input_format
        by_format: dict[InputFormat, list[Opener]] = {}
        for index, item in enumerate(self.inputs):
            if not _rereadable(item):
                continue  # stdin, a pipe (`<(…)`), a directory: read once, when screened
            fmt = fixed
            packed = False
            try:
                stream = item.opener()
                try:
                    inner, head, name = unpacked(stream, item.name)
                    packed = inner is not stream
                    if fmt is InputFormat.AUTO:
                        fmt = self._formats[index] = detect_format(name, head)
                finally:
                    stream.close()
            except (RlsmedError, OSError, ValueError):
                continue  # reported when the input is read
            by_format.setdefault(fmt, []).append(Unpacking(item.name, item) if packed else item)
        read = self.options.read._replace(conditions=self.conditions)
        for fmt, items in by_format.items():
            read = reader_for(fmt).prepare(items, read)
        if self.options.rls_only:
            # Only the patients known before screening: both readings of the inputs keep the same records.
            for fhir in by_format.get(InputFormat.FHIR, ()):
                with contextlib.suppress(RlsmedError, OSError, ValueError):  # reported when the input is read
                    stream = fhir.opener()
                    try:
                        self.conditions.rls.update(conditions_in(stream, fhir.name))
                    finally:
                        stream.close()
            self._rls_only = frozenset(self.conditions.rls)
        self._read = read
        return read

    def finish(self) -> Summary:
        """The summary, once the results have been iterated."""
        summary = self.tally.finish()
        changes = self.screener.site_changes
        if changes and not any(n.startswith("site knowledge base") for n in summary.notes):
            files = ", ".join(path for path, _ in self.kb.site_files)
            counts = "; ".join(f"{n:,} {change}" for change, n in sorted(changes.items()))
            lines = plural(sum(changes.values()), "line")
            summary.notes.append(f"site knowledge base {files} changed the outcome of {lines} ({counts})")
        if self.empty_inputs and not summary.nothing_to_screen and not self._warned_empty:
            self._warned_empty = True
            summary.warnings.extend(f"{name}: nothing to screen (no medication in it)" for name in self.empty_inputs)
        return summary

    def advice(self) -> tuple[Advice, ...]:
        """Advice to add once screening is complete."""
        if self.tally.summary.has_findings:
            return (iron_advice(self.options.ferritin, self.options.tsat),)
        return ()

    def recognition_set(self, state: int) -> tuple[Recognition, ...]:
        """The recognitions of records whose Outcome.state is `state`."""
        return self.screener.recognition_set(state)

    def close(self) -> None:
        """Stop the worker processes of an unfinished screening (after an error or Ctrl-C, when the
        batches were not read to their end); nothing to do otherwise. Safe to call more than once."""
        parallel, self._parallel = self._parallel, None
        if parallel is not None:
            parallel.terminate()

    def __enter__(self) -> Screening:
        if not self._quiet_gc:
            self._quiet_gc = True
            quiet_gc(True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        if self._quiet_gc:
            self._quiet_gc = False
            quiet_gc(False)


def _none() -> Iterator[list[InputRecord]]:
    return iter(())


def _rereadable(item: Input) -> bool:
    """An input that can be read before its screening and again for it: not stdin, a pipe or a directory."""
    return item.replayable and not (os.path.exists(item.name) and not os.path.isfile(item.name))


def _default_jobs(inputs: Sequence[Input]) -> int:
    """One worker process per core when the inputs are large and of known size, else none (one job). The
    first batches are screened here all the same, and the workers start only if the line cache turned out
    not to pay (see Screening.batches)."""
    sizes = [i.size for i in inputs]
    if any(size is None for size in sizes) or sum(s or 0 for s in sizes) < _LARGE:
        return 1
    return usable_cores()


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system says), at most JOBS_MAX."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, JOBS_MAX))
