"""Turn what can be wrong with a warehouse or its data dir into one line with a next step.

A corrupt file, a file from a newer gapwatch or DuckDB, a data dir nobody may write, a full
disk, another program holding the warehouse open for writing: each ends a command with a
sentence saying what is wrong and what to do, never a traceback. The data is never touched by
the diagnosis.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import duckdb

from warehouse.readonly import open_read_only
from warehouse.where import Warehouse, as_warehouse

# warehouse.lake, warehouse.extensions and warehouse.queries are imported where a lake or a
# query file is used: reading the DuckDB file (gapwatch sql) needs none of them

# version of gapwatch's own tables, stored in raw.gapwatch_schema by every refresh
# 2: refresh_runs.prefect_flow_run_id (then in marts)
# 3: the history tables moved from marts to history (views of the old names left in marts)
SCHEMA_VERSION = 3


class WarehouseUnusable(Exception):
    """The warehouse (or its folder) can't be used as it is; the message says what to do."""


def open_for_reading(
    where: Warehouse | Path, night: str | None = None
) -> duckdb.DuckDBPyConnection:
    """The warehouse opened read-only and locked down, or WarehouseUnusable with a next step.

    `night`: a DuckLake warehouse as of that night (a date or snapshot id); see warehouse.lake.
    """
    warehouse = as_warehouse(where)
    night = night if night is not None else warehouse.night
    if warehouse.is_lake:
        return open_lake_for_reading(warehouse, night)
    if night is not None:
        raise WarehouseUnusable(
            "--night needs a DuckLake warehouse (GAPWATCH_WAREHOUSE=ducklake:...): the DuckDB "
            f"file {warehouse.file} keeps the newest night only"
        )
    database = warehouse.file
    path = database.resolve()
    if not path.exists():
        raise WarehouseUnusable(
            f"no warehouse at {database}; run 'gapwatch refresh' (or 'gapwatch demo') first"
        )
    try:
        con = open_read_only(path)
    except duckdb.Error as error:
        raise WarehouseUnusable(explain_open_error(database, error)) from None
    try:
        check_schema(con, database, for_writing=False)
    except BaseException:
        con.close()
        raise
    return con


def check_before_refresh(where: Warehouse | Path) -> None:
    """Refuse a refresh early, with a reason, when it could not end well (nothing is changed)."""
    warehouse = as_warehouse(where)
    if warehouse.is_lake:
        check_lake_before_refresh(warehouse)
        return
    database = warehouse.file
    path = database.resolve()
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WarehouseUnusable(explain_os_error(folder, error)) from None
    _probe_write(folder)
    if not path.exists():
        return
    try:
        con = open_read_only(path)
    except duckdb.Error as error:
        raise WarehouseUnusable(explain_open_error(database, error)) from None
    with con:
        check_schema(con, database, for_writing=True)


def _probe_write(folder: Path) -> None:
    """Write and remove a small file: the only test that holds for root, mounts and flags."""
    probe = folder / f".gapwatch-probe-{os.getpid()}"
    try:
        probe.write_bytes(b"probe")
    except OSError as error:
        raise WarehouseUnusable(explain_os_error(folder, error)) from None
    finally:
        probe.unlink(missing_ok=True)


def check_schema(con: duckdb.DuckDBPyConnection, database: Path, for_writing: bool) -> None:
    """A warehouse from a newer gapwatch is refused; one without gapwatch's schemas too."""
    found, version = _marts_and_version(con)
    if not found:
        if for_writing and _is_empty(con):
            return
        raise WarehouseUnusable(
            f"{database} is a DuckDB file but not a gapwatch warehouse (no marts schema); "
            "point --db / GAPWATCH_DB at the warehouse, or at a new file"
        )
    if version is not None and version > SCHEMA_VERSION:
        raise WarehouseUnusable(
            f"{database} was written by a newer gapwatch (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade gapwatch (the warehouse was not changed)"
        )


# one query on a warehouse that records its schema version (every refresh since version 1):
# the catalog functions behind stored_schema_version cost a cold `gapwatch sql` ~5 ms more
MARTS_AND_VERSION = (
    "select (select count(*) from duckdb_schemas() where schema_name = 'marts'), "
    "(select max(version) from raw.gapwatch_schema)"
)


def _marts_and_version(con: duckdb.DuckDBPyConnection) -> tuple[bool, int | None]:
    """Whether there is a marts schema, and raw.gapwatch_schema's version (None: not kept)."""
    try:
        found, version = con.execute(MARTS_AND_VERSION).fetchall()[0]
    except duckdb.CatalogException:  # no raw.gapwatch_schema: older, empty or not ours
        marts = "select count(*) from duckdb_schemas() where schema_name = 'marts'"
        return bool(con.execute(marts).fetchall()[0][0]), stored_schema_version(con)
    return bool(found), int(version) if version is not None else None


