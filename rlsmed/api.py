"""The library entry points: `check` a medication list (or files) and get a typed Report.

The command line is a thin layer over `Screening`, which streams results so that exports of any size
run in constant memory; `check` collects a whole Screening into a Report.
"""

from __future__ import annotations

import io
import math
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

from .advice import iron_advice
from .errors import InputError, UsageError
from .kb import load_knowledge_base
from .lexicon import load_lexicon
from .matcher import Matcher
from .models import Evidence, InputRecord, KnowledgeBase, LineResult, MatchKind, Recognition, ResultBatch
from .normalize import name_key
from .readers import InputFormat, ReadOptions, detect_format, prepare, reader_for
from .readers.base import Rewound, record_batches
from .report import Advice, Report, ReportMeta, Summary, Tally
from .screen import Screener

if TYPE_CHECKING:
    from .parallel import ParallelMatcher

__all__ = ["CheckOptions", "Input", "Screening", "check", "check_files", "engine", "resolve_ingredients"]

STDIN = "<stdin>"
_LARGE = 8 << 20  # bytes of input from which worker processes are used by default
# Statuses of medicines no longer taken, in FHIR and in CSV status columns (compared without case):
# screened only with --all-statuses.
NOT_CURRENT = frozenset({"stopped", "completed", "cancelled", "discontinued", "inactive"})
# Records that are not medicines the patient has had (entered in error, not taken, declined, not done):
# never screened, but counted as left out.
NOT_TAKEN = frozenset({"entered-in-error", "not-taken", "declined", "not-done"})


class CheckOptions(NamedTuple):
    """Settings of one screening run."""

    ignore: tuple[str, ...] = ()
    fail_on: Evidence | None = Evidence.EXPERT  # None: never exit 1
    ferritin: float | None = None
    tsat: float | None = None
    input_format: InputFormat = InputFormat.AUTO
    read: ReadOptions = ReadOptions()
    kb_files: tuple[str, ...] = ()
    jobs: int | None = 1  # worker processes for matching; None: one per core for large files

    @property
    def all_statuses(self) -> bool:
        return self.read.all_statuses


class Input(NamedTuple):
    """One input: a name for messages and a way to open it (again, when `replayable`)."""

    name: str
    opener: Callable[[], BinaryIO]
    replayable: bool = True
    size: int | None = None  # bytes, when known
    keep: Callable[[], None] | None = None  # makes a stream replayable: its bytes are kept as it is read

    @staticmethod
    def from_path(path: str | os.PathLike[str]) -> Input:
        """A file, read again when a writer asks; a path that is not a regular file (a pipe such as
        `<(cmd)`, a FIFO, /dev/stdin on a pipe, a terminal) is read once, as stdin is."""
        name = os.fspath(path)
        try:
            info = os.stat(name)
        except (OSError, ValueError):
            # Reported properly when the file is opened.
            return Input(name, lambda: _open_file(name))
        if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):  # a directory: an error when opened
            return Input(name, lambda: _open_file(name), size=info.st_size)
        once = _ReadOnce(lambda: _open_file(name), close=True)  # opened only when read: a FIFO waits for a writer
        return Input(name, once.open, replayable=False, keep=once.keep)

    @staticmethod
    def from_text(text: str, name: str = "<text>") -> Input:
        data = text.encode("utf-8")
        return Input(name, lambda: io.BytesIO(data), size=len(data))

    @staticmethod
    def from_stream(stream: BinaryIO, name: str = STDIN) -> Input:
        once = _ReadOnce(lambda: stream)
        return Input(name, once.open, replayable=False, keep=once.keep)


class _ReadOnce:
    """A stream (stdin, a pipe) that can be read once; when asked beforehand, the chunks it returns are
    kept as they are read, in memory only, so that a writer can read the input a second time.

    `opener` gives the stream on the first reading; with `close`, it is closed once read to its end.
    """

    def __init__(self, opener: Callable[[], BinaryIO], *, close: bool = False) -> None:
        self._opener = opener
        self._close = close
        self._opened = False
        self._kept: list[bytes] | None = None

    def keep(self) -> None:
        if not self._opened:
            self._kept = []

    def open(self) -> BinaryIO:
        if not self._opened:
            stream = self._opener()
            self._opened = True
            return _EndOnce(stream, self._kept, close=self._close)  # type: ignore[return-value]
        if self._kept is None:
            raise RuntimeError("this input (stdin or a pipe) cannot be read twice")
        return io.BufferedReader(_Chunks(self._kept))


