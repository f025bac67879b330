"""intermediate.int_gap_trend (published as marts.gap_trend): the smoothed gap per series."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from transforms.method import BANDWIDTH_DAYS, BASE_SEED, GRID_STEP_DAYS, LEVEL, RESAMPLES
from transforms.python.series import Series, all_series, columns
from transforms.python.smoothing import smooth

NAME = "int_gap_trend"
LAYER = "intermediate"
# what build() reads: the runner orders the models by it
READS = (
    "intermediate.int_benchmarks",
    "intermediate.int_gap_points",
    "staging.stg_seeds__sources",
)
SCHEMA = {
    "source": "varchar",
    "series": "varchar",
    "date": "date",
    "gap_months": "double",
    "ci_low": "double",
    "ci_high": "double",
    "n_eff": "double",
    "n_points": "bigint",
}
COLUMNS = {
    "source": "str",
    "series": "str",
    "date": "datetime64[s]",
    "gap_months": "float64",
    "ci_low": "float64",
    "ci_high": "float64",
    "n_eff": "float64",
    "n_points": "int64",
}


def build(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> pd.DataFrame:
    return compute(load(con, params), params)


def load(
    con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]
) -> tuple[pd.DataFrame, list[Series]]:
    """What the trend reads from the warehouse: the gap points and the series to smooth."""
    return load_points(con), series_list(con)


def compute(inputs: tuple[pd.DataFrame, list[Series]], params: Mapping[str, Any]) -> pd.DataFrame:
    """The smoothing and bootstrap of every series, without the connection (the runner runs
    it on a worker thread while the connection builds other tables)."""
    points, every_series = inputs
    # the columns every series reads, out of the frame once
    selected_by = columns(points)
    days = _days(points["open_date"])
    gaps = points["gap_months"].to_numpy(np.float64)
    releases = points["release"].to_numpy(object)
    parts = []
    for series in every_series:
        mine = series.mask(selected_by)
        if mine.any():
            codes = pd.factorize(releases[mine])[0].astype(np.int64)
            parts.append(trend_arrays(series, days[mine], gaps[mine], codes))
    if not parts:
        return empty()
    # one frame at the end: building a frame per series costs more than its arithmetic
    joined = {c: np.concatenate([np.asarray(p[c]) for p in parts]) for c in COLUMNS}
    return pd.DataFrame(joined).astype(COLUMNS)


def series_list(con: duckdb.DuckDBPyConnection) -> list[Series]:
    """The series of every source with a tracked, loaded benchmark (the registry's always)."""
    rows = con.execute(
        "select distinct source, category from intermediate.int_benchmarks as benchmarks "
        "where tracked and is_loaded and source is not null"
    ).fetchall()
    registries = registry_sources(con)
    categories: dict[str, list[str]] = {source: [] for source in registries}
    for source, category in rows:
        categories.setdefault(str(source), [])
        if category is not None:
            categories[str(source)].append(str(category))
    return all_series(categories, registries)


def registry_sources(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The sources the catalog seed names as the model registry (open/closed status, ECI)."""
    rows = con.execute(
        "select source from staging.stg_seeds__sources as sources where role = 'registry'"
    ).fetchall()
    return frozenset(str(source) for (source,) in rows)


def load_points(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    points = con.execute(
        "select source, view, open_scope, access, category, benchmark_id, open_model, "
        "open_organization, open_date, gap_months, untested_check, p_above_threshold "
        "from intermediate.int_gap_points as gap_points"
    ).df()
    points["release"] = release_key(points)  # once here, not once per series
    return points


def trend(series: Series, points: pd.DataFrame) -> pd.DataFrame:
    """The smoothed series on a weekly grid from its first to its last datapoint."""
    arrays = trend_columns(series, points)
    return empty() if arrays is None else pd.DataFrame(arrays).astype(COLUMNS)


def trend_columns(series: Series, points: pd.DataFrame) -> dict[str, Any] | None:
    """trend()'s columns as arrays (None for a series without points)."""
    if points.empty:
        return None
    return trend_arrays(
        series,
        _days(points["open_date"]),
        points["gap_months"].to_numpy(np.float64),
        release_codes(points),
    )


def trend_arrays(
    series: Series, days: np.ndarray, gaps: np.ndarray, codes: np.ndarray | None
) -> dict[str, Any]:
    """trend()'s columns from a series' points as arrays: open release day (days since 1970),
    gap months, release code per point (None: every point its own release)."""
    grid = np.arange(days.min(), days.max() + 1, GRID_STEP_DAYS, dtype=np.float64)
    rng = np.random.default_rng(BASE_SEED + zlib.crc32(f"{series.source}/{series.name}".encode()))
    result = smooth(days, gaps, grid, BANDWIDTH_DAYS, RESAMPLES, LEVEL, rng, clusters=codes)
    return {
        "source": np.full(len(grid), series.source, dtype=object),
        "series": np.full(len(grid), series.name, dtype=object),
        "date": grid.astype("int64").astype("datetime64[D]").astype("datetime64[s]"),
        "gap_months": result.estimate,
        "ci_low": result.low,
        "ci_high": result.high,
        "n_eff": result.n_eff,
        "n_points": np.full(len(grid), len(days), dtype=np.int64),
    }


def release_key(points: pd.DataFrame) -> pd.Series:
    """One open-model release: the organization's models released on one day (else the model)."""
    if "release" in points:
        return points["release"]
    who = points["open_organization"].fillna(points["open_model"]).astype(str)
    return who + "@" + pd.to_datetime(points["open_date"]).dt.strftime("%Y-%m-%d")


def release_codes(points: pd.DataFrame) -> np.ndarray | None:
    if "open_organization" not in points or "open_model" not in points:
        return None  # a frame without release columns: every point is its own cluster
    codes: np.ndarray = pd.factorize(release_key(points))[0].astype(np.int64)
    return codes


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})


def _days(dates: pd.Series) -> np.ndarray:
    days: np.ndarray = (pd.to_datetime(dates) - pd.Timestamp("1970-01-01")).dt.days.to_numpy(
        np.float64
    )
    return days
