"""Results held in groups (one per patient) until too many are held; then the groups held longest go out
first, so that memory stays flat on exports of any size while a patient's rows, when they come close
together, stay together."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Holding"]

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class Holding(Generic[K, T]):
    """Items held by key; `emit(key, items)` is called for a group when it must go out, and for every group
    left by `close`. A key that comes back after its group went out starts a new group: `split` holds such
    keys and `reopened` counts such groups."""

    def __init__(
        self,
        limit: int,
        emit: Callable[[K, list[T]], None],
        *,
        remember: Callable[[K], Hashable | None] | None = None,
    ) -> None:
        self.limit = limit
        self._emit = emit
        # What is remembered of a key whose group went out (None: nothing, it is never split); a part of
        # the key that exists anyway (a patient id) keeps the set small on exports of many patients.
        self._remember = remember or (lambda key: key)
        self._groups: dict[K, list[T]] = {}
        # The keys in the order their groups began: taking the oldest from the dict itself would slow
        # down as it goes (a dict skips the slots of the items taken from its front, one by one).
        self._order: deque[K] = deque()
        self._held = 0
        self._written: set[Hashable] = set()  # what is remembered of the keys whose group went out
        self.split: set[K] = set()
        self.reopened = 0
        self.emitted = False  # a group went out before `close`

    def add(self, key: K, item: T) -> None:
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = []
            self._order.append(key)
            if self._written and self._remember(key) in self._written:
                self.split.add(key)
                self.reopened += 1
        group.append(item)
        self._held += 1

    def make_room(self) -> None:
        """Send out the groups held longest until no more than `limit` items are held (a group larger than
        the limit by itself goes too)."""
        while self._held > self.limit and self._groups:
            key = self._order.popleft()
            items = self._groups.pop(key)
            self._held -= len(items)
            memo = self._remember(key)
            if memo is not None:
                self._written.add(memo)
            self.emitted = True
            self._emit(key, items)

    def close(self) -> None:
        """Send out every group still held, oldest first."""
        groups, self._groups, self._held = self._groups, {}, 0
        self._order.clear()
        for key, items in groups.items():
            self._emit(key, items)
