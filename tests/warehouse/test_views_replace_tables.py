"""A warehouse built by an older layout may hold a table where a view is made now: the
refresh's view step replaces it (and leaves every other view as it is)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from tests.warehouse.bundles import Built, copy_warehouse
from transforms.runner import plan, run_views

SNAPSHOT = "2026-04-19"


def kinds(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> dict[str, str]:
    found = con.execute(
        "select schema_name || '.' || table_name, 'table' from duckdb_tables() "
        "union all select schema_name || '.' || view_name, 'view' from duckdb_views()"
    ).fetchall()
    return {name: kind for name, kind in found if name in names}


def test_a_table_left_where_a_view_belongs_becomes_the_view_again(
    snapshot_warehouse: Callable[[str], Built], tmp_path: Path
) -> None:
    settings = copy_warehouse(snapshot_warehouse(SNAPSHOT), tmp_path / "data")
    views = plan()[0]
    schema, _, name = views[0].partition(".")
    with duckdb.connect(str(settings.database)) as con:
        rows = con.execute(f"select count(*) from {views[0]}").fetchall()[0][0]
        con.execute(f"create table {schema}.old_layout as select * from {views[0]}")
        con.execute(f"drop view {views[0]}")
        con.execute(f"alter table {schema}.old_layout rename to {name}")
        assert kinds(con, views)[views[0]] == "table"

        run_views(con)

        assert kinds(con, views) == dict.fromkeys(views, "view")
        assert con.execute(f"select count(*) from {views[0]}").fetchall()[0][0] == rows
