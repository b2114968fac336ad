"""Python's cycle collector kept out of the way of long jobs that make many short-lived rows."""
from __future__ import annotations

import gc
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


@contextmanager
def frozen() -> Iterator[None]:
    """Objects made so far (modules, the app, its mappers) left out of every collection inside the block."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()  # what was made before is collectable again, as before the block
