"""An in-memory DuckDB for reading a source's files: never the warehouse.

Only warehouse/ opens the warehouse (tests/warehouse/test_storage_layer.py). Reading a CSV by
columns needs a DuckDB of its own, so this is the one other place that connects, and it takes
no path: it can only ever open a private in-memory database.
"""

from __future__ import annotations

import duckdb


def scratch_database(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A private in-memory database; `threads` caps DuckDB's threads (None: its default)."""
    config: dict[str, str | bool | int | float | list[str]] = {}
    if threads is not None:
        config["threads"] = threads
    return duckdb.connect(":memory:", config=config)
