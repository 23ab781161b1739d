"""The cycle collector kept out of a screening's way (reference counting frees what a screening makes)."""

from __future__ import annotations

import gc
import threading

__all__ = ["quiet_gc"]

_gc_lock = threading.Lock()
_gc_runs = 0  # screenings under way in this process


def quiet_gc(on: bool) -> None:
    """Screening allocates millions of short-lived, acyclic tuples: reference counting frees them, and the
    cycle collector would only rescan the knowledge base over and over (a quarter of the time). It is
    off while any screening runs, and what existed before is frozen out of its reach meanwhile."""
    global _gc_runs
    with _gc_lock:
        if on:
            _gc_runs += 1
            if _gc_runs == 1:
                gc.freeze()
                gc.disable()
        else:
            _gc_runs -= 1
            if _gc_runs == 0:
                gc.unfreeze()
                gc.enable()
