"""`gapwatch report`: the warehouse as one self-contained HTML page and a PNG per figure.

Kept apart from cli/commands.py so that module's imports stay light: matplotlib is
imported only when this command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import UsageError, read_only, settings_from
from warehouse.collector import paused_then_frozen

AS_OF = "select max(as_of) from history.refresh_runs"
HAS_RUNS = (
    "select count(*) from duckdb_tables() where schema_name = 'history' "
    "and table_name = 'refresh_runs'"
)


def report(args: argparse.Namespace) -> int:
    """Write the report: one HTML page (viewable offline), its tables as CSV, PNGs on request.

    The page shows the gap now per series with its 90% band, the gap over time (all, by
    category, Chinese open models), a delay timeline per benchmark, the frontier lag, the
    pending thresholds, the latest alerts, and the method with its caveats. It reads the
    warehouse read-only, so it can run while a refresh builds the next one. Without --out
    it goes to <data dir>/reports/<as-of date>/.

    Example:
        gapwatch report
        gapwatch report --db data/gapwatch.duckdb --out /tmp/gapwatch-report --png
        xdg-open data/reports/2026-04-19/report.html
    """
    settings = settings_from(args)
    with paused_then_frozen():  # the command exits right after: see warehouse/collector.py
        # one connection checks the warehouse (a clear error when there is none, before the
        # drawing code is loaded) and reads the report's data; closed before any drawing
        # process is forked
        with read_only(args) as con:
            has_runs = con.execute(HAS_RUNS).fetchall()[0][0]
            as_of = con.execute(AS_OF).fetchall()[0][0] if has_runs else None
            from report import write_report
            from report.data import load

            data = load(settings.warehouse, con)
        out: Path = args.out or settings.data_dir / "reports" / (
            as_of.isoformat() if as_of else "undated"
        )
        try:
            files = write_report(settings.warehouse, out, png=args.png, data=data)
        except OSError as error:
            raise UsageError(f"cannot write the report to {out}: {error}") from error
    print(f"report: {files.html}")
    print(f"  {len(files.csvs)} table(s) as CSV in {files.html.parent / 'tables'}")
    if args.png:
        print(f"  {len(files.pngs)} figure(s) as PNG in {files.html.parent / 'figures'}")
    return 0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="directory for report.html and tables/ (default: <data dir>/reports/<as-of>)",
    )
    parser.add_argument(
        "--png", action="store_true", help="also write figures/*.png (the nightly run does)"
    )
