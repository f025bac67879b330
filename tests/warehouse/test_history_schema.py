"""The history tables live in their own schema; an older warehouse's rows move there once."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cli.main import main
from warehouse.db import HISTORY_TABLES, ensure_schemas
from warehouse.health import SCHEMA_VERSION


def test_an_older_warehouse_keeps_its_history_rows_and_the_old_names_read_them() -> None:
    con = duckdb.connect()
    con.execute("create schema marts")
    # the layout before the history schema: a hand-made alert row in marts.alerts
    con.execute(
        "create table marts.alerts (alert_id varchar primary key, kind varchar, run_id varchar, "
        "as_of date, benchmark_id varchar, threshold double, open_scope varchar, "
        "open_model varchar, organization varchar, closed_model varchar, gap_months double, "
        "message varchar, raised_at timestamptz, delivered_at timestamptz, "
        "delivery_error varchar)"
    )
    con.execute(
        "insert into marts.alerts values ('a1', 'gap_closed', 'r1', '2026-01-01', 'b', 0.5, "
        "'all', 'open-x', 'Org', 'closed-a', 3.0, 'made up', now(), null, null)"
    )
    ensure_schemas(con)
    ensure_schemas(con)  # a second run moves nothing twice
    assert con.execute("select alert_id, message from history.alerts").fetchall() == [
        ("a1", "made up")
    ]
    assert con.execute("select alert_id from marts.alerts").fetchall() == [("a1",)]
    kinds = dict(
        con.execute(
            "select table_name, table_type from information_schema.tables "
            "where table_schema = 'marts'"
        ).fetchall()
    )
    assert all(kinds[name] == "VIEW" for name in HISTORY_TABLES)


def _older_warehouse(path: Path) -> Path:
    """A hand-made warehouse in the layout before the history schema (one run in marts)."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.refresh_runs (run_id varchar, as_of date)")
        con.execute("insert into marts.refresh_runs values ('r1', '2026-01-01')")
    return path


@pytest.mark.parametrize("command", [["alerts"], ["gaps", "--history", "x"], ["report"]])
def test_a_reading_command_on_an_older_warehouse_says_how_to_migrate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    database = _older_warehouse(tmp_path / "older.duckdb")
    assert main([*command, "--db", str(database)]) == 2
    error = capsys.readouterr().err
    assert "run 'gapwatch refresh' once to migrate it" in error
    assert "Traceback" not in error


def test_sql_still_reads_an_older_warehouse_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = _older_warehouse(tmp_path / "older.duckdb")
    assert (
        main(["sql", "--db", str(database), "--csv", "select run_id from marts.refresh_runs"]) == 0
    )
    assert "r1" in capsys.readouterr().out


# refresh_runs as versions 1 and 2 made it in marts (2 added prefect_flow_run_id); None is a
# warehouse from before raw.gapwatch_schema, laid out like version 1
OLDER_RUNS = (
    "create table marts.refresh_runs (run_id varchar not null, as_of date not null, "
    "started_at timestamptz not null, finished_at timestamptz not null, status varchar not null, "
    "source varchar not null, source_status varchar not null, fetch_id bigint, "
    "bytes_fetched bigint, changed boolean, rows bigint, validation varchar, message varchar, "
    "primary key (run_id, source))"
)


@pytest.mark.parametrize("version", [None, 1, 2])
def test_every_older_schema_version_migrates_with_its_rows(version: int | None) -> None:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create schema raw")
    con.execute(OLDER_RUNS)
    flow_run = None
    if version == 2:
        con.execute("alter table marts.refresh_runs add column prefect_flow_run_id varchar")
        flow_run = "made-up-flow-run"
    if version is not None:
        con.execute("create table raw.gapwatch_schema (version integer not null)")
        con.execute("insert into raw.gapwatch_schema values (?)", [version])
    con.execute(
        "insert into marts.refresh_runs by name select 'r1' as run_id, date '2026-01-01' as as_of, "
        "now() as started_at, now() as finished_at, 'succeeded' as status, 'made-up' as source, "
        "'loaded' as source_status" + (", ? as prefect_flow_run_id" if flow_run else ""),
        [flow_run] if flow_run else [],
    )
    ensure_schemas(con)
    assert con.execute(
        "select run_id, source, prefect_flow_run_id from history.refresh_runs"
    ).fetchall() == [("r1", "made-up", flow_run)]
    assert con.execute("select run_id from marts.refresh_runs").fetchall() == [("r1",)]
    assert con.execute("select version from raw.gapwatch_schema").fetchall() == [(SCHEMA_VERSION,)]
