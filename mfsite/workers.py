"""The build's processes: the garbage collector kept out of its way, and worker processes forked
from it, sharing its memory (the site) rather than a copy."""

from __future__ import annotations

import gc
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.pool import Pool


@contextmanager
def collector_paused(freeze: bool) -> Iterator[None]:
    """No garbage collection during a build, and (`freeze`) none of what it made looked at later.

    Loading a large site's cached batches makes hundreds of thousands of objects that hold no
    reference cycles; each of the collector's passes would walk all made so far, and the
    first pass after the build would walk them once more. A build whose
    process ends with it freezes them out of the collector's sight (they are still freed as
    usual when nothing refers to them); watch mode, which keeps its state and makes a new
    model each time, lets the collector run between rebuilds."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if freeze:
                gc.freeze()
            gc.enable()


@contextmanager
def pool(jobs: int) -> Iterator[Pool]:
    """Worker processes forked from this one, sharing its memory (the site) rather than a copy.

    The objects made so far are frozen out of the garbage collector first: a collection in a
    worker would otherwise walk, and so write to, every one of them, copying the pages it
    shares with this process."""
    import multiprocessing  # here: a rebuild of a few files starts no process, and spares the import

    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_starts) as pool:
            yield pool
    finally:
        gc.unfreeze()


def _worker_starts() -> None:
    """A worker collects garbage (it renders thousands of pages, and templates make cycles), and
    leaves Ctrl-C to the build, which ends it (watch mode turns a polite kill into Ctrl-C)."""
    gc.enable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
