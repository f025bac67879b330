"""marts.frontier_lag_trend: straight lines through the monthly frontier lag, fitted only where
enough benchmarks report, with a bootstrap interval over benchmarks for the slope.

Early months carry one or two benchmarks sitting at lag 0 (an open model with no dated closed
counterpart); fitting through them manufactures a trend. So a month enters a fit only when at
least `min_benchmarks` benchmarks have a lag in it, and a fixed-panel variant keeps the same
benchmarks over the whole window. A zero-lag date is given only when the slope's interval lies
entirely below zero.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from transforms import method

SCHEMA = {
    "source": "varchar",
    "scope": "varchar",
    "statistic": "varchar",
    "benchmarks": "bigint",
    "fit_start": "date",
    "fit_end": "date",
    "months_in_fit": "bigint",
    "months": "bigint",
    "slope_months_per_year": "double",
    "slope_ci_low": "double",
    "slope_ci_high": "double",
    "intercept_months": "double",
    "r_squared": "double",
    "zero_lag_date": "date",
    "zero_lag_note": "varchar",
}
EPOCH = pd.Timestamp("1970-01-01")


@dataclass(frozen=True)
class Panel:
    """Lag per benchmark (rows) and month (columns), NaN where a benchmark has no value."""

    benchmarks: list[str]
    months: pd.DatetimeIndex
    lags: np.ndarray


def build(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> pd.DataFrame:
    lags = con.execute("select benchmark_id, month_end, lag_months from marts.frontier_lag").df()
    minimum = int(params.get("frontier_lag_min_benchmarks", method.FRONTIER_LAG_MIN_BENCHMARKS))
    rows = [
        row for scope, panel in scopes(pivot(lags), minimum) for row in fits("epoch", scope, panel)
    ]
    return pd.DataFrame(rows, columns=list(SCHEMA)).astype(
        {"fit_start": "datetime64[s]", "fit_end": "datetime64[s]", "zero_lag_date": "datetime64[s]"}
    )


def pivot(lags: pd.DataFrame) -> Panel:
    table = lags.pivot_table(
        index="benchmark_id", columns="month_end", values="lag_months", aggfunc="first"
    )
    table = table.sort_index(axis=1)
    return Panel(
        [str(b) for b in table.index],
        pd.DatetimeIndex(pd.to_datetime(table.columns)),
        table.to_numpy(np.float64),
    )


def scopes(panel: Panel, minimum: int) -> list[tuple[str, Panel]]:
    """`all`: every month with >= minimum benchmarks; `fixed_panel`: from the first such month,
    only the benchmarks that have a value in every month of the window."""
    if not panel.benchmarks:
        return []
    enough = (~np.isnan(panel.lags)).sum(axis=0) >= minimum
    if not enough.any():
        return [("all", Panel(panel.benchmarks, panel.months[:0], panel.lags[:, :0]))]
    window = np.arange(len(panel.months)) >= np.argmax(enough)
    everywhere = ~np.isnan(panel.lags[:, window]).any(axis=1)
    fixed = Panel(
        [b for b, keep in zip(panel.benchmarks, everywhere, strict=True) if keep],
        panel.months[window],
        panel.lags[everywhere][:, window],
    )
    return [
        ("all", Panel(panel.benchmarks, panel.months[enough], panel.lags[:, enough])),
        ("fixed_panel", fixed),
    ]


def fits(source: str, scope: str, panel: Panel) -> list[dict[str, Any]]:
    years = ((panel.months - EPOCH).days.to_numpy(np.float64)) / 365.25
    rng = np.random.default_rng(method.FRONTIER_LAG_SEED)
    k = len(panel.benchmarks)
    picks = rng.integers(0, k, size=(method.FRONTIER_LAG_RESAMPLES, k)) if k else None
    out = []
    for statistic, reduce in (("mean", np.nanmean), ("median", np.nanmedian)):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            # all-NaN months of a resample are expected; they drop out of its fit
            warnings.simplefilter("ignore", RuntimeWarning)
            line = reduce(panel.lags, axis=0) if len(years) else np.array([])
            replicates = (
                reduce(panel.lags[picks], axis=1)
                if picks is not None and len(years)
                else np.empty((0, len(years)))
            )
        slope, intercept, r2 = least_squares(years, line)
        slopes = least_squares_many(years, replicates)
        low, high = (
            np.nanquantile(slopes, [(1 - method.LEVEL) / 2, 1 - (1 - method.LEVEL) / 2])
            if np.isfinite(slopes).any()
            else (np.nan, np.nan)
        )
        zero, note = zero_lag(slope, intercept, high)
        out.append(
            {
                "source": source,
                "scope": scope,
                "statistic": statistic,
                "benchmarks": k,
                "fit_start": panel.months.min() if len(years) else pd.NaT,
                "fit_end": panel.months.max() if len(years) else pd.NaT,
                "months_in_fit": len(years),
                "months": len(years),
                "slope_months_per_year": slope,
                "slope_ci_low": low,
                "slope_ci_high": high,
                "intercept_months": intercept,
                "r_squared": r2,
                "zero_lag_date": zero,
                "zero_lag_note": note,
            }
        )
    return out


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    keep = np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(x) < 2 or np.ptp(x) == 0:
        return np.nan, np.nan, np.nan
    slope, intercept = np.polyfit(x, y, 1)
    total = ((y - y.mean()) ** 2).sum()
    residual = ((y - (slope * x + intercept)) ** 2).sum()
    return float(slope), float(intercept), float(1 - residual / total) if total else np.nan


def least_squares_many(x: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The slope of each row of ys against x, ignoring NaN cells, in one vectorized pass."""
    if ys.size == 0:
        return np.array([np.nan])
    w = np.isfinite(ys).astype(np.float64)
    y = np.where(w > 0, ys, 0.0)
    n = w.sum(axis=1)
    sx, sy = w @ x, y.sum(axis=1)
    sxx, sxy = w @ (x * x), y @ x
    with np.errstate(all="ignore"):
        return np.where(n >= 2, (n * sxy - sx * sy) / (n * sxx - sx * sx), np.nan)


def zero_lag(slope: float, intercept: float, ci_high: float) -> tuple[Any, str | None]:
    if not np.isfinite(slope):
        return pd.NaT, "too few months to fit a line"
    if not (np.isfinite(ci_high) and ci_high < 0):
        return pd.NaT, (
            f"the slope's {method.LEVEL:.0%} interval reaches zero or above: no zero-lag date"
        )
    return EPOCH + pd.Timedelta(days=round(-intercept / slope * 365.25)), None
