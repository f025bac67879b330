"""intermediate.int_frontier_lag_trend (published as marts.frontier_lag_trend): straight lines
through the monthly frontier lag, fitted only where enough benchmarks report, with a bootstrap
interval over benchmarks for the slope.

Early months carry one or two benchmarks sitting at lag 0 (an open model with no dated closed
counterpart); fitting through them manufactures a trend. So a month enters a fit only when at
least `min_benchmarks` benchmarks have a lag in it, and a fixed-panel variant keeps the same
benchmarks over the whole window. A zero-lag date is given only when the slope's interval lies
entirely below zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from transforms import method

NAME = "int_frontier_lag_trend"
LAYER = "intermediate"
# what build() reads: the runner orders the models by it
READS = (
    "intermediate.int_frontier_lag",
    "intermediate.int_aa_lag_trend",
    "staging.stg_seeds__sources",
)
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
    "extrapolated_zero_date": "date",
    "zero_lag_date_low": "date",
    "zero_lag_date_high": "date",
    "zero_lag_note": "varchar",
    "last_lag_months": "double",
}
DATES = (
    "fit_start",
    "fit_end",
    "zero_lag_date",
    "extrapolated_zero_date",
    "zero_lag_date_low",
    "zero_lag_date_high",
)
# Artificial Analysis's lines (intermediate.int_aa_lag_trend), appended to Epoch's
AA_SQL = "select * from intermediate.int_aa_lag_trend"
EPOCH = pd.Timestamp("1970-01-01")


@dataclass(frozen=True)
class Panel:
    """Lag per benchmark (rows) and month (columns), NaN where a benchmark has no value."""

    benchmarks: list[str]
    months: pd.DatetimeIndex
    lags: np.ndarray


@dataclass(frozen=True)
class Inputs:
    """What the lines are fitted from, read from the warehouse by load()."""

    lags: pd.DataFrame  # benchmark_id, month_end, lag_months
    registry: str  # the lag is measured on the registry's scores: its rows carry its name
    aa_lines: pd.DataFrame | None  # intermediate.int_aa_lag_trend, when it exists


def build(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> pd.DataFrame:
    return compute(load(con, params), params)


def load(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> Inputs:
    lags = con.execute(
        "select benchmark_id, month_end, lag_months from intermediate.int_frontier_lag"
    ).df()
    [(registry,)] = con.execute(
        "select source from staging.stg_seeds__sources as sources where role = 'registry'"
    ).fetchall()
    aa_lines = (
        con.execute(AA_SQL).df()
        if "int_aa_lag_trend" in set(con.execute("show tables from intermediate").df()["name"])
        else None
    )
    return Inputs(lags, str(registry), aa_lines)


def compute(inputs: Inputs, params: Mapping[str, Any]) -> pd.DataFrame:
    """The fits and their bootstrap, without the connection (the runner runs it on a worker
    thread while the connection builds other tables)."""
    minimum = int(params.get("frontier_lag_min_benchmarks", method.FRONTIER_LAG_MIN_BENCHMARKS))
    rows = [
        row
        for scope, panel in scopes(pivot(inputs.lags), minimum)
        for row in fits(inputs.registry, scope, panel)
    ]
    frames = [frame(rows)]
    if inputs.aa_lines is not None:
        frames.append(frame(inputs.aa_lines.to_dict("records")))
    return pd.concat([f for f in frames if not f.empty] or frames[:1], ignore_index=True)


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows of this mart as a typed frame (dates as dates, also when empty)."""
    out = pd.DataFrame(rows, columns=list(SCHEMA))
    return out.astype({column: "datetime64[s]" for column in DATES})


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
    statistics = (("mean", nanmean), ("median", nanmedian))
    # all-NaN months of a resample are expected (NaN): they drop out of its fit
    with np.errstate(all="ignore"):
        replicates = resampled_statistics(panel, picks, statistics, len(years))
        lines = {
            statistic: reduce(panel.lags, axis=0) if len(years) else np.array([])
            for statistic, reduce in statistics
        }
    return [
        line_row(
            source,
            scope,
            statistic,
            k,
            panel.months,
            years,
            lines[statistic],
            replicates[statistic],
        )
        for statistic, _ in statistics
    ]


