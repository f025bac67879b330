"""The pipeline on a DuckLake on a real PostgreSQL (the local DuckDB-catalog lake and the
helpers' other users: test_lake_local.py).

On PostgreSQL (a cluster this test starts on 127.0.0.1, data files in a shared directory) two real
Epoch snapshots make two nights: readers polling through the second night only ever see a whole
night, every night stays readable by its date and snapshot, and a second worker (another
process) is turned away while one refreshes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline.run import refresh
from pipeline.settings import Settings
from tests import postgres
from tests.conftest import PROJECT, epoch_dir
from tests.warehouse.bundles import make_settings
from warehouse.health import WarehouseUnusable, check_before_refresh
from warehouse.store import list_nights, reading, refresh_lock
from warehouse.where import Warehouse

pytestmark = pytest.mark.long

NIGHTS = ("2026-03-09", "2026-04-19")
# columns that name the run or the moment, not the data: they differ between any two runs
VOLATILE = {"run_id", "raw_path", "prefect_flow_run_id"}


def night_settings(base: Settings, shared_data: Path, night: str) -> Settings:
    return base.with_location("epoch", str(epoch_dir(shared_data, night)))


def marts(warehouse: Warehouse | Path, night: str | None = None) -> dict[str, pd.DataFrame]:
    """Every mart as a frame sorted on all its stable columns (volatile ones dropped)."""
    with reading(warehouse, night=night, locked_down=False) as con:
        names = [
            str(row[0])
            for row in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        frames = {}
        for name in names:
            frame = con.sql(f'select * from marts."{name}"').df()
            drop = [c for c in frame if c in VOLATILE or str(c).endswith("_at")]
            frame = frame.drop(columns=drop)
            frames[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return frames


def assert_same_marts(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    assert sorted(left) == sorted(right)
    assert len(left) >= 10
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], check_dtype=False, obj=name)


def one_row(warehouse: Warehouse, sql: str, night: str | None = None) -> tuple[Any, ...]:
    with reading(warehouse, night=night) as con:
        return tuple(con.execute(sql).fetchall()[0])


RUNS = "select max(as_of), count(distinct run_id), count(*) from history.refresh_runs"
# one reader's view: the night it sees, and whether the marts agree with that night
VIEW = (
    "select (select max(as_of) from history.refresh_runs), "
    "(select count(distinct run_id) from history.refresh_runs), "
    "(select count(distinct run_id) from history.gap_history), "
    "(select count(*) from history.alerts)"
)


@pytest.fixture
def server() -> Any:
    with postgres.running() as running:
        yield running


def test_two_nights_on_postgres(server: postgres.Server, shared_data: Path, tmp_path: Path) -> None:
    shared_dir = tmp_path / "shared-storage" / "lake"  # object storage in production
    lake_base = replace(
        make_settings(tmp_path / "worker"),
        warehouse_setting=f"ducklake:postgres:{server.dsn('gapwatch')}",
        lake_data_path=str(shared_dir),
    )
    lake = lake_base.warehouse

    day_one, day_two = (date.fromisoformat(night) for night in NIGHTS)
    check_before_refresh(lake)  # an empty catalog database passes the preflight
    nowhere = replace(lake_base, warehouse_setting=f"ducklake:postgres:{server.dsn('nosuch')}")
    with pytest.raises(WarehouseUnusable, match='database "nosuch" does not exist'):
        check_before_refresh(nowhere.warehouse)
    first = refresh(night_settings(lake_base, shared_data, NIGHTS[0]), day_one)
    assert first.ok, first.problems()
    night_one = marts(lake)

    # readers poll the lake, each on a connection of its own, while the second night runs
    seen: list[tuple[Any, ...]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                with reading(lake) as con:
                    seen.append(tuple(con.execute(VIEW).fetchall()[0]))
            except BaseException as error:  # a reader must never fail mid-night
                errors.append(error)
                return
            # each read is a new connection (extensions loaded, the lake attached): about a
            # second of CPU at a time on two busy cores, so a faster poll mostly slows the night
            stop.wait(1.0)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        second = refresh(night_settings(lake_base, shared_data, NIGHTS[1]), day_two)
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert second.ok, second.problems()
    assert errors == []
    assert seen, "the readers read nothing"
    one = (day_one, 1, 1, 0)
    two = (day_two, 2, 2, len(second.alerts))
    assert len(second.alerts) > 0
    assert set(seen) <= {one, two}, f"a reader saw half a night: {set(seen) - {one, two}}"
    assert one in set(seen)
    assert one_row(lake, RUNS)[:2] == (day_two, 2)

    # the warehouse as of night one, by date and by snapshot id
    found = list_nights(lake)
    assert [n.as_of.isoformat() for n in found] == list(NIGHTS)
    assert [n.run_id for n in found] == [first.run_id, second.run_id]
    assert_same_marts(marts(lake, night=NIGHTS[0]), night_one)
    by_id = one_row(lake, RUNS, night=str(found[0].snapshot_id))
    assert by_id[:2] == (day_one, 1)

    # the data files are Parquet on the shared path, the catalog in PostgreSQL
    assert list(shared_dir.rglob("*.parquet"))

    # a second worker (another process) is turned away while this one holds the lock
    env = {
        **os.environ,
        "GAPWATCH_WAREHOUSE": lake.catalog or "",
        "GAPWATCH_WAREHOUSE_DATA": str(shared_dir),
    }
    with refresh_lock(lake):
        busy = subprocess.run(
            [
                *(sys.executable, "-m", "cli.main", "--data-dir", str(tmp_path / "worker2")),
                *(
                    "refresh",
                    "--no-prefect",
                    "--source",
                    f"epoch={epoch_dir(shared_data, NIGHTS[1])}",
                ),
            ],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert busy.returncode != 0
    assert "already running" in busy.stderr, busy.stderr
    assert one_row(lake, RUNS)[:2] == (day_two, 2)  # nothing written
