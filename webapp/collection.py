"""Python's cycle collector kept out of the way of long jobs that make many short-lived rows."""
from __future__ import annotations

import atexit
import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cycle collection inside the block; back on after, unless it was already off.

    Rows of a file hold no cycles: reference counting frees them as ever. Without the pause, the collector ran
    every few hundred rows and walked every object of the process each time the survivors piled up.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


_engines: weakref.WeakSet = weakref.WeakSet()  # closed at exit, before the last collection is skipped
_skipping_last_collection = False


def skip_last_collection(engine=None) -> None:
    """At this process's exit, close the engine's connections, then leave every object out of the interpreter's
    last collection (asked once a process; each engine asked for is closed).

    That collection walks each class and function of Flask, SQLAlchemy and the app as the modules are torn down:
    0.3 s to 0.5 s at the end of every command. The memory goes back to the system with the process regardless,
    and the connections are closed first as the collection closed them (SQLite folds its write-ahead log back
    into the database file).
    """
    global _skipping_last_collection
    if engine is not None:
        _engines.add(engine)
    if not _skipping_last_collection:
        _skipping_last_collection = True
        atexit.register(_exit_without_collecting)


def _exit_without_collecting() -> None:
    for engine in list(_engines):
        engine.dispose()
    gc.freeze()


_started = False


def keep_startup_objects() -> None:
    """Leave the objects made so far (modules, the first app) out of every later collection, once a process.

    They live as long as the process. Walked by each full collection, ~140,000 of them cost a request that met
    one ~45 ms (applying 1,000 suggested fixes: 85 -> 130 ms); frozen, such a collection walks only newer objects.
    A worker forked from a loaded parent also keeps sharing their memory pages (gc.freeze's documented use).
    """
    global _started
    if not _started:
        _started = True
        gc.freeze()