class _Chunks(io.RawIOBase):
    """The kept chunks read again, without joining them (which would hold the input twice)."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks
        self._next = 0
        self._rest = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest and self._next < len(self._chunks):
            self._rest = memoryview(self._chunks[self._next])
            self._next += 1
        n = min(len(buffer), len(self._rest))
        buffer[:n] = self._rest[:n]
        self._rest = self._rest[n:]
        return n


class _EndOnce(io.RawIOBase):
    """A buffered stream that stays at its end once it has reached it, keeping what it reads in `kept`.

    A terminal's end of input (Ctrl-D) ends one read only: reading again would wait for more typing.
    A buffered read that returns fewer bytes than asked for has met the end.
    """

    def __init__(self, stream: BinaryIO, kept: list[bytes] | None = None, *, close: bool = False) -> None:
        self._stream = stream
        self._kept = kept
        self._ended = False
        self._close = close  # close `stream` at its end (a pipe opened by name, not stdin)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self._ended:
            return b""
        data = self._stream.read(-1 if size is None else size)
        if size is None or size < 0 or len(data) < size:
            self._ended = True
            if self._close:
                self._stream.close()
        if self._kept is not None and data:
            self._kept.append(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _open_file(name: str) -> BinaryIO:
    try:
        if os.path.isdir(name):
            raise InputError(name, "is a directory, not a file")
        return open(name, "rb")
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except OSError as e:
        raise InputError(name, e.strerror or "cannot be read") from None


_ENGINES: dict[tuple[str, ...], tuple[KnowledgeBase, Matcher]] = {}


def engine(kb_files: Sequence[str] = ()) -> tuple[KnowledgeBase, Matcher]:
    """The knowledge base and matcher for these site files, built once per process."""
    key = tuple(kb_files)
    if key not in _ENGINES:
        kb = load_knowledge_base(key)
        _ENGINES[key] = (kb, Matcher(kb, load_lexicon()))
    return _ENGINES[key]


def resolve_ingredients(names: Iterable[str], kb: KnowledgeBase, matcher: Matcher) -> tuple[str, ...]:
    """Ingredient names for what a user wrote (a generic, a brand, a synonym); UsageError if unknown.

    Only exact names count: ignoring a drug is a decision about a drug, never a guess at one.
    """
    out: list[str] = []
    drugs = {name_key(n): n for n in kb.drugs}
    for name in names:
        hits = matcher.match(name)
        found = [drugs[i] for h in hits if h.kind is MatchKind.EXACT for i in h.target.ingredients if i in drugs]
        if not found:
            guesses = [drugs[i] for h in hits for i in h.target.ingredients if i in drugs]
            hint = f" (did you mean {guesses[0]}?)" if guesses else ""
            raise UsageError(f"--ignore {name}: not a drug in the knowledge base{hint}")
        out.extend(found)
    return tuple(dict.fromkeys(out))


class Screening:
    """One run over some inputs. Iterate once for the results; `reread` gives the records again."""

    def __init__(self, inputs: Sequence[Input], options: CheckOptions | None = None) -> None:
        self.inputs = list(inputs)
        self.options = options or CheckOptions()
        _check_lab("ferritin", self.options.ferritin, 100_000)
        _check_lab("tsat", self.options.tsat, 100)
        self.kb, self.matcher = engine(self.options.kb_files)
        ignore = resolve_ingredients(self.options.ignore, self.kb, self.matcher)
        self.screener = Screener(self.kb, self.matcher, ignore=ignore)
        self.meta = ReportMeta(
            self.kb.version, self.kb.updated, self.options.fail_on, self.options.ferritin, self.options.tsat
        )
        self.tally = Tally(self.options.fail_on)
        self.progress: Callable[[int], None] | None = None  # told the bytes read, as they are read
        self._replay = False
        self._read: ReadOptions | None = None  # the read options with the inputs' Medications (first read)
        self._parallel: ParallelMatcher | None = None  # the worker pool of --jobs, while it runs

    @property
    def input_names(self) -> list[str]:
        return [i.name for i in self.inputs]

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

    def records(self) -> Iterator[InputRecord]:
        """Every record to screen, in order: all of them, or only current ones unless --all-statuses."""
        for batch in self.record_batches():
            yield from batch

    def record_batches(self, *, count_skipped: bool = False) -> Iterator[list[InputRecord]]:
        """The records to screen, a batch at a time."""
        if self._read is None:
            # FHIR references resolve across lines and files: Medication resources are indexed first.
            self._read = prepare(self.inputs, self.options.input_format, self.options.read)
        for item in self.inputs:
            stream = item.opener()
            try:
                head = stream.read(1 << 16)
                fmt = self.options.input_format
                if fmt is InputFormat.AUTO:
                    fmt = detect_format(item.name, head)
                reader = reader_for(fmt)
                rewound = Rewound(head, stream, self.progress if count_skipped else None)
                for batch in record_batches(reader, rewound, item.name, self._read):  # type: ignore[arg-type]
                    yield self._current(batch, count_skipped) if getattr(reader, "statuses", False) else batch
            finally:
                if item.replayable:
                    stream.close()

    def _current(self, batch: list[InputRecord], count: bool) -> list[InputRecord]:
        left_out = NOT_TAKEN if self.options.all_statuses else NOT_TAKEN | NOT_CURRENT
        kept = [r for r in batch if r.status is None or r.status.lower() not in left_out]
        if count:
            self.tally.summary.skipped += len(batch) - len(kept)
        return kept

    def batches(self) -> Iterator[ResultBatch]:
        """Screen the inputs a batch at a time (the first and only screening pass)."""
        add_batch = self.tally.add_batch
        batches = self.record_batches(count_skipped=True)
        jobs = self.options.jobs if self.options.jobs is not None else _default_jobs(self.inputs)
        if jobs > 1:
            from .parallel import ParallelMatcher  # only now: most runs need no workers

            parallel = self._parallel = ParallelMatcher(self.matcher, self.options.kb_files, jobs)
            try:
                for records, coded in parallel.screen_batches(batches):
                    batch = self.screener.apply_coded(records, coded)
                    add_batch(batch)
                    yield batch
            finally:
                parallel.terminate()
                self._parallel = None
            return
        screen_batch = self.screener.screen_batch
        for records in batches:
            batch = screen_batch(records)
            add_batch(batch)
            yield batch

    def close(self) -> None:
        """Stop the worker processes of an unfinished screening (after an error or Ctrl-C, when the
        batches were not read to their end); nothing to do otherwise. Safe to call more than once."""
        parallel, self._parallel = self._parallel, None
        if parallel is not None:
            parallel.terminate()

    def __enter__(self) -> Screening:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[LineResult]:
        for batch in self.batches():
            yield from batch.results

    def recognition_set(self, state: int) -> tuple[Recognition, ...]:
        """The recognitions of records whose Outcome.state is `state` (2 or more)."""
        return self.screener.recognition_sets[state - 2]

    def reread_batches(self) -> Iterator[list[InputRecord]]:
        """The same records once more, in the same batches as the first pass."""
        if not self.replayable:
            raise RuntimeError("stdin cannot be read twice")
        return self.record_batches()

    def finish(self) -> Summary:
        """The summary, once the results have been iterated."""
        return self.tally.finish()

    def advice(self) -> tuple[Advice, ...]:
        """Advice to add once screening is complete."""
        if self.tally.summary.has_findings:
            return (iron_advice(self.options.ferritin, self.options.tsat),)
        return ()


def _default_jobs(inputs: Sequence[Input]) -> int:
    """One worker process per core when the inputs are large and of known size, else none (one job)."""
    sizes = [i.size for i in inputs]
    if any(size is None for size in sizes) or sum(s or 0 for s in sizes) < _LARGE:
        return 1
    return max(1, os.cpu_count() or 1)


def _check_lab(name: str, value: object, most: float) -> None:
    """A laboratory value is a finite number in its range, or None."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"--{name} must be a number, not {type(value).__name__}")
    if not math.isfinite(value) or not 0 <= value <= most:
        raise UsageError(f"--{name} {value}: must be a number from 0 to {most:g}")


