"""The intermediate model int_aa_lag_trend: the Doubleword view on Artificial Analysis, as lines
through the model int_aa_frontier_lag (appended to the frontier_lag_trend mart).

- scope `aa_metrics_mean`: the monthly mean lag across AA's plain metrics, fitted over months
  with at least `min_benchmarks` metrics; the slope's interval resamples metrics.
- scope `aa_intelligence_index@<version>`: the AA Intelligence Index's own monthly lag, one
  line per index version (a rescale starts a new version, never one line across it), fitted
  from the first month a closed model had reached the open best. With one series there is
  nothing to resample across, so the interval resamples the models of that version's night
  (with replacement) and recomputes the whole monthly lag from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from transforms import method
from transforms.python.frontier_lag_trend import EPOCH, SCHEMA, fits, frame, line_row, pivot, scopes
from warehouse.queries import query

NAME = "int_aa_lag_trend"
LAYER = "intermediate"
# what build() reads: the runner orders the models by it
READS = (
    "intermediate.int_aa_frontier_lag",
    "intermediate.int_observations_collapsed",
    "staging.stg_raw__batches",
    "staging.stg_raw__fetches",
)
INDEX = "artificial_analysis_intelligence_index"
LAGS_SQL = query("transforms.python", "aa_lag_trend_lags")
# the models of the night a version's lags come from (AA's own flags and release dates)
MODELS_SQL = query("transforms.python", "aa_lag_trend_models")
DAYS_PER_MONTH = 30.4375
__all__ = ["SCHEMA", "build"]


def build(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> pd.DataFrame:
    lags = con.execute(LAGS_SQL).df()
    minimum = int(params.get("frontier_lag_min_benchmarks", method.FRONTIER_LAG_MIN_BENCHMARKS))
    rows: list[dict[str, Any]] = []
    metrics = lags[lags["kind"] == "metric"]
    if not metrics.empty:
        chosen = dict(scopes(pivot(metrics), minimum))
        rows += [
            row
            for row in fits("artificial_analysis", "aa_metrics_mean", chosen["all"])
            if row["statistic"] == "mean"
        ]
    index = lags[lags["metric"] == INDEX]
    for (benchmark_id, version), series in index.groupby(["benchmark_id", "index_version"]):
        night = series["night"].iloc[0]
        models = con.execute(MODELS_SQL, {"metric": benchmark_id, "night": night}).df()
        rows.append(index_row(str(version), series, models))
    return frame(rows)


def index_row(version: str, series: pd.DataFrame, models: pd.DataFrame) -> dict[str, Any]:
    """The line through one index version's monthly lag, with a bootstrap over its models."""
    series = series.sort_values("month_end")
    reached = ~series["open_leads"].to_numpy(bool)
    start = int(np.argmax(reached)) if reached.any() else len(series)
    kept = series.iloc[start:]
    months = pd.DatetimeIndex(pd.to_datetime(kept["month_end"]))
    years = (months - EPOCH).days.to_numpy(np.float64) / 365.25
    line = kept["lag_months"].to_numpy(np.float64)
    rng = np.random.default_rng(method.FRONTIER_LAG_SEED)
    replicates = resampled_lags(models, months, rng, method.FRONTIER_LAG_RESAMPLES)
    return line_row(
        "artificial_analysis",
        f"aa_intelligence_index@{version}",
        "mean",  # of one series: the index's own lag
        1,
        months,
        years,
        line,
        replicates,
    )


def monthly_lag(
    release: np.ndarray, score: np.ndarray, is_open: np.ndarray, month_ends: np.ndarray
) -> np.ndarray:
    """Lag in months at each month-end (days since 1970): the best open score released so far,
    and how long before the month-end the first closed model reached it (0: none had; NaN: no
    open model yet). The same rule as marts.aa_frontier_lag, in numpy."""
    out = np.full(len(month_ends), np.nan)
    if not is_open.any():
        return out
    order = np.argsort(release[is_open], kind="stable")
    open_release = release[is_open][order]
    open_best = np.maximum.accumulate(score[is_open][order])
    upto = np.searchsorted(open_release, month_ends, side="right")
    have = upto > 0
    out[have] = 0.0
    if is_open.all():
        return out
    best = open_best[np.maximum(upto - 1, 0)]
    order = np.argsort(release[~is_open], kind="stable")
    closed_release = release[~is_open][order]
    # the closed frontier so far, in release order: the first model at or above `best`
    closed_best = np.maximum.accumulate(score[~is_open][order])
    first = np.searchsorted(closed_best, best - 1e-9, side="left")
    found = first < len(closed_release)
    reached_day = np.where(found, closed_release[np.minimum(first, len(closed_release) - 1)], 0.0)
    reached = have & found & (reached_day <= month_ends)
    out[reached] = (month_ends[reached] - reached_day[reached]) / DAYS_PER_MONTH
    return out


def resampled_lags(
    models: pd.DataFrame, months: pd.DatetimeIndex, rng: np.random.Generator, resamples: int
) -> np.ndarray:
    """One monthly lag series per resample of the models (drawn with replacement)."""
    if models.empty or not len(months):
        return np.empty((0, len(months)))
    release = (pd.to_datetime(models["release_date"]) - EPOCH).dt.days.to_numpy(np.float64)
    score = models["score"].to_numpy(np.float64)
    is_open = models["is_open"].to_numpy(bool)
    month_ends = (months - EPOCH).days.to_numpy(np.float64)
    picks = rng.integers(0, len(models), size=(resamples, len(models)))
    return np.vstack([monthly_lag(release[p], score[p], is_open[p], month_ends) for p in picks])
