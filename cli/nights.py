"""`gapwatch nights`: the nights a DuckLake warehouse keeps, each readable with --night."""

from __future__ import annotations

import argparse

from cli.common import UsageError, add_format, settings_from
from cli.output import write_rows


def nights(args: argparse.Namespace) -> int:
    """List the finished nights of a DuckLake warehouse: as-of date, snapshot id, run id.

    Each night's last commit is a DuckLake snapshot; every reading command takes --night with
    a night's as-of date (its last run that day) or snapshot id and reads the warehouse as it
    was then. The DuckDB file (the default storage) keeps only the newest night.

    Example:
        export GAPWATCH_WAREHOUSE=ducklake:/srv/gapwatch/catalog.ducklake
        gapwatch nights
        gapwatch --night 2026-04-18 gaps
        gapwatch --night 42 sql "select max(as_of) from history.refresh_runs"
    """
    from warehouse.health import WarehouseUnusable
    from warehouse.store import list_nights

    settings = settings_from(args)
    warehouse = settings.warehouse
    if not warehouse.is_lake:
        raise UsageError(
            f"the DuckDB file {warehouse.file} keeps the newest night only; past nights need a "
            "DuckLake warehouse (GAPWATCH_WAREHOUSE=ducklake:..., see README 'Scale out')"
        )
    try:
        found = list_nights(warehouse)
    except WarehouseUnusable as error:
        raise UsageError(str(error)) from error
    rows = [
        (
            n.as_of.isoformat(),
            n.snapshot_id,
            n.run_id,
            n.committed_at.strftime("%Y-%m-%d %H:%M:%S %Z"),
        )
        for n in found
    ]
    write_rows(["as_of", "snapshot", "run_id", "committed_at"], rows, args.format, wide=args.wide)
    return 0


def configure(parser: argparse.ArgumentParser) -> None:
    add_format(parser)