# resampled panels are gathered and reduced this many at a time: a block stays in the cache
# (2,000 panels at once is some 20 MB on the 2026-04-19 bundle, and took twice as long); each
# panel's numbers are the same either way
RESAMPLE_BLOCK = 256


def resampled_statistics(
    panel: Panel,
    picks: np.ndarray | None,
    statistics: tuple[tuple[str, Any], ...],
    months: int,
) -> dict[str, np.ndarray]:
    """Each statistic of every resampled panel (the benchmarks `picks` names, one resample a
    row), one row per resample and a column per month."""
    if picks is None or not months:
        return {statistic: np.empty((0, months)) for statistic, _ in statistics}
    parts: dict[str, list[np.ndarray]] = {statistic: [] for statistic, _ in statistics}
    for start in range(0, len(picks), RESAMPLE_BLOCK):
        resampled = panel.lags[picks[start : start + RESAMPLE_BLOCK]]
        for statistic, reduce in statistics:
            parts[statistic].append(reduce(resampled, axis=1))
    return {statistic: np.concatenate(blocks) for statistic, blocks in parts.items()}


def nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    """np.nanmean along one axis, the same numbers (its steps: NaN replaced by 0 in a copy of
    the same layout, summed, divided by the count), without its warning for an all-NaN slice
    (NaN there): numpy warns through the warnings module, whose filters are process-wide and
    not safe to change while the build computes on a second thread."""
    missing = np.isnan(values)
    filled = np.array(values, copy=True)
    np.copyto(filled, 0.0, where=missing)
    count = np.sum(~missing, axis=axis, dtype=np.intp)
    total = np.sum(filled, axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 is the NaN of an empty slice
        mean: np.ndarray = np.true_divide(total, count)
    return mean


def nanmedian(values: np.ndarray, axis: int) -> np.ndarray:
    """np.nanmedian along one axis, by sorting (NaN sort last) and averaging the middle pair:
    the same numbers, without numpy's masked-array path (ten times slower on the resamples).
    The axis is moved last and made contiguous first: sorting along a strided axis is slower."""
    # a copy, also when the moved axis is already contiguous (a column-major panel): the sort
    # is in place and must not reorder the caller's array
    ordered = np.moveaxis(values, axis, -1).copy(order="C")
    ordered.sort(axis=-1)
    count = (~np.isnan(ordered)).sum(axis=-1, keepdims=True)
    low = np.take_along_axis(ordered, np.maximum((count - 1) // 2, 0), axis=-1)
    high = np.take_along_axis(ordered, np.maximum(count // 2, 0), axis=-1)
    middle = np.where(count > 0, (low + high) / 2, np.nan)
    return np.squeeze(middle, axis=-1)


def line_row(
    source: str,
    scope: str,
    statistic: str,
    k: int,
    months: pd.DatetimeIndex,
    years: np.ndarray,
    line: np.ndarray,
    replicates: np.ndarray,
) -> dict[str, Any]:
    """One row of the mart: the line through `line` (lag per month, years since 1970), its
    slope interval and zero-lag date interval from `replicates` (one resampled line per row)."""
    slope, intercept, r2 = least_squares(years, line)
    slopes, intercepts = least_squares_many(years, replicates, with_intercepts=True)
    low, high = (
        np.nanquantile(slopes, [(1 - method.LEVEL) / 2, 1 - (1 - method.LEVEL) / 2])
        if np.isfinite(slopes).any()
        else (np.nan, np.nan)
    )
    zero, note = zero_lag(slope, intercept, high)
    # the line's own zero crossing whatever its interval, and the resampled lines' interval
    extrapolated = (
        EPOCH + pd.Timedelta(days=round(-intercept / slope * 365.25))
        if np.isfinite(slope) and slope < 0
        else pd.NaT
    )
    zero_low, zero_high = (
        zero_lag_interval(slopes, intercepts) if not pd.isna(extrapolated) else (pd.NaT, pd.NaT)
    )
    observed = line[np.isfinite(line)] if len(line) else line
    return {
        "source": source,
        "scope": scope,
        "statistic": statistic,
        "benchmarks": k,
        "fit_start": months.min() if len(years) else pd.NaT,
        "fit_end": months.max() if len(years) else pd.NaT,
        "months_in_fit": len(years),
        "months": len(years),
        "slope_months_per_year": slope,
        "slope_ci_low": low,
        "slope_ci_high": high,
        "intercept_months": intercept,
        "r_squared": r2,
        "zero_lag_date": zero,
        "extrapolated_zero_date": extrapolated,
        "zero_lag_date_low": zero_low,
        "zero_lag_date_high": zero_high,
        "zero_lag_note": note,
        "last_lag_months": float(observed[-1]) if len(observed) else np.nan,
    }


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    keep = np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(x) < 2 or np.ptp(x) == 0:
        return np.nan, np.nan, np.nan
    slope, intercept = np.polyfit(x, y, 1)
    total = ((y - y.mean()) ** 2).sum()
    residual = ((y - (slope * x + intercept)) ** 2).sum()
    return float(slope), float(intercept), float(1 - residual / total) if total else np.nan


def least_squares_many(x: np.ndarray, ys: np.ndarray, with_intercepts: bool = False) -> Any:
    """The slope of each row of ys against x, ignoring NaN cells, in one vectorized pass (and
    the intercepts, when asked)."""
    if ys.size == 0:
        return (np.array([np.nan]), np.array([np.nan])) if with_intercepts else np.array([np.nan])
    w = np.isfinite(ys).astype(np.float64)
    y = np.where(w > 0, ys, 0.0)
    n = w.sum(axis=1)
    sx, sy = w @ x, y.sum(axis=1)
    sxx, sxy = w @ (x * x), y @ x
    with np.errstate(all="ignore"):
        slopes = np.where(n >= 2, (n * sxy - sx * sy) / (n * sxx - sx * sx), np.nan)
        intercepts = np.where(n >= 2, (sy - slopes * sx) / n, np.nan)
    return (slopes, intercepts) if with_intercepts else slopes


def zero_lag_interval(slopes: np.ndarray, intercepts: np.ndarray) -> tuple[Any, Any]:
    """The LEVEL interval of the resampled lines' zero crossings; a line that does not fall
    never reaches zero (+inf), so a high end past every finite crossing is NULL."""
    fitted = np.isfinite(slopes) & np.isfinite(intercepts)
    if not fitted.any():
        return pd.NaT, pd.NaT
    with np.errstate(all="ignore"):
        years = np.where(slopes[fitted] < 0, -intercepts[fitted] / slopes[fitted], np.inf)
    # "lower"/"higher" pick replicate values, so an infinite one never meets interpolation
    low = np.quantile(years, (1 - method.LEVEL) / 2, method="lower")
    high = np.quantile(years, 1 - (1 - method.LEVEL) / 2, method="higher")

    def day(value: float) -> Any:
        return EPOCH + pd.Timedelta(days=round(value * 365.25)) if np.isfinite(value) else pd.NaT

    return day(low), day(high)


def zero_lag(slope: float, intercept: float, ci_high: float) -> tuple[Any, str | None]:
    if not np.isfinite(slope):
        return pd.NaT, "too few months to fit a line"
    if not (np.isfinite(ci_high) and ci_high < 0):
        return pd.NaT, (
            f"the slope's {method.LEVEL:.0%} interval reaches zero or above: no zero-lag date"
        )
    return EPOCH + pd.Timedelta(days=round(-intercept / slope * 365.25)), None
