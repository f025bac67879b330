"""Fault-suite helpers: a tiny warehouse, a checksum of the marts, guards that bound each case.

Every case here states a promise of README.md's "What gapwatch promises under faults" table and
checks it end to end: the previous marts unchanged (checksum), nothing lost or doubled, and a
clear one-line message. Network only to loopback servers these tests start.
"""

from __future__ import annotations

import hashlib
import http.server
import logging
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pytest

from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import SAMPLE_BUNDLE
from tests.warehouse.bundles import make_settings

SAMPLE_NIGHT = date(2026, 4, 20)
# a case that has not ended by then is a hang, whatever it tests: a safety bound, not a speed
# check (generous: a whole refresh in a child takes 25 s on a shared machine at load 14)
HANG = 300.0

T = TypeVar("T")
# the starter the `loopback_server` fixture hands out: handler class -> base URL
Start = Callable[[type[http.server.BaseHTTPRequestHandler]], str]


# appended by every run (even an interrupted one), never rebuilt: not part of "the marts"
HISTORY_TABLES = ("refresh_runs", "alerts", "alert_deliveries", "gap_history")


def marts_checksum(database: Path) -> str:
    """sha256 over every rebuilt marts table's rows, sorted: equal iff they hold the same data."""
    digest = hashlib.sha256()
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' "
            "and table_name not in (select unnest(?)) order by 1",
            [list(HISTORY_TABLES)],
        ).fetchall()
        for (table,) in tables:
            rows = con.execute(f'select * from marts."{table}"').fetchall()
            digest.update(table.encode())
            for row in sorted(repr(r) for r in rows):
                digest.update(row.encode())
    return digest.hexdigest()


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Commands run in-process add root handlers on captured streams: removed afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A warehouse refreshed once from the hand-written sample bundle (made-up data)."""
    settings = make_settings(tmp_path_factory.mktemp("faults-sample") / "data").with_location(
        "epoch", str(SAMPLE_BUNDLE)
    )
    result = refresh(settings, SAMPLE_NIGHT)
    assert result.ok, result.problems()
    return settings


@pytest.fixture
def warehouse(sample_warehouse: Settings, tmp_path: Path) -> Settings:
    """A private copy of the sample warehouse (database, landed payloads) for one case."""
    data_dir = tmp_path / "data"
    shutil.copytree(sample_warehouse.data_dir, data_dir, copy_function=shutil.copyfile)
    return make_settings(data_dir).with_location("epoch", str(SAMPLE_BUNDLE))


def ends(action: Callable[[], T], within: float = HANG) -> T:
    """Run action in a thread; fail (instead of hanging the suite) if it has not ended."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = action()
        except BaseException as error:  # handed back to the test below
            box["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(within)
    assert not thread.is_alive(), f"still running after {within:.0f} s: the bound did not hold"
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]
