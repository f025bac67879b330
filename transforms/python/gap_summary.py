"""marts.gap_summary: per series the latest smoothed gap, its band, and what is still pending."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from transforms.method import BANDWIDTH_DAYS
from transforms.python.gap_trend import load_points, release_key, series_list
from transforms.python.series import columns
from transforms.python.smoothing import gaussian_weights
from warehouse.queries import query

NAME = "gap_summary"
LAYER = "marts"
# what build() reads: the runner orders the models by it
READS = (
    "intermediate.int_crossings",
    "intermediate.int_benchmarks",
    "intermediate.int_gap_points",
    "intermediate.int_gap_trend",
    "staging.stg_seeds__sources",
)
SCHEMA = {
    "source": "varchar",
    "series": "varchar",
    "view": "varchar",
    "open_scope": "varchar",
    "access": "varchar",
    "category": "varchar",
    "as_of": "date",
    "latest_date": "date",
    "gap_months": "double",
    "ci_low": "double",
    "ci_high": "double",
    "n_points": "bigint",
    "n_releases": "bigint",
    "n_untested_not_run": "bigint",
    "loo_benchmark_min": "double",
    "loo_benchmark_max": "double",
    "loo_release_min": "double",
    "loo_release_max": "double",
    "most_influential": "varchar",
    "n_pending": "bigint",
    "median_months_pending": "double",
}
PENDING_SQL = query("transforms.python", "gap_summary_pending")
LATEST_SQL = query("transforms.python", "gap_summary_latest")


def leave_one_out(points: pd.DataFrame, at: pd.Timestamp | None) -> dict[str, Any]:
    """The estimate at `at` with each benchmark, then each open release, left out: the range,
    and the single benchmark or release whose removal moves it most."""
    return leave_one_out_arrays(
        _days(points["open_date"]) if not points.empty else np.array([]),
        points["gap_months"].to_numpy(np.float64),
        points["benchmark_id"].to_numpy(),
        release_key(points).to_numpy() if not points.empty else np.array([], dtype=object),
        at,
    )


def leave_one_out_arrays(
    days: np.ndarray,
    values: np.ndarray,
    benchmarks: np.ndarray,
    releases: np.ndarray,
    at: pd.Timestamp | None,
) -> dict[str, Any]:
    """leave_one_out() on a series' points as arrays (open release day since 1970, gap months,
    benchmark id, release key): build() takes them out of the frame once for every series."""
    out: dict[str, Any] = {
        "loo_benchmark_min": float("nan"),
        "loo_benchmark_max": float("nan"),
        "loo_release_min": float("nan"),
        "loo_release_max": float("nan"),
        "most_influential": None,
    }
    if at is None or len(days) == 0:
        return out
    target = float((pd.Timestamp(at) - pd.Timestamp("1970-01-01")).days)
    weights = gaussian_weights(days, np.array([target]), BANDWIDTH_DAYS)[0]
    full = float(weights @ values / weights.sum())
    moves: list[tuple[float, str]] = []
    for kind, keys in (("benchmark", benchmarks), ("release", releases)):
        # each key left out at once: (all weighted sums - the key's own) / (all weights - its)
        codes, names = pd.factorize(keys, sort=True)
        own_weight = np.bincount(codes, weights=weights, minlength=len(names))
        own_sum = np.bincount(codes, weights=weights * values, minlength=len(names))
        rest = weights.sum() - own_weight
        usable = rest > 1e-12
        with np.errstate(invalid="ignore", divide="ignore"):
            estimates = ((weights @ values) - own_sum) / rest
        for name, estimate in zip(names[usable], estimates[usable], strict=True):
            moves.append((abs(estimate - full), f"{kind} {name}: {estimate - full:+.1f}"))
        if usable.any():
            out[f"loo_{kind}_min"] = float(estimates[usable].min())
            out[f"loo_{kind}_max"] = float(estimates[usable].max())
    if moves:
        out["most_influential"] = max(moves)[1]
    return out


def _days(dates: pd.Series) -> np.ndarray:
    days: np.ndarray = (pd.to_datetime(dates) - pd.Timestamp("1970-01-01")).dt.days.to_numpy(
        np.float64
    )
    return days


def build(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> pd.DataFrame:
    # each series' latest smoothed date with an estimate (its trend rows run by date)
    latest = {
        (source, series): row
        for source, series, *row in con.execute(LATEST_SQL).df().itertuples(index=False)
    }
    points = load_points(con)
    pending = con.execute(PENDING_SQL).df()
    # the columns every series selects by, out of the frames once
    point_columns, pending_columns = columns(points), columns(pending)
    waiting_months = pending["months_pending"].to_numpy(np.float64)
    untested = points["untested_check"].to_numpy(object, na_value=None)
    releases = points["release"]
    # what leave_one_out reads, out of the frame once for every series
    days = _days(points["open_date"])
    gaps = points["gap_months"].to_numpy(np.float64)
    benchmarks = points["benchmark_id"].to_numpy()
    release_keys = releases.to_numpy()
    rows = []
    for series in series_list(con):
        date, gap, low, high = latest.get(
            (series.source, series.name), (pd.NaT, float("nan"), float("nan"), float("nan"))
        )
        waiting = waiting_months[series.mask(pending_columns)]
        mine = series.mask(point_columns)
        rows.append(
            {
                "source": series.source,
                "series": series.name,
                "view": series.view,
                "open_scope": series.open_scope,
                "access": series.access,
                "category": series.category,
                "as_of": pd.Timestamp(params["as_of"]),
                "latest_date": date,
                "gap_months": gap,
                "ci_low": low,
                "ci_high": high,
                "n_points": int(mine.sum()),
                "n_releases": releases[mine].nunique() if mine.any() else 0,
                # accepted although the untested-model check could not run (no ECI)
                "n_untested_not_run": int((untested[mine] == "not_run").sum()),
                "n_pending": len(waiting),
                "median_months_pending": pd.Series(waiting).median() if len(waiting) else np.nan,
                **leave_one_out_arrays(
                    days[mine],
                    gaps[mine],
                    benchmarks[mine],
                    release_keys[mine],
                    None if pd.isna(date) else date,
                ),
            }
        )
    return pd.DataFrame(rows).astype(
        {
            "as_of": "datetime64[s]",
            "latest_date": "datetime64[s]",
            "access": "str",
            "category": "str",
        }
    )
