"""The library entry points: `check` a medication list (or files) and get a typed Report.

The command line is a thin layer over `Screening`, which streams results so that exports of any size
run in constant memory; `check` collects a whole Screening into a Report.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, NamedTuple

from .advice import iron_advice
from .errors import InputError, UsageError
from .kb import load_knowledge_base
from .lexicon import load_lexicon
from .matcher import Matcher
from .models import Evidence, InputRecord, KnowledgeBase, LineResult
from .normalize import name_key
from .readers import READERS, InputFormat, ReadOptions, detect_format
from .report import Advice, Report, ReportMeta, Summary, Tally
from .screen import Screener

__all__ = ["CheckOptions", "Input", "Screening", "check", "check_files", "engine", "resolve_ingredients"]

STDIN = "<stdin>"
# FHIR statuses of medicines no longer taken (or never taken); screened only with --all-statuses.
NOT_CURRENT = frozenset({"stopped", "completed", "cancelled", "entered-in-error", "not-taken", "declined", "not-done"})


class CheckOptions(NamedTuple):
    """Settings of one screening run."""

    ignore: tuple[str, ...] = ()
    fail_on: Evidence | None = Evidence.EXPERT  # None: never exit 1
    ferritin: float | None = None
    tsat: float | None = None
    input_format: InputFormat = InputFormat.AUTO
    read: ReadOptions = ReadOptions()
    kb_files: tuple[str, ...] = ()

    @property
    def all_statuses(self) -> bool:
        return self.read.all_statuses


class Input(NamedTuple):
    """One input: a name for messages and a way to open it (again, when `replayable`)."""

    name: str
    opener: Callable[[], BinaryIO]
    replayable: bool = True

    @staticmethod
    def from_path(path: str | os.PathLike[str]) -> Input:
        name = os.fspath(path)
        return Input(name, lambda: _open_file(name))

    @staticmethod
    def from_text(text: str, name: str = "<text>") -> Input:
        data = text.encode("utf-8")
        return Input(name, lambda: io.BytesIO(data))

    @staticmethod
    def from_stream(stream: BinaryIO, name: str = STDIN) -> Input:
        return Input(name, lambda: stream, replayable=False)


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
    """Ingredient names for what a user wrote (a generic, a brand, a synonym); UsageError if unknown."""
    out: list[str] = []
    for name in names:
        drugs = {name_key(n): n for n in kb.drugs}
        hits = matcher.match(name)
        found = [drugs[i] for h in hits for i in h.target.ingredients if i in drugs]
        if not found:
            raise UsageError(f"--ignore {name}: not a drug in the knowledge base")
        out.extend(found)
    return tuple(dict.fromkeys(out))


class _Rewound(io.RawIOBase):
    """A stream whose first bytes were read to detect its format, put back in front."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class Screening:
    """One run over some inputs. Iterate once for the results; `reread` gives the records again."""

    def __init__(self, inputs: Sequence[Input], options: CheckOptions | None = None) -> None:
        self.inputs = list(inputs)
        self.options = options or CheckOptions()
        self.kb, self.matcher = engine(self.options.kb_files)
        ignore = resolve_ingredients(self.options.ignore, self.kb, self.matcher)
        self.screener = Screener(self.kb, self.matcher, ignore=ignore)
        self.meta = ReportMeta(
            self.kb.version, self.kb.updated, self.options.fail_on, self.options.ferritin, self.options.tsat
        )
        self.tally = Tally(self.options.fail_on)

    @property
    def replayable(self) -> bool:
        return all(i.replayable for i in self.inputs)

    def records(self) -> Iterator[InputRecord]:
        """Every record to screen, in order: all of them, or only current ones unless --all-statuses."""
        if self.options.all_statuses:
            return self._read()
        return (r for r in self._read() if r.status not in NOT_CURRENT)

    def _read(self) -> Iterator[InputRecord]:
        for item in self.inputs:
            stream = item.opener()
            try:
                head = stream.read(1 << 16)
                fmt = self.options.input_format
                if fmt is InputFormat.AUTO:
                    fmt = detect_format(item.name, head)
                reader = READERS[fmt]
                yield from reader.read(_Rewound(head, stream), item.name, self.options.read)  # type: ignore[arg-type]
            finally:
                if item.replayable:
                    stream.close()

    def __iter__(self) -> Iterator[LineResult]:
        add = self.tally.add
        records = self._read()
        if not self.options.all_statuses:
            records = self._count_skipped(records)
        for result in self.screener.screen_all(records):
            add(result)
            yield result

    def _count_skipped(self, records: Iterator[InputRecord]) -> Iterator[InputRecord]:
        summary = self.tally.summary
        for record in records:
            if record.status in NOT_CURRENT:
                summary.skipped += 1
            else:
                yield record

    def reread(self) -> Iterator[InputRecord]:
        """The same records once more, for writers that need a second pass (not for stdin)."""
        if not self.replayable:
            raise RuntimeError("stdin cannot be read twice")
        return self.records()

    def finish(self) -> Summary:
        """The summary, once the results have been iterated."""
        return self.tally.finish()

    def advice(self) -> tuple[Advice, ...]:
        """Advice to add once screening is complete."""
        if self.tally.summary.has_findings:
            return (iron_advice(self.options.ferritin, self.options.tsat),)
        return ()


def _collect(screening: Screening) -> Report:
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
    try:
        return CheckOptions(**options)  # type: ignore[arg-type]
    except TypeError as e:
        raise UsageError(str(e)) from None
