"""marts.gap_trend: the smoothed gap in months over the open models' release dates, per series."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from transforms.method import BANDWIDTH_DAYS, BASE_SEED, GRID_STEP_DAYS, LEVEL, RESAMPLES
from transforms.python.series import Series, all_series
from transforms.python.smoothing import smooth

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
    points = load_points(con)
    frames = [trend(series, series.select(points)) for series in series_list(con)]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty()
    return pd.concat(frames, ignore_index=True)


def series_list(con: duckdb.DuckDBPyConnection) -> list[Series]:
    """The series of every source with a tracked, loaded benchmark (Epoch always)."""
    rows = con.execute(
        "select distinct source, category from marts.benchmarks "
        "where tracked and is_loaded and source is not null"
    ).fetchall()
    categories: dict[str, list[str]] = {"epoch": []}
    for source, category in rows:
        categories.setdefault(str(source), [])
        if category is not None:
            categories[str(source)].append(str(category))
    return all_series(categories)


def load_points(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    points = con.execute(
        "select source, view, open_scope, access, category, benchmark_id, open_model, "
        "open_organization, open_date, gap_months, untested_check, p_above_threshold "
        "from marts.gap_points"
    ).df()
    points["release"] = release_key(points)  # once here, not once per series
    return points


def trend(series: Series, points: pd.DataFrame) -> pd.DataFrame:
    """The smoothed series on a weekly grid from its first to its last datapoint."""
    if points.empty:
        return empty()
    days = _days(points["open_date"])
    grid = np.arange(days.min(), days.max() + 1, GRID_STEP_DAYS, dtype=np.float64)
    rng = np.random.default_rng(BASE_SEED + zlib.crc32(f"{series.source}/{series.name}".encode()))
    result = smooth(
        days,
        points["gap_months"].to_numpy(np.float64),
        grid,
        BANDWIDTH_DAYS,
        RESAMPLES,
        LEVEL,
        rng,
        clusters=release_codes(points),
    )
    frame = pd.DataFrame(
        {
            "source": series.source,
            "series": series.name,
            "date": pd.to_datetime(grid.astype("int64"), unit="D"),
            "gap_months": result.estimate,
            "ci_low": result.low,
            "ci_high": result.high,
            "n_eff": result.n_eff,
            "n_points": len(points),
        }
    )
    return frame.astype(COLUMNS)


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
