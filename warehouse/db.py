"""DuckDB connection and the raw schema, the one place DDL lives."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from extractors import OBSERVATION_SOURCES, SOURCES
from extractors.base import RawTable
from warehouse.lake import is_lake_connection

SCHEMAS = ("raw", "seeds", "staging", "intermediate", "marts", "history")
# appended by every run, never rebuilt; older warehouses held them in marts (see README)
HISTORY_TABLES = ("refresh_runs", "alerts", "alert_deliveries", "gap_history")

RAW_DDL = (
    "create sequence if not exists raw.fetch_id_seq start 1",
    """create table if not exists raw.fetches (
        fetch_id bigint primary key,
        source varchar not null,
        location varchar not null,
        fetched_at timestamptz not null,
        as_of date not null,
        http_status integer,
        bytes bigint,
        sha256 varchar,
        raw_path varchar,
        etag varchar,
        last_modified varchar,
        changed boolean,
        status varchar not null,
        message varchar,
        rows bigint
    )""",
    """create table if not exists raw.batches (
        fetch_id bigint not null,
        source varchar not null,
        file varchar not null,
        benchmark_id varchar not null,
        unit varchar,
        rows bigint,
        status varchar not null,
        reason varchar,
        checked_at timestamptz,
        primary key (fetch_id, file)
    )""",
    """create table if not exists raw.validations (
        fetch_id bigint not null,
        source varchar not null,
        file varchar,
        suite varchar not null,
        expectation varchar not null,
        severity varchar not null,
        success boolean not null,
        unexpected_count bigint,
        offending_rows varchar,
        checked_at timestamptz not null
    )""",
    # the inputs every marts build read, as one sha256 (transforms/inputs.py): a night whose
    # inputs match the last build's leaves the marts as they are
    """create table if not exists raw.marts_builds (
        fingerprint varchar not null,
        as_of date not null,
        built_at timestamptz not null
    )""",
    # history tables: appended by every run, never rebuilt (see README)
    """create table if not exists history.refresh_runs (
        run_id varchar not null,
        as_of date not null,
        started_at timestamptz not null,
        finished_at timestamptz not null,
        status varchar not null,
        source varchar not null,
        source_status varchar not null,
        fetch_id bigint,
        bytes_fetched bigint,
        changed boolean,
        rows bigint,
        validation varchar,
        message varchar,
        primary key (run_id, source)
    )""",
    # the Prefect flow run of a night run by Prefect (NULL for --no-prefect); added in place to
    # warehouses made before the column existed
    "alter table history.refresh_runs add column if not exists prefect_flow_run_id varchar",
    """create table if not exists history.alerts (
        alert_id varchar primary key,
        kind varchar not null,
        run_id varchar not null,
        as_of date not null,
        benchmark_id varchar,
        threshold double,
        open_scope varchar,
        open_model varchar,
        organization varchar,
        closed_model varchar,
        gap_months double,
        message varchar not null,
        raised_at timestamptz not null,
        delivered_at timestamptz,
        delivery_error varchar
    )""",
    """create table if not exists history.alert_deliveries (
        alert_id varchar not null,
        channel varchar not null,
        delivered_at timestamptz not null,
        primary key (alert_id, channel)
    )""",
    """create table if not exists history.gap_history (
        run_id varchar not null,
        as_of date not null,
        source varchar not null,
        series varchar not null,
        view varchar,
        open_scope varchar,
        access varchar,
        category varchar,
        latest_date date,
        gap_months double,
        ci_low double,
        ci_high double,
        n_points bigint,
        n_pending bigint,
        median_months_pending double,
        primary key (run_id, source, series)
    )""",
    # what a payload held that the code did not understand (alerts/format_alerts.py)
    """create table if not exists raw.format_changes (
        fetch_id bigint not null,
        source varchar not null,
        file varchar not null,
        change varchar not null,
        detail varchar not null,
        columns varchar,
        seen_at timestamptz not null
    )""",
)


def raw_table_ddl(source: str, table: RawTable) -> str:
    """raw.<source>__<entity>: the text columns a source declares, with the fetch they came from."""
    name = f"{source}__{table.entity}"
    if not name.replace("_", "").isalnum() or not all(
        c.replace("_", "").isalnum() for c in table.columns
    ):
        raise ValueError(f"not a plain table or column name in {name}: {table.columns}")
    columns = ",\n        ".join(
        f"{column} varchar" + (" not null" if column in table.not_null else "")
        for column in table.columns
    )
    return (
        f"create table if not exists raw.{name} (\n"
        f"        _fetch_id bigint not null,\n        {columns}\n    )"
    )


def observations_view_ddl() -> str:
    """raw.observations: every leaderboard-style source's raw rows under its name, one union
    made from the registry, so a new source reaches staging without touching a SQL model."""
    for name in OBSERVATION_SOURCES:
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a plain source name: {name!r}")
    # names come from extractors.SOURCES (checked plain above), never from input
    branches = "\n    union all by name\n    ".join(
        f"select '{name}' as source, * from raw.{name}__observations"
        for name in OBSERVATION_SOURCES
    )
    return f"create or replace view raw.observations as (\n    {branches}\n)"


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file (created on first write); read_only for queries."""
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schemas and raw tables if missing; safe to call on every run."""
    lake = is_lake_connection(con)
    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")  # identifiers can't be bound
    for statement in RAW_DDL:
        adapted = for_lake(statement) if lake else statement
        if adapted is not None:
            con.execute(adapted)
    move_history_tables(con)
    for name, source in SOURCES.items():
        con.execute(raw_table_ddl(name, source.RAW_TABLE))
    con.execute(observations_view_ddl())
    record_schema_version(con)


_PRIMARY_KEY_CLAUSE = re.compile(r",\s*primary key \([^)]*\)")


def for_lake(statement: str) -> str | None:
    """A DDL statement as DuckLake takes it: no sequences, no primary keys (None: skip it).

    Only gapwatch writes, one refresh at a time, and every insert it makes checks for the row
    first, so the keys were a guard, not a behaviour; fetch ids come from next_fetch_id.
    """
    if statement.lstrip().startswith("create sequence"):
        return None
    return _PRIMARY_KEY_CLAUSE.sub("", statement).replace(" primary key", "")


def next_fetch_id(con: duckdb.DuckDBPyConnection) -> int:
    """The next raw.fetches id: the sequence in the DuckDB file, one past the largest on a lake."""
    if is_lake_connection(con):
        rows = con.execute("select coalesce(max(fetch_id), 0) + 1 from raw.fetches").fetchall()
    else:
        rows = con.execute("select nextval('raw.fetch_id_seq')").fetchall()
    return int(rows[0][0])


def record_schema_version(con: duckdb.DuckDBPyConnection) -> None:
    """raw.gapwatch_schema says which version of gapwatch's tables this file holds."""
    from warehouse.health import SCHEMA_VERSION, WarehouseUnusable, stored_schema_version

    stored = stored_schema_version(con)
    if stored is not None and stored > SCHEMA_VERSION:
        raise WarehouseUnusable(
            f"this warehouse was written by a newer gapwatch (schema {stored}, this one knows "
            f"{SCHEMA_VERSION}); upgrade gapwatch (the warehouse was not changed)"
        )
    if stored == SCHEMA_VERSION:
        return  # already says so
    con.execute("create table if not exists raw.gapwatch_schema (version integer not null)")
    con.execute("delete from raw.gapwatch_schema")
    con.execute("insert into raw.gapwatch_schema values (?)", [SCHEMA_VERSION])


def move_history_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Move the history tables of an older warehouse from marts to history (rows kept), and
    leave a view of each old name in marts for one release (deprecated, see README)."""
    # one catalog scan for all of them: on a DuckLake each reads every table's statistics
    held_in_marts = {
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' "
            "and table_name in (select unnest(?))",
            [list(HISTORY_TABLES)],
        ).fetchall()
    }
    for name in HISTORY_TABLES:
        if name in held_in_marts:
            # names come from HISTORY_TABLES above, never from input
            con.execute(f"insert into history.{name} by name select * from marts.{name}")
            con.execute(f"drop table marts.{name}")
        con.execute(f"create or replace view marts.{name} as select * from history.{name}")
