"""The CLI's commands: each a docstring with an example, a configure(), and a handler."""

from __future__ import annotations

import argparse
import atexit
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from warehouse.cli import (
    SAMPLE_BUNDLE,
    UsageError,
    configure_logging,
    parse_as_of,
    settings_from,
)
from warehouse.output import render


def refresh(args: argparse.Namespace) -> int:
    """Fetch every source, land it, validate it, rebuild the marts, raise and deliver alerts.

    Runs the nightly Prefect flow once, here, with no Prefect server needed (a temporary local
    one starts by itself); --no-prefect runs the same steps without Prefect. A file that fails
    validation is quarantined: the marts keep its last good data and the command exits 1
    naming the source, file and rows. Unchanged payloads are not reloaded. Only one refresh
    runs at a time; readers (gapwatch sql) are never blocked by it.

    Example:
        gapwatch refresh
        gapwatch refresh --as-of 2026-04-19 \\
            --source epoch=../shared/data/epoch/2026-04-19/benchmark_data
        gapwatch refresh --source epoch=./benchmark_data.zip --data-dir /srv/gapwatch --no-prefect
    """
    from warehouse.lock import RefreshLock, RefreshRunning
    from warehouse.seed_checks import SeedError

    settings = settings_from(args)
    as_of = parse_as_of(args.as_of)
    configure_logging(args.quiet)
    try:
        with RefreshLock(settings.database):  # refuse at once, before Prefect starts up
            if args.no_prefect:
                problems = _refresh_plain(settings, as_of)
            else:
                problems = _refresh_with_prefect(settings, as_of)
    except RefreshRunning as error:
        raise UsageError(str(error)) from error
    except SeedError as error:
        raise UsageError(f"a seed file needs fixing, nothing was refreshed: {error}") from error
    _print_last_run(settings)
    for line in problems:
        print(f"gapwatch: {line}", file=sys.stderr)
    if problems:
        print("gapwatch: the marts keep the last good data of what failed", file=sys.stderr)
    return 1 if problems else 0


def _refresh_plain(settings: Any, as_of: Any) -> list[str]:
    from warehouse.refresh import refresh as run_refresh

    return run_refresh(settings, as_of).problems()


def _refresh_with_prefect(settings: Any, as_of: Any) -> list[str]:
    import os

    # the flow reads its settings from the environment, like a deployment's worker does
    os.environ.update(settings_environment(settings))
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    # registered before Prefect registers its own exit handlers, so it runs after them
    atexit.register(_quiet_teardown)
    from flows.nightly import nightly_refresh

    state = nightly_refresh(as_of=as_of, return_state=True)
    if state.is_failed() or state.is_crashed():
        error = state.result(raise_on_failure=False)
        lines = str(error).splitlines()
        return lines[1:] if lines and lines[0].startswith("run ") else lines
    return []


def _quiet_teardown() -> None:
    """Silence stderr for the interpreter's final teardown, after every exit handler ran.

    With Prefect's threads alive at exit, Python tears modules down late and DuckDB's binding
    layer (nanobind) then reports its module-level type constants as "leaked": dozens of lines
    of noise after a successful run (see ../shared/STACK.md). Nothing of ours runs after this.
    """
    import os

    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)


# a local one-off run: no telemetry, and room for the temporary server to start on 2 cores
PREFECT_DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def settings_environment(settings: Any) -> dict[str, str]:
    env = {
        "GAPWATCH_DATA_DIR": str(settings.data_dir),
        "GAPWATCH_DB": str(settings.database),
        "GAPWATCH_SOURCES": ",".join(settings.sources),
    }
    for source, location in settings.locations.items():
        env[f"GAPWATCH_{source.upper()}_LOCATION"] = location
    return env


def _print_last_run(settings: Any) -> None:
    import duckdb

    with duckdb.connect(str(settings.database), read_only=True) as con:
        rows = con.execute(
            "select source, source_status, bytes_fetched, rows, validation from marts.refresh_runs "
            "where run_id = (select run_id from marts.refresh_runs "
            "order by finished_at desc limit 1)"
        ).fetchall()
        marts = con.execute(
            "select table_name, estimated_size from duckdb_tables() "
            "where schema_name = 'marts' order by table_name"
        ).fetchall()
        fresh = con.execute(
            "select count(*) from marts.alerts "
            "where run_id = (select run_id from marts.refresh_runs "
            "order by finished_at desc limit 1)"
        ).fetchall()[0][0]
    for source, status, size, count, validation in rows:
        download = f"{size / 1e6:.1f} MB" if size else "no download"
        print(f"{source}: {status} ({download}, {count} rows, validation {validation})")
    print("  " + ", ".join(f"marts.{name} {n}" for name, n in marts))
    print(f"  {fresh} new alert(s); see 'gapwatch alerts'")


