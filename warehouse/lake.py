"""The warehouse on a DuckLake: a catalog (DuckDB file, SQLite or PostgreSQL) plus Parquet files.

The pipeline runs unchanged on the attached lake (`USE gapwatch`), with three differences the
storage layer owns: the refresh lock (a file lock beside a local catalog, a PostgreSQL advisory
lock held by a transaction for a PostgreSQL catalog, so workers on many machines take turns),
the commit instead of the copy-and-swap, and nights. A night's last commit carries the message
`night <as_of>` by author `gapwatch`; readers attach at the newest such snapshot, so a reader
never sees a night half done, and `--night` reads any earlier one. DuckLake keeps no primary
keys or sequences: the raw tables are made without them (only gapwatch writes, one refresh at
a time) and fetch ids count on from the largest.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import ClassVar

import duckdb

from warehouse import extensions
from warehouse.lock import RefreshLock, RefreshRunning
from warehouse.where import LAKE_PREFIX, Warehouse, masked

log = logging.getLogger(__name__)

NAME = "gapwatch"  # the attached lake's name in every connection gapwatch opens
AUTHOR = "gapwatch"  # the author of every night's snapshot
NIGHT_PREFIX = "night "
# pg_try_advisory_xact_lock key of "one refresh at a time" (b"gapw" as an integer)
ADVISORY_KEY = int.from_bytes(b"gapw", "big")
OBJECT_STORES = ("s3://", "s3a://", "gs://", "gcs://", "r2://", "az://", "abfss://", "http")


def catalog_kind(warehouse: Warehouse) -> str:
    """duckdb, sqlite or postgres: which database holds the lake's catalog."""
    assert warehouse.catalog is not None
    inner = warehouse.catalog[len(LAKE_PREFIX) :]
    head = inner.split(":", 1)[0]
    return head if head in ("sqlite", "postgres") else "duckdb"


def catalog_file(warehouse: Warehouse) -> Path | None:
    """The local catalog file (DuckDB or SQLite); None for PostgreSQL."""
    assert warehouse.catalog is not None
    inner = warehouse.catalog[len(LAKE_PREFIX) :]
    kind = catalog_kind(warehouse)
    if kind == "postgres":
        return None
    if inner.startswith(("sqlite:", "duckdb:")):
        inner = inner.split(":", 1)[1]
    return Path(inner).expanduser()


def is_local(data_path: str) -> bool:
    return not data_path.lower().startswith(OBJECT_STORES)


