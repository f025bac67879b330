"""The CLI's commands: each a docstring with an example, a configure(), and a handler.

cli/registry.py lists every command; this module is imported for refresh, sql, models,
status and demo, so it imports nothing at the top that `gapwatch sql` does not use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.common import (
    SAMPLE_BUNDLE,
    SAMPLE_WEIRDML,
    UsageError,
    add_format,
    parse_as_of,
    read_only,
    settings_from,
)
from cli.output import write_rows


def refresh(args: argparse.Namespace) -> int:
    """Fetch every source, land it, validate it, rebuild the marts, raise and deliver alerts.

    With a Prefect server configured (PREFECT_API_URL) it runs as the nightly flow on that
    server; without one it runs the same steps directly (no temporary server to start) and
    says so in one line; --no-prefect always runs them directly. A file that fails
    validation is quarantined: the marts keep its last good data and the command exits 1
    naming the source, file and rows. Unchanged payloads are not reloaded. Only one refresh
    runs at a time; readers (gapwatch sql) are never blocked by it.

    Run directly, it does not render the report (the data is what a refresh waits for): it
    says where the last report is; `gapwatch report` writes this night's, or --report
    publishes it with the refresh (reports/<as-of>/ and reports/latest/, as the nightly flow
    does). The Prefect flow always publishes it.

    Exit codes: 0 all refreshed and delivered; 1 a source failed or a file was quarantined;
    2 nothing was done (usage, lock held, unusable warehouse or data dir); 3 refreshed, but
    an alert was not delivered (retried next run); 130/143 interrupted by SIGINT/SIGTERM (the
    warehouse unchanged, the run recorded as interrupted).

    Example:
        gapwatch refresh
        gapwatch refresh --as-of 2026-04-19 \\
            --source epoch=../shared/data/epoch/2026-04-19/benchmark_data
        gapwatch refresh --source epoch=./benchmark_data.zip --data-dir /srv/gapwatch --no-prefect
        gapwatch refresh --report
    """
    from cli.guard import EXIT_PROBLEMS, EXIT_UNDELIVERED, guarded_refresh
    from cli.logs import configure_logging
    from extractors.redact import redact

    settings = settings_from(args)
    as_of = parse_as_of(args.as_of)
    configure_logging(args.quiet)
    with_prefect = _use_prefect(args)
    try:
        with guarded_refresh(settings, as_of, list(settings.sources), preflight=with_prefect):
            if with_prefect:
                problems = _refresh_with_prefect(settings, as_of)
                report_line = _published_line(settings)
            else:
                problems, report_line = _refresh_plain(settings, as_of, args.report)
    except ValueError as error:
        from validation.seed_checks import SeedError  # not imported by a night that reads no seed

        if not isinstance(error, SeedError):
            raise
        raise UsageError(f"a seed file needs fixing, nothing was refreshed: {error}") from error
    undelivered = _print_last_run(settings)
    print(f"  report: {report_line}")
    for line in problems:
        print(f"gapwatch: {redact(line)}", file=sys.stderr)
    if problems:
        print("gapwatch: the marts keep the last good data of what failed", file=sys.stderr)
    if undelivered:
        print(
            f"gapwatch: {undelivered} alert(s) not delivered; they are retried next run "
            "(see 'gapwatch alerts --undelivered')",
            file=sys.stderr,
        )
    if problems:
        return EXIT_PROBLEMS
    return EXIT_UNDELIVERED if undelivered else 0


def _use_prefect(args: argparse.Namespace) -> bool:
    """The Prefect flow where a Prefect server is configured (or asked for); else plain steps.

    A one-off refresh on a machine without a server would spend ten seconds or more starting
    Prefect's temporary one, for a run nobody watches in a UI.
    """
    import os

    if args.no_prefect:
        return False
    if os.environ.get("PREFECT_API_URL") or getattr(args, "with_prefect", False):
        return True
    if not args.quiet:
        print(
            "gapwatch: no Prefect server configured (PREFECT_API_URL unset): "
            "running the steps directly, without Prefect",
            file=sys.stderr,
        )
    return False


def _refresh_plain(settings: Any, as_of: Any, with_report: bool) -> tuple[list[str], str]:
    """The steps without Prefect; the report only when asked. Returns the problems and the
    line that says where the report is."""
    from pipeline.run import refresh as run_refresh

    result = run_refresh(settings, as_of)
    problems: list[str] = result.problems()
    dated = settings.data_dir / "reports" / as_of.isoformat() / "report.html"
    if not result.rebuilt and dated.is_file():
        return problems, f"{dated} (the marts did not change: it stands)"
    if not with_report:
        last = _last_report(settings)
        return problems, (
            "not rendered by the refresh: 'gapwatch report' writes this night's "
            "('gapwatch refresh --report' does both); "
            + (f"the last one is {last}" if last else "none written yet")
        )
    _publish_report(settings, as_of)
    return problems, _published_line(settings)


def _publish_report(settings: Any, as_of: Any) -> None:
    """The same report the nightly flow publishes: reports/<as_of>/ and reports/latest/."""
    import logging

    try:
        from report.publish import publish

        publish(settings.warehouse, settings.data_dir / "reports", as_of, gx_root=settings.data_dir)
    except Exception as error:  # the data is what the night is for; the report is told apart
        logging.getLogger(__name__).error("report: not written (%s)", error)


def _published_line(settings: Any) -> str:
    report = _latest_report(settings)
    return str(report) if report else "not written (see the log above)"


def _latest_report(settings: Any) -> Path | None:
    """The page the last publishing refresh (or nightly flow) wrote, if any."""
    page = settings.data_dir / "reports" / "latest" / "report.html"
    return page if page.is_file() else None


def _last_report(settings: Any) -> Path | None:
    """The report written last under <data dir>/reports/, by a refresh or `gapwatch report`."""
    pages = (settings.data_dir / "reports").glob("*/report.html")
    return max(pages, key=lambda page: page.stat().st_mtime, default=None)


def _refresh_with_prefect(settings: Any, as_of: Any) -> list[str]:
    import os

    saved = dict(os.environ)
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if not _TEARDOWN_REGISTERED:
        import atexit

        # registered before Prefect registers its own exit handlers, so it runs after them
        atexit.register(_quiet_teardown)
        _TEARDOWN_REGISTERED.append(True)
    try:
        from flows.nightly import nightly_refresh

        state = nightly_refresh(as_of=as_of, return_state=True, **flow_parameters(settings))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    if state.is_failed() or state.is_crashed():
        error = state.result(raise_on_failure=False)
        lines = str(error).splitlines()
        return lines[1:] if lines and lines[0].startswith("run ") else lines
    return []


_TEARDOWN_REGISTERED: list[bool] = []


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


def flow_parameters(settings: Any) -> dict[str, Any]:
    """The settings the nightly flow takes as parameters (the rest it reads from the env)."""
    return {
        "sources": list(settings.sources),
        "data_dir": str(settings.data_dir),
        "db_path": str(settings.database),
        "locations": dict(settings.locations),
        "fetch_retry_delays": list(settings.fetch_retry_delays),
        "replay": settings.replay,
    }


def _print_last_run(settings: Any) -> int:
    """Print how the last run ended; returns the alerts some channel has not had yet."""
    from warehouse.health import open_for_reading
    from warehouse.queries import query

    with open_for_reading(settings.warehouse) as con:
        rows = con.execute(query("cli", "last_run_sources")).fetchall()
        marts = con.execute(query("cli", "status_mart_sizes")).fetchall()
        fresh = con.execute(query("cli", "last_run_alerts")).fetchall()[0][0]
        # this night's or an earlier one's: retried next run
        undelivered: int = con.execute(query("cli", "undelivered_alerts")).fetchall()[0][0]
    for source, status, size, count, validation in rows:
        download = f"{size / 1e6:.1f} MB" if size else "no download"
        print(f"{source}: {status} ({download}, {count} rows, validation {validation})")
    print("  " + ", ".join(f"marts.{name} {n}" for name, n in marts))
    print(f"  {fresh} new alert(s); see 'gapwatch alerts'")
    return undelivered


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
    parser.add_argument(
        "--replay",
        action="store_true",
        help="allow an --as-of before the last night refreshed (its data becomes current "
        "again); a replay raises and sends no alerts",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument(
        "--report",
        action="store_true",
        help="also publish the report (reports/<as-of>/ and reports/latest/, as the nightly "
        "flow does); without it a direct refresh renders none and says where the last one is",
    )
    parser.add_argument(
        "--no-prefect",
        action="store_true",
        help="run the steps without Prefect, even with PREFECT_API_URL set",
    )


def sql(args: argparse.Namespace) -> int:
    """Run one SQL query against the warehouse, read-only.

    Exactly one reading statement (SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE,
    EXPLAIN of a SELECT, PRAGMA table_info and the other describing pragmas). Anything else
    (COPY, EXPORT, ATTACH, INSTALL, LOAD, SET, several statements...) is refused before it
    runs, and the connection itself can reach no file but the warehouse. To write, use DuckDB.

    Example:
        gapwatch sql "select * from marts.benchmarks where tracked"
        gapwatch sql --csv "select * from marts.benchmark_scores" > scores.csv
        gapwatch sql --json "select count(*) as n from marts.models where is_open"
    """
    import duckdb

    from warehouse.readonly import StatementRefused, check_read_only

    try:
        query = check_read_only(args.query)  # refused before the warehouse is even opened
    except StatementRefused as error:
        raise UsageError(f"refused, nothing was run: {error}") from error
    with read_only(args, reads_history=False) as con:  # any SQL, on any layout
        try:
            cursor = con.execute(query)
        except duckdb.Error as error:
            raise UsageError(f"query failed: {error}") from error
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    write_rows(columns, rows, args.format, wide=args.wide)
    return 0


def configure_sql(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", help='a SQL query, e.g. "select * from marts.models limit 5"')
    add_format(parser)


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
    with read_only(args) as con:
        cursor = con.execute(query, params)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    write_rows(columns, rows, args.format, wide=args.wide)
    return 0


def configure_models(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--unresolved", action="store_true", help="only versions without a status")
    parser.add_argument("--search", help="only versions whose name contains this text")
    add_format(parser)


def status(args: argparse.Namespace) -> int:
    """Show a one-line verdict, data age per source, validation outcomes and mart sizes.

    The verdict says OK, or what needs attention first: a failed source, quarantined files,
    a source whose last good load is behind the newest night.

    Example:
        gapwatch status
        gapwatch status --wide
    """
    from cli.status import data_age, status_report, verdict

    with read_only(args) as con:
        age = data_age(con)
        report = status_report(con)
        # a source whose format changed explains a quiet night: it goes on top
        drift = {title: section for title, section in report.items() if "FORMAT CHANGED" in title}
        sections = {**drift, "data age per source": age, **report}
    print(verdict(age))
    wide = getattr(args, "wide", False)
    for title, (columns, rows) in sections.items():
        print(f"== {title}")
        write_rows(columns, rows, "table", wide=wide)
    return 0


def configure_status(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wide", action="store_true", help="every column, no cell cut (default: fit 100)"
    )


def demo(args: argparse.Namespace) -> int:
    """Run gapwatch end to end, offline, on the small hand-written sample it ships.

    The sample (an Epoch-style bundle and a WeirdML-style leaderboard) is made-up data for
    trying the tool, not real measurements. The demo warehouse goes to ./data/demo unless
    --data-dir or --db say otherwise; it refreshes with --report, so its report is published
    under <data dir>/reports/ (latest/ and the as-of date) like a nightly one.

    Example:
        gapwatch demo
    """
    if args.data_dir is None:
        args.data_dir = Path("data") / "demo"
    args.source = [f"epoch={SAMPLE_BUNDLE}", f"weirdml={SAMPLE_WEIRDML}"]
    args.all_sources = False
    args.as_of = args.as_of or "2026-04-20"
    args.no_prefect = not args.with_prefect  # --with-prefect: the flow, on a temporary server
    args.report = True  # the demo shows everything: its report is published too
    args.wide = False
    from cli.gaps import gaps
    from extractors import PRIMARY_SOURCE

    code = refresh(args)
    print("\nThe sample warehouse (made-up data):")
    status(args)
    args.format, args.history, args.by_source = "table", None, True
    args.from_source = PRIMARY_SOURCE
    print()
    gaps(args)
    settings = settings_from(args)
    where = f"--data-dir {args.data_dir}" if args.db is None else f"--db {args.db}"
    print(
        f"\nThe demo's warehouse: {settings.database}"
        f"\nIts report:           {_latest_report(settings) or '(not written)'}"
        "\nQuery it (every command takes the same option):"
        f"\n  gapwatch gaps {where}"
        f"\n  gapwatch crossings gpqa_diamond {where}"
        f'\n  gapwatch sql {where} "select * from marts.gap_summary"'
    )
    return code


def configure_demo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", help="the as-of date of the demo (default: 2026-04-20)")
    parser.add_argument(
        "--with-prefect", action="store_true", help="run it as the Prefect flow (slower start)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
