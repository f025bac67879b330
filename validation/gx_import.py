"""Great Expectations imported once per process, with Python's cyclic garbage collector paused.

Importing GX builds hundreds of thousands of objects that live as long as the process (its
modules, pydantic models and expectation classes, scipy and altair beneath them). The
collector, which runs every few hundred new objects, would walk them again and again while
they are built: about 0.5 s of CPU on a 2-core machine, more than validating a night's
fetch. None of them is garbage, so the collector is paused for the import and what exists
afterwards is moved out of its way (gc.freeze: reference counting still frees any of them
that is dropped; only reference cycles among them would wait for the process to end). The
pause happens once: later nights of the same process find GX imported.
"""

from __future__ import annotations

import importlib
import sys

from warehouse.collector import paused_then_frozen

# what validation uses: the package, the expectation classes and their row conditions
MODULES = ("great_expectations", "great_expectations.expectations.row_conditions")


def import_great_expectations() -> None:
    """Import GX (a no-op once it is imported) without the collector walking its objects."""
    if all(name in sys.modules for name in MODULES):
        return
    with paused_then_frozen():
        for name in MODULES:
            importlib.import_module(name)
