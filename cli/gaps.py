"""The commands that read the gap analysis: gaps, crossings, alerts."""

from __future__ import annotations

import argparse

from cli.common import UsageError, add_format, parse_as_of, read_only
from cli.output import render


def gaps(args: argparse.Namespace) -> int:
    """Print how far behind open models are now, per series, with the 90% band.

    Each series (all, public, private, one per category, chinese, eci) shows the latest
    smoothed gap in months, its band (a bootstrap that resamples open-model releases), the
    range when any one benchmark or any one release is left out, how many accepted datapoints
    and releases stand behind it, the median wait of thresholds no open model has reached yet
    (a lower bound on the forward-looking gap), and the benchmark or release that moves the
    estimate most when left out.

    Each source is its own opinion: Epoch's hub by default, --from another source, or
    --by-source for every source side by side (the same benchmark seen through two sources,
    e.g. GPQA via Epoch and via Artificial Analysis, can then be compared).

    Example:
        gapwatch gaps
        gapwatch gaps --by-source
        gapwatch gaps --from artificial_analysis --json
        gapwatch gaps --history all
    """
    if args.history:
        return _gap_history(args)
    if args.by_source:
        return _gaps_by_source(args)
    query = (
        "select series, strftime(latest_date, '%Y-%m-%d') as at, "
        "round(gap_months, 1) as gap_months, "
        "'[' || round(ci_low, 1) || ', ' || round(ci_high, 1) || ']' as band_90, "
        "'[' || round(least(loo_benchmark_min, loo_release_min), 1) || ', ' "
        "|| round(greatest(loo_benchmark_max, loo_release_max), 1) || ']' as leave_one_out, "
        "n_points as points, n_releases as releases, n_pending as pending, "
        "round(median_months_pending, 1) as median_months_pending, "
        "most_influential "
        "from marts.gap_summary where source = ?"
    )
    with read_only(args) as con:
        cursor = con.execute(query, [args.from_source])
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
        as_of = con.execute("select max(as_of) from marts.gap_summary").fetchall()[0][0]
        if not rows:
            known = [
                r[0]
                for r in con.execute(
                    "select distinct source from marts.gap_summary order by 1"
                ).fetchall()
            ]
            raise UsageError(
                f"no gap series from {args.from_source!r}; sources: {', '.join(known)}"
            )
    if args.format == "table":
        print(
            f"Gap between open-weight and closed models per {args.from_source}, "
            f"as of {as_of:%Y-%m-%d} (months):"
        )
        if args.from_source == "artificial_analysis":
            print("Data provided by Artificial Analysis (https://artificialanalysis.ai)")
    render(columns, rows, args.format)
    return 0


def _gaps_by_source(args: argparse.Namespace) -> int:
    """One row per series, one column per source: 'gap [low, high] n=points'."""
    with read_only(args) as con:
        sources = [
            r[0]
            for r in con.execute(
                "select distinct source from marts.gap_summary order by source <> 'epoch', source"
            ).fetchall()
        ]
        cells = con.execute(
            "select series, source, case when gap_months is null then "
            "'- (n=' || n_points || ')' else round(gap_months, 1) || ' [' || round(ci_low, 1) "
            "|| ', ' || round(ci_high, 1) || '] n=' || n_points end "
            "from marts.gap_summary"
        ).fetchall()
    order: list[str] = []
    table: dict[str, dict[str, str]] = {}
    for series, source, text in cells:
        if series not in table:
            order.append(series)
            table[series] = {}
        table[series][source] = text
    rows = [[series, *(table[series].get(s, "") for s in sources)] for series in order]
    if args.format == "table":
        print("Gap now in months [90% band] n=datapoints, per series and source:")
        if "artificial_analysis" in sources:
            print("Data provided by Artificial Analysis (https://artificialanalysis.ai)")
    render(["series", *sources], rows, args.format)
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
    with read_only(args) as con:
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
        "--from",
        dest="from_source",
        default="epoch",
        metavar="SOURCE",
        help="whose evidence: epoch (default), artificial_analysis, weirdml, metr, ...",
    )
    parser.add_argument(
        "--by-source", action="store_true", help="every source side by side, one column each"
    )
    parser.add_argument(
        "--history", metavar="SERIES", help="how the estimate of one series moved, run by run"
    )
    add_format(parser)


def _gap_history(args: argparse.Namespace) -> int:
    with read_only(args) as con:
        cursor = con.execute(
            "select as_of, run_id, strftime(latest_date, '%Y-%m-%d') as at, "
            "round(gap_months, 1) as gap_months, round(ci_low, 1) as ci_low, "
            "round(ci_high, 1) as ci_high, n_points as points, n_pending as pending "
            "from marts.gap_history where series = ? and source = ? order by as_of, run_id",
            [args.history, args.from_source],
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
    with read_only(args) as con:
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
    add_format(parser)


def configure_crossings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("benchmark", help="a benchmark id or name, e.g. gpqa_diamond")
    parser.add_argument(
        "--scope",
        choices=("all", "chinese"),
        default="all",
        help="which open models count: all, or only Chinese ones (default: all)",
    )
    add_format(parser)
