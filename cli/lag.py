"""gapwatch gaps --lag: the frontier-lag lines, and what they say about a gap reaching zero.

The question people asked of Artificial Analysis's Intelligence Index in mid-2026 was whether
a straight line through its open-closed lag would reach zero by a given day. The answer is
only as good as the AA nights loaded: a day after the newest night is not observed, so the
sentence says what the fitted line and its interval allow, and says that it is a projection.
"""

from __future__ import annotations

import argparse
import textwrap
from datetime import date
from typing import Any

from cli.common import read_only
from cli.output import WIDTH, write_rows
from extractors import PRIMARY_SOURCE
from warehouse.queries import query

COLUMNS = (
    "source",
    "scope",
    "statistic",
    "fit",
    "months",
    "slope_per_year",
    "last_lag",
    "zero_lag",
)


def _day(value: Any) -> str:
    return "never" if value is None else f"{value:%Y-%m-%d}"


def _round(value: Any) -> str:
    return "-" if value is None else f"{value:+.2f}"


def zero_by(row: dict[str, Any], as_of: date) -> str:
    """One sentence: did this line's lag reach zero by `as_of`, as far as the data show?"""
    name = f"{row['source']} {row['scope']}"
    fit_end, last = row["fit_end"], row["last_lag_months"]
    if fit_end is None:
        return f"{name}: too few months to fit a line."
    seen = f"{name}: the newest month in the data ends {_day(fit_end)}, lag {last:.1f} months"
    if fit_end >= as_of:
        verdict = "zero" if last == 0 else "not zero"
        return f"{seen}: observed on {as_of:%Y-%m-%d}, the lag is {verdict}."
    line = (
        f"the straight line ({row['months_in_fit']} months) moves "
        f"{_round(row['slope_months_per_year'])} months a year "
        f"[{_round(row['slope_ci_low'])}, {_round(row['slope_ci_high'])}]"
    )
    extrapolated, low, high = (
        row["extrapolated_zero_date"],
        row["zero_lag_date_low"],
        row["zero_lag_date_high"],
    )
    if extrapolated is None:
        return (
            f"{seen}. Nothing after it is loaded, so {as_of:%Y-%m-%d} is not observed; {line} "
            f"and does not fall: the data do not support a zero lag by {as_of:%Y-%m-%d}."
        )
    reach = f"it reaches zero on {_day(extrapolated)} (90% interval {_day(low)} to {_day(high)})"
    if low is not None and low <= as_of:
        support = f"a zero lag by {as_of:%Y-%m-%d} is inside the line's interval"
    else:
        support = (
            f"even the interval's earliest end is after {as_of:%Y-%m-%d}: "
            "the data do not support a zero lag by then"
        )
    return (
        f"{seen}. Nothing after it is loaded, so {as_of:%Y-%m-%d} is not observed; {line}; "
        f"{reach}; {support}."
    )


def lag_lines(args: argparse.Namespace) -> int:
    """Print every frontier-lag line; then, for AA's Intelligence Index, the zero-lag answer."""
    with read_only(args) as con:
        cursor = con.execute(query("cli", "lag_lines"), {"primary_source": PRIMARY_SOURCE})
        names = [d[0] for d in cursor.description or []]
        lines = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        found = con.execute("select max(as_of) from marts.gap_summary").fetchall()
    ends = [line["fit_end"] for line in lines if line["fit_end"] is not None]
    as_of = found[0][0] if found and found[0][0] is not None else max(ends, default=None)
    rows = [
        [
            line["source"],
            line["scope"],
            line["statistic"],
            f"{_day(line['fit_start'])}..{_day(line['fit_end'])}" if line["fit_end"] else "-",
            line["months_in_fit"],
            f"{_round(line['slope_months_per_year'])} "
            f"[{_round(line['slope_ci_low'])}, {_round(line['slope_ci_high'])}]",
            None if line["last_lag_months"] is None else round(line["last_lag_months"], 1),
            _day(line["zero_lag_date"]) if line["zero_lag_date"] else "-",
        ]
        for line in lines
    ]
    if args.format == "table":
        print(f"Frontier lag lines (months the best open score trails), as of {_day(as_of)}:")
    write_rows(COLUMNS, rows, args.format, wide=args.wide)
    if args.format == "table" and as_of is not None:
        for line in lines:
            if str(line["scope"]).startswith("aa_intelligence_index@"):
                print(textwrap.fill(zero_by(line, as_of), WIDTH))
    return 0
