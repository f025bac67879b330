"""Python's cycle collector paused while a process builds objects that live as long as it does.

Importing Great Expectations, pandas or matplotlib makes hundreds of thousands of long-lived
objects (modules, pydantic models, artists' classes); the collector, which runs every few
hundred new objects, would walk them again and again while they are made and afterwards.
None of them is garbage, so the collector is off while they are built, and what exists then is
frozen out of its way (gc.freeze: reference counting still frees anything dropped; only
reference cycles among the frozen objects wait for the process to end). Used around the GX
import of a refresh (validation/gx_import.py) and around the whole of `gapwatch report` and
the nightly publish step, processes that exit right after their work (the freeze also spares
the collection the interpreter makes at exit).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_then_frozen() -> Iterator[None]:
    """The collector off inside; afterwards every object is frozen (never walked again, not
    even by the collection the interpreter makes at exit) and the collector back as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
