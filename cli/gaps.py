"""The commands that read the gap analysis: gaps, crossings, alerts."""

from __future__ import annotations

import argparse
import difflib
import textwrap
from typing import Any

from cli.common import UsageError, add_format, parse_as_of, read_only
from cli.output import WIDTH, table, write_rows
from extractors import PRIMARY_SOURCE, SOURCE_NAMES, required_credits
from warehouse.queries import query

# the age past which an estimate is called stale (report.facts.STALE_DAYS, kept in step by a
# test: importing report.facts here would load pandas for every `gapwatch gaps`)
STALE_DAYS = 90


def did_you_mean(given: str, known: list[str]) -> str:
    """ "; did you mean 'x'?" for the closest known names (by spelling, or containing it)."""
    lowered = {k.lower(): k for k in known}
    close = [lowered[c] for c in difflib.get_close_matches(given.lower(), lowered, n=3)]
    containing = [k for k in known if given.lower() in k.lower() and k not in close]
    options = (containing + close)[:3]
    if not options:
        return ""
    return "; did you mean " + " or ".join(f"'{o}'" for o in options) + "?"


def headline_sentences(con: Any, source: str) -> list[str]:
    """The report's headline, from the same marts and the same code."""
    from report.facts import headline

    return headline(con, source).sentences()


def gaps(args: argparse.Namespace) -> int:
    """Print how far behind open models are now, per series, with the 90% band.

    Each series (all, public, private, one per category, chinese, eci, and confident: the
    all points whose crossers are at least 90% likely above the threshold given their
    published standard errors) shows the latest
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
        gapwatch gaps --lag
    """
    if args.history:
        return _gap_history(args)
    if getattr(args, "lag", False):
        from cli.lag import lag_lines

        return lag_lines(args)
    if args.by_source:
        return _gaps_by_source(args)
    with read_only(args) as con:
        cursor = con.execute(
            query("cli", "gaps_series"), {"stale_days": STALE_DAYS, "source": args.from_source}
        )
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
                f"no gap series from {args.from_source!r}{did_you_mean(args.from_source, known)}"
                f"; sources: {', '.join(known)}"
            )
        sentences = headline_sentences(con, args.from_source) if args.format == "table" else []
    if args.format == "table":
        for sentence in sentences:
            print(textwrap.fill(sentence, WIDTH))
        print()
        print(
            f"Gap between open-weight and closed models per {args.from_source}, "
            f"as of {as_of:%Y-%m-%d} (months):"
        )
        for line in required_credits({args.from_source}):
            print(line)
    write_rows(columns, rows, args.format, wide=args.wide)
    if args.format == "table" and any(str(r[1]).endswith("*") for r in rows):
        print(f"* stale: the estimate is more than {STALE_DAYS} days older than the as-of date")
    return 0


def _gaps_by_source(args: argparse.Namespace) -> int:
    """One row per series, one column per source: 'gap [low, high] n=points'."""
    with read_only(args) as con:
        sources = [
            r[0]
            for r in con.execute(
                "select distinct source from marts.gap_summary order by source <> ?, source",
                [PRIMARY_SOURCE],
            ).fetchall()
        ]
        cells = con.execute(query("cli", "gaps_by_source_cells")).fetchall()
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
        for line in required_credits(set(sources)):
            print(line)
    write_rows(["series", *sources], rows, args.format, wide=args.wide)
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
            hint = did_you_mean(args.benchmark, known)
            raise UsageError(
                f"no benchmark {args.benchmark!r}"
                + (
                    hint
                    or f"; {len(known)} benchmarks have crossings: see 'gapwatch sql "
                    '"select benchmark_id, name from marts.benchmarks"\''
                )
            )
        cursor = con.execute(
            query("cli", "gaps_crossings"),
            {"benchmark_id": found[0][0], "open_scope": args.scope},
        )
        columns = [d[0] for d in cursor.description or []][:-1]
        fetched = cursor.fetchall()
        lineage = lineage_line(con, found[0][0])
    rows = [row[:-1] for row in fetched]
    if lineage and args.format == "table":
        print(lineage)
    if args.format != "table" or args.wide:
        write_rows(columns, rows, args.format, wide=args.wide)
        return 0
    # a person reading: thresholds in the benchmark's units, and each reason whole, wrapped
    # on its own line under its row, so the table fits 100 columns and no reason is cut
    compact = [
        (_threshold(r[0], scale), r[1], r[2], r[3], r[4], r[5], _verdict(r[6], r[7]))
        for *r, scale in fetched
    ]
    lines = table(
        ["threshold", "closed_model", "closed", "open_model", "open", "gap_months", "verdict"],
        compact,
        width=WIDTH,
    ).splitlines()
    out = lines[:2]
    for line, row in zip(lines[2:], rows, strict=False):
        out.append(line)
        out.extend(
            textwrap.wrap(str(row[8]), WIDTH, initial_indent="    ", subsequent_indent="    ")
        )
    out.extend(lines[2 + len(rows) :])
    print("\n".join(out))
    return 0


def _threshold(value: float, scale: str | None) -> str:
    if scale == "fraction":
        return f"{value * 100:.4g}%"
    if scale == "minutes":
        return f"{value:.4g} min"
    return f"{value:.4g}"


def _verdict(status: str, accepted: bool) -> str:
    if status == "pending":
        return "pending"
    return "accepted" if accepted else "rejected"


