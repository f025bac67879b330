"""The history tables live in their own schema; an older warehouse's rows move there once."""

from __future__ import annotations

import duckdb

from warehouse.db import HISTORY_TABLES, ensure_schemas


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