def _collect(screening: Screening) -> Report:
    with screening:
        results = tuple(screening)
    return Report(results, screening.finish(), screening.advice(), screening.meta)


def check(medications: str | Iterable[str], **options: object) -> Report:
    """Screen a medication list given as text (one medication or more a line) or as a list of lines.

    Keyword options are those of CheckOptions, e.g. `check("Zoloft 50 mg", ignore=("sertraline",))`.

    >>> check("Benadryl 25 mg at bedtime").findings[0].drug.name  # doctest: +SKIP
    'diphenhydramine'
    """
    text = medications if isinstance(medications, str) else "\n".join(medications)
    return _collect(Screening([Input.from_text(text)], _options(options)))


def check_files(paths: Iterable[str | Path], **options: object) -> Report:
    """Screen medication files (text, CSV or FHIR JSON)."""
    inputs = [Input.from_path(p) for p in paths]
    if not inputs:
        raise UsageError("no files to check")
    return _collect(Screening(inputs, _options(options)))


def _options(options: dict[str, object]) -> CheckOptions:
    """CheckOptions from keywords, accepting the plain values a caller would write (lists, strings)."""
    values = dict(options)
    for key in ("ignore", "kb_files"):
        if isinstance(values.get(key), str):
            values[key] = (values[key],)  # one name, not its letters
        elif isinstance(values.get(key), (list, set)):
            values[key] = tuple(values[key])  # type: ignore[arg-type]
    if isinstance(values.get("fail_on"), str):
        try:
            values["fail_on"] = Evidence(values["fail_on"])
        except ValueError:
            raise UsageError(f"fail_on must be one of {', '.join(e.value for e in Evidence)}, or None") from None
    try:
        return CheckOptions(**values)  # type: ignore[arg-type]
    except TypeError as e:
        raise UsageError(str(e)) from None