def is_lake_connection(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this connection's default database is a DuckLake."""
    rows = con.execute(
        "select type from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    return bool(rows) and rows[0][0] == "ducklake"


def _literal(text: str) -> str:
    # ATTACH takes no bound parameter: the one string literal is quoted here
    return "'" + text.replace("'", "''") + "'"


def load_extensions(con: duckdb.DuckDBPyConnection, warehouse: Warehouse) -> None:
    extensions.load(con, "ducklake")
    kind = catalog_kind(warehouse)
    if kind == "postgres":
        extensions.load(con, "postgres_scanner")
    elif kind == "sqlite":
        extensions.load(con, "sqlite_scanner")
    if warehouse.data_path and not is_local(warehouse.data_path):
        extensions.load(con, "httpfs")


def attach_to(
    con: duckdb.DuckDBPyConnection,
    warehouse: Warehouse,
    read_only: bool = False,
    snapshot: int | None = None,
) -> None:
    assert warehouse.catalog is not None and warehouse.data_path is not None
    options = [f"DATA_PATH {_literal(_directory(warehouse.data_path))}"]
    if read_only:
        options.append("READ_ONLY")
    if snapshot is not None:
        options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
    con.execute(f"attach {_literal(warehouse.catalog)} as {NAME} ({', '.join(options)})")
    con.execute(f"use {NAME}")


def _directory(data_path: str) -> str:
    return data_path if data_path.endswith("/") else data_path + "/"


def _prepare_local(warehouse: Warehouse) -> None:
    assert warehouse.data_path is not None
    if is_local(warehouse.data_path):
        Path(warehouse.data_path).mkdir(parents=True, exist_ok=True)
    file = catalog_file(warehouse)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)


@contextmanager
def attach(warehouse: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writing connection on the lake (created on first use), its default database."""
    _prepare_local(warehouse)
    con = duckdb.connect()
    try:
        load_extensions(con, warehouse)
        attach_to(con, warehouse)
        yield con
    finally:
        con.close()


# --- the refresh lock ----------------------------------------------------------------------


class _AdvisoryLock:
    """pg_try_advisory_xact_lock in a transaction held open for the refresh; re-entrant.

    The lock lives as long as the transaction on the catalog's PostgreSQL server: a worker
    that dies drops its connection and with it the lock, on whatever machine it ran.
    """

    _held: ClassVar[dict[str, tuple[duckdb.DuckDBPyConnection, int]]] = {}
    _guard: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, warehouse: Warehouse) -> None:
        assert warehouse.catalog is not None
        self.warehouse = warehouse
        self.key = warehouse.catalog

    def __enter__(self) -> _AdvisoryLock:
        with self._guard:
            if self.key in self._held:
                con, depth = self._held[self.key]
                self._held[self.key] = (con, depth + 1)
                return self
            con = duckdb.connect()
            try:
                extensions.load(con, "postgres_scanner")
                dsn = self.warehouse.catalog[len(LAKE_PREFIX) + len("postgres:") :]  # type: ignore[index]
                con.execute(f"attach {_literal(dsn)} as catalog_lock (type postgres)")
                con.begin()
                got = con.execute(
                    "select * from postgres_query('catalog_lock', "
                    f"'select pg_try_advisory_xact_lock({ADVISORY_KEY})')"
                ).fetchall()[0][0]
            except BaseException:
                con.close()
                raise
            if not got:
                con.close()
                raise RefreshRunning(
                    f"a refresh of {masked(self.key)} is already running (another worker holds "
                    "its lock); try again when it has finished"
                )
            self._held[self.key] = (con, 1)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with self._guard:
            con, depth = self._held[self.key]
            if depth > 1:
                self._held[self.key] = (con, depth - 1)
                return
            del self._held[self.key]
            try:
                con.rollback()  # ends the transaction: the lock goes with it
            finally:
                con.close()


def lake_lock(warehouse: Warehouse) -> RefreshLock | _AdvisoryLock:
    """One refresh at a time: an advisory lock on a PostgreSQL catalog, else a file lock."""
    file = catalog_file(warehouse)
    if file is None:
        return _AdvisoryLock(warehouse)
    file.parent.mkdir(parents=True, exist_ok=True)
    return RefreshLock(file)


# --- nights --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Night:
    """One finished night: the snapshot readers see as the warehouse of that night."""

    snapshot_id: int
    as_of: date
    run_id: str
    committed_at: datetime


def mark_night(con: duckdb.DuckDBPyConnection, as_of: object, run_id: str) -> None:
    """Name the open transaction's commit as the night's (called inside that transaction)."""
    con.execute(
        "call ducklake_set_commit_message(current_database(), ?, ?, extra_info => ?)",
        [
            AUTHOR,
            f"{NIGHT_PREFIX}{as_of}",
            json.dumps({"as_of": str(as_of), "run_id": run_id}),
        ],
    )


def nights(con: duckdb.DuckDBPyConnection) -> list[Night]:
    """Every finished night in the lake, oldest first."""
    rows = con.execute(
        f"select snapshot_id, snapshot_time, commit_extra_info from {NAME}.snapshots() "
        "where author = ? and starts_with(commit_message, ?) order by snapshot_id",
        [AUTHOR, NIGHT_PREFIX],
    ).fetchall()
    found = []
    for snapshot_id, committed_at, extra in rows:
        info = json.loads(extra or "{}")
        found.append(
            Night(
                int(snapshot_id),
                date.fromisoformat(info["as_of"]),
                str(info.get("run_id", "")),
                committed_at,
            )
        )
    return found


class NightNotFound(LookupError):
    """--night names no night the lake holds."""


def choose(found: list[Night], night: str | None) -> Night | None:
    """The night asked for (a date: its last run; a number: that snapshot), or the newest."""
    if not found:
        if night is not None:
            raise NightNotFound(f"no night has finished in this warehouse yet (asked for {night})")
        return None
    if night is None:
        return found[-1]
    text = night.strip()
    if text.isdigit():
        matches = [n for n in found if n.snapshot_id == int(text)]
    else:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise NightNotFound(
                f"--night takes a night's as-of date (2026-04-19) or its snapshot id, not {text!r}"
            ) from None
        matches = [n for n in found if n.as_of == day]
    if not matches:
        known = ", ".join(f"{n.as_of} (snapshot {n.snapshot_id})" for n in found[-5:])
        raise NightNotFound(f"no night {text} in this warehouse; the latest: {known}")
    return matches[-1]


def open_reader(
    warehouse: Warehouse,
    night: str | None = None,
    locked_down: bool = True,
    pin: bool = True,
    writes_into: Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """The lake read-only at a finished night's snapshot (the newest unless `night` says).

    pin=False: at the newest commit, whatever it is (to list the nights themselves).
    """
    con = duckdb.connect()
    try:
        load_extensions(con, warehouse)
        attach_to(con, warehouse, read_only=True)
        chosen = choose(nights(con), night) if pin else None
        if chosen is not None:
            con.execute("use memory")
            con.execute(f"detach {NAME}")
            attach_to(con, warehouse, read_only=True, snapshot=chosen.snapshot_id)
        if locked_down:
            _lock_down(con, warehouse, writes_into)
    except BaseException:
        con.close()
        raise
    return con


def _lock_down(
    con: duckdb.DuckDBPyConnection, warehouse: Warehouse, writes_into: Path | None = None
) -> None:
    """No files but the lake's own (and writes_into), no new extensions, no setting changed."""
    assert warehouse.data_path is not None
    if is_local(warehouse.data_path):
        allowed = [_directory(str(Path(warehouse.data_path).resolve()))]
        if writes_into is not None:
            allowed.append(f"{writes_into.resolve()}/")
        con.execute("set allowed_directories = ?", [allowed])
        con.execute("set enable_external_access = false")
    con.execute("set autoinstall_known_extensions = false")
    con.execute("set autoload_known_extensions = false")
    con.execute("set lock_configuration = true")


def is_new(error: BaseException) -> bool:
    """DuckLake's refusal to create a lake through a read-only attach: the catalog is empty."""
    text = str(error)
    return "does not exist" in text and "creating a new DuckLake is explicitly disabled" in text


def explain(warehouse: Warehouse, error: BaseException) -> str:
    """Why the lake could not be opened, as one line (the catalog's password masked)."""
    text = str(error).strip()
    first = masked(text.splitlines()[0]) if text else type(error).__name__
    if isinstance(error, extensions.ExtensionMissing):
        return first
    return (
        f"cannot open the DuckLake warehouse {masked(warehouse.catalog or '')} ({first}); check "
        "GAPWATCH_WAREHOUSE (the catalog must be reachable) and GAPWATCH_WAREHOUSE_DATA"
    )
