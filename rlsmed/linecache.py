"""What whole records amount to, remembered by their text (and RxNorm codes): real exports repeat the same
few texts (128 distinct descriptions in a Synthea export, 69 in a FHIR one), and a record seen before
needs no matching at all.

The cache pays only when texts repeat: on a varied list most look-ups miss and only cost. It counts its
hits over a window of look-ups and, when fewer than a third hit, turns itself off for a while, then
tries again (an export's texts may change in kind as it goes). Its size is bounded.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["LineCache"]

V = TypeVar("V")


class LineCache(Generic[V]):
    """A bounded map from a record's key to what it amounted to, which switches itself off when it
    stops paying."""

    def __init__(self, *, size: int = 50_000, window: int = 16_384, worth: float = 1 / 3, rest: int = 32) -> None:
        self.size = size  # entries kept; past this the cache starts again (memory stays flat)
        self.window = window  # look-ups over which the hit rate is judged
        self.worth = worth  # the hit rate below which the cache is not worth its look-ups
        self.rest = rest  # windows' worth of records screened without it before it tries again
        self.entries: dict[Hashable, V] = {}
        self.on = True
        self._looked = 0
        self._hits = 0
        self._resting = 0  # records left to screen without the cache
        self.hits = 0  # over the whole run (for benchmarks and tests)
        self.lookups = 0
        self.windows = 0  # windows judged so far

    def judge(self, looked: int, hits: int) -> None:
        """Count a batch's look-ups; at the end of a window, decide whether the cache goes on."""
        self._looked += looked
        self._hits += hits
        self.lookups += looked
        self.hits += hits
        if self._looked >= self.window:
            self.windows += 1
            if self._hits < self.worth * self._looked:
                self.on = False
                self.entries.clear()
                self._resting = self.rest * self.window
            self._looked = self._hits = 0

    def skip(self, records: int) -> None:
        """Count records screened while the cache rests; it comes back on after `rest` windows of them."""
        self._resting -= records
        if self._resting <= 0:
            self.on = True

    def put(self, key: Hashable, value: V) -> None:
        if len(self.entries) >= self.size:
            self.entries.clear()
        self.entries[key] = value