def lineage_line(con: Any, benchmark_id: str) -> str | None:
    """One sentence naming a benchmark's versions and the current one, when it has several."""
    versions = con.execute(query("cli", "gaps_lineage"), {"benchmark_id": benchmark_id}).fetchall()
    if len(versions) < 2:
        return None
    listed = ", ".join(
        f"{bid} (v{version}{', current' if current else ''})"
        for bid, _, version, current in versions
    )
    this = next(v for v in versions if v[0] == benchmark_id)
    note = (
        "this is the current version"
        if this[3]
        else "this version's crossings stay as they were; new ones happen on the current version"
    )
    return f"{this[1]}: lineage {listed}; {note}. Versions are never merged into one series."


def configure_gaps(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="from_source",
        default=PRIMARY_SOURCE,
        metavar="SOURCE",
        help=f"whose evidence: {', '.join(SOURCE_NAMES)} (default {PRIMARY_SOURCE})",
    )
    parser.add_argument(
        "--by-source", action="store_true", help="every source side by side, one column each"
    )
    parser.add_argument(
        "--history", metavar="SERIES", help="how the estimate of one series moved, run by run"
    )
    parser.add_argument(
        "--lag",
        action="store_true",
        help="the frontier-lag lines (Epoch, AA metrics, each AA index version) and zero dates",
    )
    add_format(parser)


def _gap_history(args: argparse.Namespace) -> int:
    with read_only(args) as con:
        cursor = con.execute(
            query("cli", "gaps_history"), {"series": args.history, "source": args.from_source}
        )
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
        if not rows:
            known = [
                r[0]
                for r in con.execute(
                    "select distinct series from history.gap_history order by 1"
                ).fetchall()
            ]
            raise UsageError(
                f"no history for series {args.history!r}{did_you_mean(args.history, known)}; "
                f"known: {', '.join(known)}"
            )
    write_rows(columns, rows, args.format, wide=args.wide)
    return 0


def alerts(args: argparse.Namespace) -> int:
    """List alert events: gaps open models closed, thresholds only closed models reached, new bests.

    Alerts are grouped into events: one per night, kind, model and benchmark, with the range
    of thresholds and gaps, the model's release date, whether the datapoint is accepted, and
    the truthful delivery status ('log only' when no channel is configured). gap_closed
    events come first. --each lists the individual alerts instead.

    Example:
        gapwatch alerts
        gapwatch alerts --since 2026-04-01 --undelivered
        gapwatch alerts --each --json
    """
    since = parse_as_of(args.since) if args.since else None
    with read_only(args) as con:
        if args.each:
            cursor = con.execute(
                query("cli", "alerts_each"), {"since": since, "undelivered": args.undelivered}
            )
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
            write_rows(columns, rows, args.format, max_cell=200, wide=args.wide)
            return 0
        from report.facts import alert_events

        events = alert_events(con, since)
    if args.undelivered:
        events = events[events["delivery"].str.startswith("not delivered")]
    if args.format == "table" and not args.wide:
        events = events[COMPACT_EVENT_COLUMNS]
    rows = [tuple(_plain(v) for v in row) for row in events.itertuples(index=False)]
    write_rows(list(events.columns), rows, args.format, wide=args.wide)
    return 0


# what fits 100 columns; --wide adds scopes, the alert count and the release date in full
COMPACT_EVENT_COLUMNS = [
    "as_of",
    "kind",
    "benchmark",
    "model",
    "thresholds",
    "gap_months",
    "accepted",
    "delivery",
]


def _plain(value: Any) -> Any:
    """pandas values as the printer expects them: dates as dates, missing as None."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def changes(args: argparse.Namespace) -> int:
    """What the newest night changed: gaps closed, thresholds opened, new bests, the headline.

    Compares the newest recorded night with the one before it (history.gap_history and the
    night's alerts, grouped into events like 'gapwatch alerts').

    Example:
        gapwatch changes
        gapwatch changes --json
    """
    from report.facts import changes as night_changes

    with read_only(args) as con:
        found = night_changes(con)
    events = found.events
    rows = [tuple(_plain(v) for v in row) for row in events.itertuples(index=False)]
    if args.format == "json":
        import json

        record = {
            "night": found.night.isoformat() if found.night else None,
            "previous_night": found.previous.isoformat() if found.previous else None,
            "gap_before": found.gap_before,
            "gap_now": found.gap_now,
            "pending_before": found.pending_before,
            "pending_now": found.pending_now,
            "summary": found.sentences(),
            "events": [
                {
                    c: (str(v) if v is not None and not isinstance(v, int | float) else v)
                    for c, v in zip(events.columns, row, strict=True)
                }
                for row in rows
            ],
        }
        print(json.dumps(record, indent=2, ensure_ascii=False))
        return 0
    if args.format == "table":
        for sentence in found.sentences():
            print(textwrap.fill(sentence, WIDTH))
        if not rows:
            return 0
        print()
    write_rows(list(events.columns), rows, args.format, wide=args.wide)
    return 0


def configure_alerts(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", help="only alerts of runs as of this date or later (YYYY-MM-DD)")
    parser.add_argument("--undelivered", action="store_true", help="only alerts not yet delivered")
    parser.add_argument(
        "--each", action="store_true", help="one row per alert instead of one per event"
    )
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
