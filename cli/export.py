"""`gapwatch export`: every mart as Parquet and CSV, plus data.json, for people to share."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import UsageError, read_only, settings_from


def export(args: argparse.Namespace) -> int:
    """Write every mart as Parquet and CSV, and data.json (rows, column types, attribution).

    data.json embeds the credit every source requires (Epoch AI, CC BY 4.0; "Data provided by
    Artificial Analysis"; each leaderboard's publisher): keep it with the data you share.
    It reads the warehouse read-only, so it can run while a refresh builds the next one.
    Without --out it goes to <data dir>/reports/<as-of date>/data/, beside the report
    (the nightly run writes the same there, and into reports/latest/data/).

    Example:
        gapwatch export
        gapwatch export --out /tmp/gapwatch-data
        duckdb -c "select * from 'data/reports/2026-04-19/data/gap_summary.parquet'"
    """
    from warehouse.export import export_marts, warehouse_as_of

    settings = settings_from(args)
    # a clear error when there is no warehouse; an older layout exports as it is
    with read_only(args, reads_history=False) as con:
        as_of = warehouse_as_of(con)
    out: Path = (
        args.out
        or settings.data_dir / "reports" / (as_of.isoformat() if as_of else "undated") / "data"
    )
    try:
        done = export_marts(settings.warehouse, out)
    except OSError as error:
        raise UsageError(f"cannot write the export to {out}: {error}") from error
    print(f"export: {done.data_json}")
    print(
        f"  {len(done.tables)} marts as Parquet and CSV in {done.directory} "
        f"({sum(done.tables.values())} rows); credits: {', '.join(done.sources) or 'none'}"
    )
    return 0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="directory for the files (default: <data dir>/reports/<as-of>/data)",
    )