def history_not_migrated(con: duckdb.DuckDBPyConnection) -> bool:
    """True for a warehouse whose history tables still sit in marts: a refresh moves them."""
    from warehouse.queries import query

    return bool(con.execute(query("warehouse", "history_layout")).fetchall()[0][0])


def stored_schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """raw.gapwatch_schema's version; None for warehouses made before it was recorded."""
    exists = con.execute(
        "select count(*) from duckdb_tables() "
        "where schema_name = 'raw' and table_name = 'gapwatch_schema'"
    ).fetchall()[0][0]
    if not exists:
        return None
    rows = con.execute("select max(version) from raw.gapwatch_schema").fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def _is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    return not con.execute("select count(*) from duckdb_tables() where not internal").fetchall()[0][
        0
    ]


def explain_open_error(database: Path, error: BaseException) -> str:
    """DuckDB's reason for not opening a file, as one line with what to do about it."""
    text = str(error)
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    if "Conflicting lock" in text or "Could not set lock" in text:
        holder = _pid(text)
        return (
            f"another process{holder} has {database} open for writing; close it (gapwatch "
            "itself only reads it, or writes a copy), then run the command again"
        )
    if any(sign in text for sign in _CORRUPT):
        return (
            f"{database} is corrupt ({first}); restore it from a backup, or move it away and "
            "rebuild it with 'gapwatch refresh' (landed payloads in the data dir are kept)"
        )
    if "version" in text.lower() and ("storage" in text.lower() or "database file" in text):
        return (
            f"{database} was written by another DuckDB version ({first}); use the gapwatch "
            "(and DuckDB) that wrote it, or rebuild it with 'gapwatch refresh'"
        )
    if _is_disk_full(text):
        return disk_full(database.parent)
    if "Permission denied" in text:
        return (
            f"cannot read {database} (permission denied); fix its permissions or point "
            "--db / GAPWATCH_DB elsewhere"
        )
    return (
        f"cannot open {database} read-only ({first}); check the file (is it a gapwatch "
        "warehouse?), or move it away and rebuild it with 'gapwatch refresh'"
    )


# what DuckDB says of a damaged file: garbage, a bad block, a file cut short (a partial copy)
_CORRUPT = (
    "not a valid DuckDB database",
    "Corrupt database",
    "checksum",
    "Could not read enough bytes",
)


def explain_os_error(where: Path, error: OSError) -> str:
    """A file system error while refreshing, as one line with what to do."""
    if error.errno == errno.ENOSPC:
        return disk_full(where)
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"cannot write under {where} ({error.strerror}); make the data dir writable or "
            "point GAPWATCH_DATA_DIR / --data-dir elsewhere (the warehouse was not changed)"
        )
    return f"file system error at {error.filename or where}: {error.strerror or error}"


def disk_full(where: Path) -> str:
    return (
        f"the disk holding {where} is full; free some space and run the refresh again "
        "(the warehouse was not changed; a refresh needs room for a copy of it)"
    )


def _is_disk_full(text: str) -> bool:
    return "No space left on device" in text or "disk is full" in text.lower()


def is_disk_full(error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    return _is_disk_full(str(error))


def _pid(text: str) -> str:
    marker = "(PID "
    if marker in text:
        return " (pid " + text.split(marker, 1)[1].split(")", 1)[0] + ")"
    return ""


def open_lake_for_reading(warehouse: Warehouse, night: str | None) -> duckdb.DuckDBPyConnection:
    """open_reader with every failure as one line saying what to do (WarehouseUnusable)."""
    from warehouse import lake
    from warehouse.extensions import ExtensionMissing

    try:
        con = lake.open_reader(warehouse, night)
    except lake.NightNotFound as error:
        raise WarehouseUnusable(str(error)) from None
    except (duckdb.Error, ExtensionMissing) as error:
        raise WarehouseUnusable(lake.explain(warehouse, error)) from None
    try:
        check_schema(con, Path(warehouse.label), for_writing=False)
    except BaseException:
        con.close()
        raise
    return con


def check_lake_before_refresh(warehouse: Warehouse) -> None:
    """Reach the catalog and the data path before the night starts; nothing is written."""
    from warehouse import lake
    from warehouse.extensions import ExtensionMissing

    assert warehouse.data_path is not None
    if lake.is_local(warehouse.data_path):
        folder = Path(warehouse.data_path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise WarehouseUnusable(explain_os_error(folder, error)) from None
        _probe_write(folder)
    file = lake.catalog_file(warehouse)
    if file is not None and not file.exists():
        return  # a new lake: the night creates it
    try:
        con = duckdb.connect()
        try:
            lake.load_extensions(con, warehouse)
            lake.attach_to(con, warehouse, read_only=True)
            check_schema(con, Path(warehouse.label), for_writing=True)
        finally:
            con.close()
    except (duckdb.Error, ExtensionMissing) as error:
        if lake.is_new(error):
            return  # the catalog database is reachable and empty: the night creates the lake
        raise WarehouseUnusable(lake.explain(warehouse, error)) from None
