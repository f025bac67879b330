"""The warehouse is DuckDB 1.5 on purpose: any DuckDB client from 1.0 on opens it.

The DuckDB command-line client comes from the Python package registry (duckdb-cli, a dev
dependency) and is the newest one there; it must open the file a real refresh wrote and read
the same marts. The extensions gapwatch needs load from their wheels, with no network.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.warehouse.bundles import Built
from warehouse.extensions import ExtensionMissing, extension_file, load

DUCKDB_CLI = Path(sys.executable).parent / "duckdb"


def test_the_duckdb_cli_opens_the_warehouse_and_reads_the_marts(
    snapshot_warehouse: Callable[[str], Built],
) -> None:
    database = snapshot_warehouse("2026-04-19").settings.database
    assert DUCKDB_CLI.is_file(), "the duckdb-cli package (a dev dependency) is not installed"
    query = "select count(*), count(distinct benchmark_id) from marts.benchmark_scores"
    with duckdb.connect(str(database), read_only=True) as con:
        expected = con.execute(query).fetchall()[0]
        (tags,) = con.execute(
            "select tags from duckdb_databases() where database_name = current_database()"
        ).fetchall()[0]
    done = subprocess.run(
        [str(DUCKDB_CLI), "-readonly", "-csv", "-noheader", str(database), "-c", query],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert tuple(int(v) for v in done.stdout.strip().split(",")) == expected
    assert expected[0] > 1000
    # the storage format every DuckDB since 1.0 reads (DuckDB 2.0 would write a newer one)
    assert tags["storage_version"] == "v1.0.0+"
    version = subprocess.run(
        [str(DUCKDB_CLI), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert version.startswith("v1.5.")


@pytest.mark.parametrize("name", ["ducklake", "postgres_scanner"])
def test_the_extensions_load_from_their_wheels_offline(name: str) -> None:
    with duckdb.connect() as con:
        load(con, name)
        load(con, name)  # twice is fine
        loaded = con.execute(
            "select loaded from duckdb_extensions() where extension_name = ?", [name]
        ).fetchall()
    assert loaded == [(True,)]
    assert extension_file(name).name == f"{name}.duckdb_extension"


def test_a_missing_extension_wheel_names_the_package() -> None:
    with pytest.raises(ExtensionMissing, match=r"duckdb-extension-no-such=="):
        extension_file("no_such")
