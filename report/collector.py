"""Python's cycle collector for a process that exits once its work is done.

`gapwatch report` and the nightly publish step (`python -m report.publish`) import pandas,
matplotlib (and, for the Data Docs, Great Expectations), draw, write and exit. While they do,
the collector would walk the long-lived objects of those imports again and again, and then
the interpreter walks every object left once more at exit. Off for the whole run and with
everything frozen at the end, neither happens; the memory goes back when the process ends a
moment later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def off_until_exit() -> Iterator[None]:
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
