"""Load parsed records and the committed seed files into the warehouse."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from extractors.base import Parsed, Record, SourceError

SEEDS_DIR = Path(__file__).resolve().parent.parent / "transforms" / "seeds"
# rows per frame handed to DuckDB by load_raw_rows (a frame costs ~100 bytes a row beyond them)
LOAD_SLICE_ROWS = 50_000


def load_raw_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    fetch_id: int,
    records: Sequence[Record],
    columns: Sequence[str],
) -> int:
    """Replace this fetch's rows in raw.<table> (idempotent per fetch); returns the row count.

    table and columns are what the source declares (extractors.base.RawTable). The rows go
    in slices of LOAD_SLICE_ROWS, so the frame DuckDB reads them from stays small at any size.
    """
    import pandas as pd  # only a night that loads rows pays for pandas

    qualified = _raw_table(table)
    con.execute(f"delete from {qualified} where _fetch_id = ?", [fetch_id])
    for start in range(0, len(records), LOAD_SLICE_ROWS):
        frame = pd.DataFrame.from_records(
            records[start : start + LOAD_SLICE_ROWS], columns=list(columns)
        )
        frame.insert(0, "_fetch_id", fetch_id)
        con.register("incoming_rows", frame)
        try:
            con.execute(f"insert into {qualified} by name select * from incoming_rows")
        finally:
            con.unregister("incoming_rows")
    return len(records)


def load_raw_tables(
    con: duckdb.DuckDBPyConnection, table: str, fetch_id: int, parsed: Parsed
) -> dict[str, int]:
    """Load parsed.tables into raw.<table> one file at a time; returns rows per file loaded.

    Each file goes from its bytes through DuckDB's CSV reader into the raw table: no row of it
    becomes a Python object, and only one file is expanded at a time. A file that can't be
    read is quarantined (moved to parsed.file_errors), the others still load.
    """
    qualified = _raw_table(table)
    loaded: dict[str, int] = {}
    if not parsed.tables:
        return loaded
    from extractors.scratch import scratch_database

    # one in-memory database reads every file in turn: opening one costs more than reading
    # a typical score file
    with scratch_database(threads=1) as scratch:
        while parsed.tables:
            csv_file = parsed.tables.pop(0)
            try:
                rows = csv_file.stage(
                    con,
                    f"insert into {qualified} by name select ? as _fetch_id, * from {{rows}}",
                    [fetch_id],
                    scratch,
                )
            except SourceError as error:
                parsed.unreadable(csv_file.source, csv_file.file, error, csv_file.header)
                continue
            loaded[csv_file.file] = rows
    return loaded


def load_seeds(con: duckdb.DuckDBPyConnection, seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """(Re)load every committed seed CSV as seeds.<stem>, all columns as text (SQL types them)."""
    loaded = []
    for path in sorted(seeds_dir.glob("*.csv")):
        table = f"seeds.{_identifier(path.stem)}"
        con.execute(
            f"create or replace table {table} as "
            "select * from read_csv(?, header = true, all_varchar = true, quote = '\"')",
            [str(path)],
        )
        loaded.append(table)
    return loaded


def _raw_table(table: str) -> str:
    return f"raw.{_identifier(table)}"


def _identifier(name: str) -> str:
    # identifiers can't be bound parameters; only plain names from our own code get here
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain identifier: {name!r}")
    return name