def configure_refresh(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        action="append",
        metavar="NAME=LOCATION",
        help="read this source from a URL, a file or a directory (repeatable); only the named "
        "sources are refreshed unless --all-sources",
    )
    parser.add_argument(
        "--all-sources",
        action="store_true",
        help="with --source: refresh every other source too, from its usual location",
    )
    parser.add_argument(
        "--as-of", help="the night this refresh stands for, YYYY-MM-DD (default: today, UTC)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument(
        "--no-prefect", action="store_true", help="run the steps without Prefect (faster start)"
    )


def sql(args: argparse.Namespace) -> int:
    """Run one SQL query against the warehouse, read-only.

    Example:
        gapwatch sql "select * from marts.benchmarks where tracked"
        gapwatch sql --csv "select * from marts.benchmark_scores" > scores.csv
        gapwatch sql --json "select count(*) as n from marts.models where is_open"
    """
    import duckdb

    with _read_only(args) as con:
        try:
            cursor = con.execute(args.query)
        except duckdb.Error as error:
            raise UsageError(f"query failed: {error}") from error
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    render(columns, rows, args.format)
    return 0


def configure_sql(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", help='a SQL query, e.g. "select * from marts.models limit 5"')
    _add_format(parser)


def models(args: argparse.Namespace) -> int:
    """List model versions and their open/closed status.

    With --unresolved, only the versions with no status (they take no part in gaps), and why.

    Example:
        gapwatch models --unresolved
        gapwatch models --search qwen3
    """
    if args.unresolved:
        query = (
            "select model_version, organization, release_date, reason, tracked_scores "
            "from marts.unresolved_models order by tracked_scores desc, model_version"
        )
        params: list[Any] = []
    else:
        query = (
            "select model_version, organization, release_date, accessibility, is_open, "
            "is_chinese, status_source from marts.models "
            "where ? is null or lower(model_version) like '%' || lower(?) || '%' "
            "order by release_date desc nulls last, model_version"
        )
        params = [args.search, args.search]
    with _read_only(args) as con:
        cursor = con.execute(query, params)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    render(columns, rows, args.format)
    return 0


def configure_models(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--unresolved", action="store_true", help="only versions without a status")
    parser.add_argument("--search", help="only versions whose name contains this text")
    _add_format(parser)


def status(args: argparse.Namespace) -> int:
    """Show the last refresh of each source, validation outcomes and mart sizes.

    Example:
        gapwatch status
    """
    from warehouse.status import status_report

    with _read_only(args) as con:
        sections = status_report(con)
    for title, (columns, rows) in sections.items():
        print(f"== {title}")
        render(columns, rows, "table")
    return 0


def demo(args: argparse.Namespace) -> int:
    """Run gapwatch end to end, offline, on the small hand-written sample bundle it ships.

    The sample is made-up data for trying the tool, not real measurements. The demo
    warehouse goes to ./data/demo unless --data-dir or --db say otherwise.

    Example:
        gapwatch demo
    """
    if args.data_dir is None:
        args.data_dir = Path("data") / "demo"
    args.source = [f"epoch={SAMPLE_BUNDLE}"]
    args.as_of = args.as_of or "2026-04-20"
    args.no_prefect = not args.with_prefect
    code = refresh(args)
    print("\nThe sample warehouse (made-up data):")
    status(args)
    args.format, args.history = "table", None
    print()
    gaps(args)
    return code


def configure_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", help="the as-of date of the demo (default: 2026-04-20)")
    parser.add_argument(
        "--with-prefect", action="store_true", help="run it as the Prefect flow (slower start)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def gaps(args: argparse.Namespace) -> int:
    """Print how far behind open models are now, per series, with the 90% band.

    Each series (all, public, private, one per category, chinese, eci) shows the latest
    smoothed gap in months, its bootstrap band, how many accepted datapoints stand behind it,
    and the median wait of thresholds no open model has reached yet (a lower bound on the
    forward-looking gap).

    Example:
        gapwatch gaps
        gapwatch gaps --json
    """
    if args.history:
        return _gap_history(args)
    query = (
        "select series, strftime(latest_date, '%Y-%m-%d') as at, "
        "round(gap_months, 1) as gap_months, "
        "'[' || round(ci_low, 1) || ', ' || round(ci_high, 1) || ']' as band_90, "
        "n_points as points, n_pending as pending, "
        "round(median_months_pending, 1) as median_months_pending "
        "from marts.gap_summary"
    )
    with _read_only(args) as con:
        cursor = con.execute(query)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
        as_of = con.execute("select max(as_of) from marts.gap_summary").fetchall()[0][0]
    if args.format == "table":
        print(f"Gap between open-weight and closed models, as of {as_of:%Y-%m-%d} (months):")
    render(columns, rows, args.format)
    return 0


def crossings(args: argparse.Namespace) -> int:
    """Print a benchmark's delay timeline: per threshold, the first closed and open model.

    Each row shows both first crossers with their release dates, the gap in months, whether
    the datapoint is accepted, and the written reason (accepted or not).

    Example:
        gapwatch crossings gpqa_diamond
        gapwatch crossings metr_time_horizons --scope chinese
        gapwatch crossings "GPQA Diamond" --csv
    """
    with _read_only(args) as con:
        found = con.execute(
            "select benchmark_id from marts.benchmarks "
            "where lower(benchmark_id) = lower(?) or lower(name) = lower(?)",
            [args.benchmark, args.benchmark],
        ).fetchall()
        if not found:
            known = [
                r[0]
                for r in con.execute(
                    "select distinct benchmark_id from marts.crossings order by 1"
                ).fetchall()
            ]
            raise UsageError(f"no benchmark {args.benchmark!r}; try one of: {', '.join(known)}")
        cursor = con.execute(
            "select threshold, first_closed_model as closed_model, first_closed_date as closed, "
            "first_open_model as open_model, first_open_date as open, "
            "round(gap_months, 1) as gap_months, status, accepted, reason "
            "from marts.crossings where benchmark_id = ? and open_scope = ? order by threshold",
            [found[0][0], args.scope],
        )
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    render(columns, rows, args.format, max_cell=240)  # the reason is the point here
    return 0


def configure_gaps(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--history", metavar="SERIES", help="how the estimate of one series moved, run by run"
    )
    _add_format(parser)


def _gap_history(args: argparse.Namespace) -> int:
    with _read_only(args) as con:
        cursor = con.execute(
            "select as_of, run_id, strftime(latest_date, '%Y-%m-%d') as at, "
            "round(gap_months, 1) as gap_months, round(ci_low, 1) as ci_low, "
            "round(ci_high, 1) as ci_high, n_points as points, n_pending as pending "
            "from marts.gap_history where series = ? order by as_of, run_id",
            [args.history],
        )
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
        if not rows:
            known = [
                r[0]
                for r in con.execute(
                    "select distinct series from marts.gap_history order by 1"
                ).fetchall()
            ]
            raise UsageError(f"no history for series {args.history!r}; known: {', '.join(known)}")
    render(columns, rows, args.format)
    return 0


def alerts(args: argparse.Namespace) -> int:
    """List alerts: gaps open models closed, gaps closed models opened, new open bests.

    Example:
        gapwatch alerts
        gapwatch alerts --since 2026-04-01 --undelivered
        gapwatch alerts --json
    """
    since = parse_as_of(args.since) if args.since else None
    with _read_only(args) as con:
        cursor = con.execute(
            "select as_of, kind, message, "
            "coalesce(strftime(delivered_at, '%Y-%m-%d %H:%M'), 'not yet: ' || "
            "coalesce(delivery_error, 'pending')) as delivered "
            "from marts.alerts where (? is null or as_of >= ?) "
            "and (not ? or delivered_at is null) order by raised_at, alert_id",
            [since, since, args.undelivered],
        )
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    render(columns, rows, args.format, max_cell=200)
    return 0


def configure_alerts(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", help="only alerts of runs as of this date or later (YYYY-MM-DD)")
    parser.add_argument("--undelivered", action="store_true", help="only alerts not yet delivered")
    _add_format(parser)


def configure_crossings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("benchmark", help="a benchmark id or name, e.g. gpqa_diamond")
    parser.add_argument(
        "--scope",
        choices=("all", "chinese"),
        default="all",
        help="which open models count: all, or only Chinese ones (default: all)",
    )
    _add_format(parser)


def _add_format(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--csv", dest="format", action="store_const", const="csv", help="CSV output")
    group.add_argument(
        "--json", dest="format", action="store_const", const="json", help="JSON output"
    )
    parser.set_defaults(format="table")


def _read_only(args: argparse.Namespace) -> Any:
    import duckdb

    settings = settings_from(args)
    path = settings.database
    if not path.exists():
        raise UsageError(
            f"no warehouse at {path}; run 'gapwatch refresh' (or 'gapwatch demo') first"
        )
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise UsageError(f"cannot open {path} read-only: {error}") from error


def _no_options(parser: argparse.ArgumentParser) -> None:
    return None


Handler = Callable[[argparse.Namespace], int]
COMMANDS: list[tuple[str, Handler, Callable[[argparse.ArgumentParser], None]]] = [
    ("refresh", refresh, configure_refresh),
    ("sql", sql, configure_sql),
    ("models", models, configure_models),
    ("status", status, _no_options),
    ("gaps", gaps, configure_gaps),
    ("crossings", crossings, configure_crossings),
    ("alerts", alerts, configure_alerts),
    ("demo", demo, configure_demo),
]
