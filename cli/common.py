"""What every command shares: settings from flags, output options, read-only access."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).resolve().parent / "sample"
SAMPLE_BUNDLE = SAMPLE / "benchmark_data"
SAMPLE_WEIRDML = SAMPLE / "weirdml"


class UsageError(Exception):
    """A problem the user can fix from the command line (shown without a traceback)."""


def parse_as_of(text: str | None) -> date:
    """--as-of YYYY-MM-DD, default today in UTC."""
    if not text:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise UsageError(f"--as-of must be a date like 2026-04-19, not {text!r}") from error


def settings_from(args: argparse.Namespace) -> Any:
    from dataclasses import replace

    from pipeline.settings import from_env

    settings = from_env()  # registers the secrets it reads for redaction
    if args.data_dir is not None:
        settings = replace(settings, data_dir=args.data_dir)
    if args.db is not None:
        settings = replace(settings, db_path=args.db)
    if getattr(args, "night", None) is not None:
        settings = replace(settings, read_night=args.night)
    from warehouse.store import WarehouseSettingInvalid

    try:
        settings.warehouse  # noqa: B018 - an invalid GAPWATCH_WAREHOUSE is refused here, once
    except WarehouseSettingInvalid as error:
        raise UsageError(str(error)) from error
    assignments = getattr(args, "source", None) or []
    for assignment in assignments:
        source, _, location = assignment.partition("=")
        if not location or source not in settings.locations:
            raise UsageError(
                f"--source takes NAME=LOCATION with NAME one of {sorted(settings.locations)}, "
                f"not {assignment!r}"
            )
        settings = settings.with_location(source, location)
    if getattr(args, "replay", False):
        settings = replace(settings, replay=True)
    if assignments and not getattr(args, "all_sources", False):
        # refreshing "from here" means just these sources; --all-sources keeps the rest live
        settings = settings.only(*dict.fromkeys(a.partition("=")[0] for a in assignments))
    return settings


def add_format(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--csv", dest="format", action="store_const", const="csv", help="CSV output")
    group.add_argument(
        "--json", dest="format", action="store_const", const="json", help="JSON output"
    )
    parser.add_argument(
        "--wide", action="store_true", help="tables: every column, no cell cut (default: fit 100)"
    )
    parser.set_defaults(format="table")


def read_only(args: argparse.Namespace, reads_history: bool = True) -> Any:
    """The warehouse for reading: read-only, no file/network/extension access, settings locked.

    A warehouse written before the history schema keeps refresh_runs, alerts, alert_deliveries
    and gap_history in marts; a read-only command can't move them, so a command that reads
    history says how to migrate instead of failing on a missing table.

    Only the settings that say where the warehouse is are read (warehouse.where): a read
    command loads none of the sources' parsers, which the full settings would.
    """
    import os

    from warehouse.health import WarehouseUnusable, history_not_migrated, open_for_reading
    from warehouse.where import WarehouseSettingInvalid, storage_from_env

    storage = storage_from_env(os.environ)
    if args.data_dir is not None:
        storage = storage._replace(data_dir=args.data_dir)
    if args.db is not None:
        storage = storage._replace(db_path=args.db)
    try:
        warehouse = storage.warehouse(getattr(args, "night", None))
    except WarehouseSettingInvalid as error:
        raise UsageError(str(error)) from error
    path = warehouse.file
    demo = Path("data") / "demo" / path.name
    if (
        not warehouse.is_lake
        and not path.exists()
        and demo.is_file()
        and args.db is None
        and args.data_dir is None
    ):
        # after `make demo` the only warehouse is the demo's: say where, not "run the demo"
        raise UsageError(
            f"no warehouse at {path}; the demo's is at {demo}: add '--data-dir {demo.parent}'"
            " (or run 'gapwatch refresh' for the live sources)"
        )
    try:
        con = open_for_reading(warehouse)
    except WarehouseUnusable as error:
        raise UsageError(str(error)) from error
    if reads_history and history_not_migrated(con):
        con.close()
        raise UsageError(
            f"{path} keeps its history tables in marts (written before the history schema); "
            "run 'gapwatch refresh' once to migrate it"
        )
    return con
