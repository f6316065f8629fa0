"""Off the event loop: the steps that walk every row of a file run in a worker thread, with the
cyclic garbage collector paused while they run (see ``_CollectorPause``)."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar


class _CollectorPause:
    """The cyclic garbage collector paused while a big file is read and checked.

    The steps that walk every row run in a worker thread, but the collector runs in whichever
    thread allocates, holding the GIL: as a 100,000-row file builds up its ~10⁶ objects, each
    generation-2 pass rescans them all, and bench/upload_latency.py saw the event loop (every
    other request of the process) stall up to 0.7 s in them. So while any step runs the
    collector is off (reference counting still frees everything that is not a cycle); when the
    last one ends, what is alive is frozen (gc.freeze: ignored by later passes) and the
    collector is on again; ``thaw`` hands it back to the collector once no file is being read
    or written (``frozen``).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._holding = 0
        self._was_enabled = True

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self._lock:
            if self._running == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    gc.freeze()
                    if self._was_enabled:
                        gc.enable()

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """What is alive now (a checked file's plan, its rows) left out of the collector's
        passes while the file is written or undone. The chunks allocate millions of short-lived
        containers, and each generation-2 pass would rescan the file's ~500,000 objects: three
        of the nine seconds of CPU this process spent applying a 100,000-row activities file.
        Reference counting still frees what is not a cycle; the rest waits for ``thaw``."""
        with self._lock:
            gc.freeze()
            self._holding += 1
        try:
            yield
        finally:
            with self._lock:
                self._holding -= 1
            self.thaw()

    def thaw(self) -> None:
        with self._lock:
            if self._running == 0 and self._holding == 0:
                gc.unfreeze()


COLLECTOR = _CollectorPause()


_P = ParamSpec("_P")
_T = TypeVar("_T")


async def off_loop(step: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """``step`` in a worker thread, the collector paused."""

    def run() -> _T:
        with COLLECTOR.paused():
            return step(*args, **kwargs)

    return await asyncio.to_thread(run)
