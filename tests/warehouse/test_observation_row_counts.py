"""A leaderboard's row counts: now, at its last good fetch, and the floor it may not fall under.

Hand-written tables (a few rows each) stand in for raw.batches and the collapsed observations.
"""

from __future__ import annotations

import duckdb
import pytest

from validation.expectations import MAX_ROW_LOSS
from warehouse.queries import bind, query

SQL = query("validation", "observation_row_counts")


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema raw; create schema intermediate")
    con.execute("create table raw.batches (fetch_id integer, source varchar, status varchar)")
    con.execute(
        "insert into raw.batches values (1, 'aider', 'passed'), (2, 'metr', 'passed'), "
        "(3, 'aider', 'quarantined'), (4, 'aider', 'pending'), (5, 'aider', 'warned')"
    )
    # fetch 1: 10 aider rows; 2: 7 metr rows; 3: 2 (quarantined); 4: 9; 5: none
    counts = {1: 10, 2: 7, 3: 2, 4: 9}
    con.execute(
        "create table intermediate.int_observations_collapsed as "
        "select unnest(?::integer[]) as fetch_id",
        [[fetch for fetch, n in counts.items() for _ in range(n)]],
    )
    return con


def counts(con: duckdb.DuckDBPyConnection, *fetches: tuple[str, int]) -> list[tuple]:
    params = {
        "sources": [source for source, _ in fetches],
        "fetch_ids": [fetch_id for _, fetch_id in fetches],
        "max_loss": MAX_ROW_LOSS,
    }
    return con.execute(SQL, bind(SQL, params)).fetchall()


def test_now_against_the_last_good_fetch_of_the_same_source(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # the last good aider fetch before 4 is 1 (3 was quarantined, 2 is metr's)
    assert counts(con, ("aider", 4)) == [("aider", 4, "observations", True, 9, 10, 8, False)]


def test_a_fetch_with_no_rows_counts_zero_against_its_last_good(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert counts(con, ("aider", 5)) == [("aider", 5, "observations", True, 0, 10, 8, False)]


def test_a_last_good_fetch_without_rows_gives_nothing_to_compare(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # the last good aider fetch before 6 is 5 (warned), which holds no rows
    assert counts(con, ("aider", 6)) == []


def test_no_row_without_an_earlier_good_fetch(con: duckdb.DuckDBPyConnection) -> None:
    assert counts(con, ("aider", 1)) == []
    assert counts(con, ("metr", 2)) == []


def test_several_fetches_counted_at_once_each_against_its_own_source(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # what validating the night's one-payload sources together asks: one row per fetch with
    # an earlier good load of its own source (metr 2 has none; aider 6's last good, 5, is empty)
    together = counts(con, ("metr", 2), ("aider", 4), ("aider", 5), ("aider", 6))
    assert together == [
        ("aider", 4, "observations", True, 9, 10, 8, False),
        ("aider", 5, "observations", True, 0, 10, 8, False),
    ]
