"""The one storage layer: where the warehouse lives, and how a refresh or a reader reaches it.

GAPWATCH_WAREHOUSE chooses the storage. Unset (or `duckdb`), it is the embedded DuckDB file
(GAPWATCH_DB, default <data dir>/gapwatch.duckdb): a refresh takes the file lock, builds a copy
and swaps it in. Set to a DuckLake catalog (`ducklake:...`, DuckDB's own ATTACH syntax), the
same pipeline runs on the lake (warehouse/lake.py): a refresh takes the catalog's lock, commits
in place, and marks its last commit as that night's snapshot, which readers are pinned to.

Every other module gets its connection here (tests/warehouse/test_store.py greps for it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import duckdb

from warehouse import lake
from warehouse.extensions import ExtensionMissing
from warehouse.lock import RefreshLock
from warehouse.readonly import open_read_only
from warehouse.swap import building_copy
from warehouse.where import Warehouse, WarehouseSettingInvalid, as_warehouse

__all__ = [
    "Warehouse",
    "WarehouseSettingInvalid",
    "as_warehouse",
    "connect_file",
    "flush",
    "night_done",
    "reading",
    "refresh_lock",
    "refreshing",
]


def connect_file(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """One DuckDB file, opened as it is: the embedded warehouse, or a file a tool was given."""
    from warehouse.db import connect  # with the sources' table definitions: not for readers

    return connect(path, read_only=read_only)


def refresh_lock(where: Warehouse | Path) -> AbstractContextManager[object]:
    """The right to refresh: one refresh at a time per warehouse, released if its holder dies."""
    warehouse = as_warehouse(where)
    if warehouse.is_lake:
        return lake.lake_lock(warehouse)
    return RefreshLock(warehouse.file)


@contextmanager
def refreshing(where: Warehouse | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to write one refresh with, inside the refresh lock.

    Embedded: a copy of the file, swapped in on a clean exit and discarded on an error. Lake:
    the lake itself; each commit lands as it is made, and readers stay on the last night's
    snapshot until `night_done` marks a new one.
    """
    warehouse = as_warehouse(where)
    if warehouse.night is not None:
        raise WarehouseSettingInvalid(
            "--night reads a past night; a refresh always writes the newest one (drop --night)"
        )
    with refresh_lock(warehouse):
        if warehouse.is_lake:
            with lake.attach(warehouse) as con:
                yield con
            return
        with building_copy(warehouse.file) as path, connect_file(path) as con:
            yield con


@contextmanager
def night_done(con: duckdb.DuckDBPyConnection, as_of: object, run_id: str) -> Iterator[None]:
    """The night's last writes: on a lake, one commit that becomes the night's snapshot.

    On the embedded file the writes run as they always did and are checkpointed to disk (the
    swap publishes them); on a lake they go in one transaction carrying the night's mark.
    """
    if not lake.is_lake_connection(con):
        yield
        con.execute("checkpoint")
        return
    con.begin()
    try:
        lake.mark_night(con, as_of, run_id)
        yield
        con.commit()
    except BaseException:
        con.rollback()
        raise


def flush(con: duckdb.DuckDBPyConnection) -> None:
    """Write what is committed to disk now (the embedded file); a lake's commits already are."""
    if not lake.is_lake_connection(con):
        con.execute("checkpoint")


def list_nights(where: Warehouse | Path) -> list[lake.Night]:
    """The finished nights of a DuckLake warehouse, oldest first (WarehouseUnusable if out of
    reach)."""
    from warehouse.health import WarehouseUnusable

    warehouse = as_warehouse(where)
    try:
        con = lake.open_reader(warehouse._replace(night=None), pin=False)
    except (duckdb.Error, ExtensionMissing) as error:
        raise WarehouseUnusable(lake.explain(warehouse, error)) from None
    with con:
        return lake.nights(con)


def reading(
    where: Warehouse | Path,
    *,
    locked_down: bool = True,
    night: str | None = None,
    writes_into: Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """A read-only connection; locked down (no files, network, settings) unless asked not to.

    `night` (a lake only): the warehouse as of that night, a date or a snapshot id; by default
    the newest night that finished. `writes_into`: the one directory a locked-down connection
    may write files into (an export's scratch folder).
    """
    warehouse = as_warehouse(where)
    night = night if night is not None else warehouse.night
    if warehouse.is_lake:
        return lake.open_reader(
            warehouse, night=night, locked_down=locked_down, writes_into=writes_into
        )
    if night is not None:
        raise WarehouseSettingInvalid(
            "only a DuckLake warehouse keeps past nights (GAPWATCH_WAREHOUSE=ducklake:...); the "
            f"DuckDB file {warehouse.file} holds the latest night only"
        )
    if locked_down:
        return open_read_only(warehouse.file, writes_into=writes_into)
    return duckdb.connect(str(warehouse.file), read_only=True)
