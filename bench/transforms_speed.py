"""How fast are the transforms, against the arithmetic they cannot avoid?

Builds a warehouse from the 2026-04-19 snapshot once, then times, in-process:
  * every mart (SQL and Python, every band with its full resample count) rebuilt by run_marts,
    and how that time splits on the calling thread (SQL tables, Python models, int_gap_trend's
    reading and writing, waiting for the worker thread, the rest), and beside it what the
    worker thread computed meanwhile (int_gap_trend's and int_frontier_lag_trend's arithmetic);
  * the floor: the smoothing and bootstrap arithmetic alone, done directly with numpy on the
    same arrays (per gap series: kernel weights, release-clustered resample counts, the
    products and the percentiles, laid out as gapwatch lays them), with no SQL, no frames, no
    bookkeeping; beside it the floors of the earlier layouts, to show what the layout saved.
  * the DuckDB floor: every SQL model planned and run once, each reading the others' results as
    tables already there (nothing recomputed, nothing copied twice): what the SQL costs DuckDB
    alone; and the critical path at its floors: the SQL models the gap points need, then the
    numpy floor of the bands, which cannot start before the gap points exist.
Prints medians, the ratio to the 0.15 s budget and the ratio to the floor. Not a test: timings on
a shared machine vary, so nothing asserts.

    python bench/transforms_speed.py [--repeat N] [--top N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from pipeline.run import refresh
from pipeline.settings import Settings
from transforms import runner
from transforms.method import BANDWIDTH_DAYS, GRID_STEP_DAYS, LEVEL, RESAMPLES, sql_params
from transforms.python.gap_trend import load_points, release_codes, series_list
from transforms.runner import (
    declared_python_models,
    default_python_models,
    discover,
    one_thread,
    plan,
    reading_copies,
    run_marts,
    upstream,
)
from warehouse.store import connect_file

PROJECT = Path(__file__).resolve().parent.parent
SNAPSHOT = PROJECT.parent / "shared" / "data" / "epoch" / "2026-04-19" / "benchmark_data"
AS_OF = date(2026, 4, 19)
BUDGET_SECONDS = 0.15


def python_names() -> set[str]:
    return set(default_python_models())


def series_arrays(con: duckdb.DuckDBPyConnection) -> list[tuple[np.ndarray, ...]]:
    """(days, gap months, release codes) of every gap series, as the trend model sees them."""
    points = load_points(con)
    out: list[tuple[np.ndarray, ...]] = []
    for series in series_list(con):
        mine = series.select(points)
        if mine.empty:
            continue
        days = (mine["open_date"] - np.datetime64("1970-01-01")).dt.days.to_numpy(np.float64)
        codes = release_codes(mine)
        assert codes is not None
        out.append((days, mine["gap_months"].to_numpy(np.float64), codes))
    return out


def order_positions() -> tuple[list[float], list[int]]:
    """The two percentile positions of the band and the order statistics they read."""
    tail = (1 - LEVEL) / 2
    positions = [(RESAMPLES - 1) * tail, (RESAMPLES - 1) * (1 - tail)]
    return positions, sorted({k for h in positions for k in (int(h), int(h) + 1)})


def kernel(days: np.ndarray) -> np.ndarray:
    """Gaussian kernel weights of every grid point (rows) on every datapoint (columns)."""
    grid = np.arange(days.min(), days.max() + 1, GRID_STEP_DAYS)
    return np.exp(-0.5 * ((grid[:, None] - days[None, :]) / BANDWIDTH_DAYS) ** 2)


def numpy_floor(arrays: list[tuple[np.ndarray, ...]], rng: np.random.Generator) -> None:
    """The smoothing and cluster bootstrap arithmetic gapwatch does, straight numpy: kernel
    weights, the grid points with n_eff >= 2, the per-release sums, the multinomial counts, the
    products in blocks of rows that BLAS runs on one thread, the ratios laid out one grid point
    per row, two order statistics each."""
    positions, kth = order_positions()
    for days, values, codes in arrays:
        weights = kernel(days)
        total = weights.sum(axis=1)
        kept = weights[total**2 / (weights**2).sum(axis=1) >= 2.0]
        n, width = int(codes.max()) + 1, len(kept)
        members = np.zeros((n, len(days)))
        members[codes, np.arange(len(days))] = 1.0
        sums = members @ np.vstack([kept * values, kept]).T
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=RESAMPLES).astype(np.float64)
        block = max(1, 2**18 // (n * 2 * width) // 16) * 16
        replicates = np.empty((width, RESAMPLES))
        with np.errstate(invalid="ignore", divide="ignore"):
            for start in range(0, RESAMPLES, block):
                products = counts[start : start + block] @ sums
                replicates[:, start : start + block] = (products[:, :width] / products[:, width:]).T
        replicates.partition(kth, axis=1)
        for h in positions:
            low = replicates[:, int(h)]
            low + (h - int(h)) * (replicates[:, int(h) + 1] - low)


def one_product_floor(arrays: list[tuple[np.ndarray, ...]], rng: np.random.Generator) -> None:
    """The floor of the previous layout: every grid point, one product of all resamples (BLAS
    free to wake its second thread), the percentiles down the columns."""
    positions, kth = order_positions()
    for days, values, codes in arrays:
        weights = kernel(days)
        n = int(codes.max()) + 1
        members = np.zeros((n, len(days)))
        members[codes, np.arange(len(days))] = 1.0
        sums = members @ np.vstack([weights * values, weights]).T
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=RESAMPLES).astype(np.float64)
        products = counts @ sums
        replicates = products[:, : len(weights)] / products[:, len(weights) :]
        ordered = np.partition(replicates, kth, axis=0)
        for h in positions:
            ordered[int(h)] + (h - int(h)) * (ordered[int(h) + 1] - ordered[int(h)])


def legacy_floor(arrays: list[tuple[np.ndarray, ...]], rng: np.random.Generator) -> None:
    """The floor as first written: counts spread to points, two products, np.nanquantile."""
    tail = (1 - LEVEL) / 2
    for days, values, codes in arrays:
        weights = kernel(days)
        n = int(codes.max()) + 1
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=RESAMPLES)[:, codes]
        with np.errstate(invalid="ignore", divide="ignore"):
            replicates = (counts @ (weights * values).T) / (counts @ weights.T)
        np.nanquantile(replicates, [tail, 1 - tail], axis=0)


def duckdb_floor(con: duckdb.DuckDBPyConnection, repeat: int) -> dict[str, float]:
    """Seconds of each SQL model (views too), medians, when each is planned and run once into a
    temporary table and reads the others' temporary tables (python models read as the tables
    run_marts left): DuckDB's cost of the SQL with nothing computed twice."""
    models = discover(declared_python_models())
    views, tables = plan()
    params = {**sql_params(), "as_of": AS_OF}
    order = [name for name in (*views, *tables) if models[name].sql is not None]
    copies = {name: "temp.main.floor__" + name.replace(".", "__") for name in order}
    seconds: dict[str, list[float]] = {name: [] for name in order}
    with one_thread(con):  # as run_marts builds them
        for _ in range(repeat + 1):  # the first pass warms the catalog and is not counted
            for name in order:
                model = models[name]
                used = {key: params[key] for key in model.parameters} or None
                sql = reading_copies(model.sql or "", copies)
                start = time.perf_counter()
                con.execute(f"create or replace temp table {copies[name]} as (\n{sql}\n)", used)
                seconds[name].append(time.perf_counter() - start)
    for copy in copies.values():
        con.execute(f"drop table {copy}")
    return {name: statistics.median(times[1:]) for name, times in seconds.items()}


def median_seconds(run: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# how many views the last build computed once (timed_builds fills it)
copied: list[int] = []
# each table's build seconds, one per build (timed_builds fills it)
per_table: dict[str, list[float]] = {}
# the checkpoint after each build, seconds (timed_builds fills it)
checkpoints: list[float] = []
# each split model's compute on the worker thread, seconds, one per build (timed_builds fills it)
on_worker: dict[str, list[float]] = {}


def timed_builds(con: duckdb.DuckDBPyConnection, repeat: int) -> tuple[float, dict[str, float]]:
    """Median seconds of run_marts, and the median of each part of it on the calling thread
    (the parts add up to the total): the SQL tables, the Python models (for a model computed
    on the worker thread: reading its inputs and writing its table), int_gap_trend's share of
    that alone, the time spent waiting for the worker's results, the views computed once into
    temporary tables, or temporary views where a view has one reader (the runner's views_once,
    timed by wrapping it), and the rest (the commit and the runner's bookkeeping). The worker's
    own compute seconds (overlapped with those parts) go to on_worker."""
    python = {f"{m.layer}.{name}" for name, m in default_python_models().items()}
    totals, parts, copying = [], [], []
    unwrapped = runner.views_once
    copied.clear()
    per_table.clear()
    checkpoints.clear()
    on_worker.clear()

    def views_once(*args: Any, **kwargs: Any) -> dict[str, str]:
        start = time.perf_counter()
        copies = unwrapped(*args, **kwargs)
        copying.append(time.perf_counter() - start)
        copied.append(len(copies))
        return copies

    runner.views_once = views_once
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            built = run_marts(con, {"as_of": AS_OF})
            totals.append(time.perf_counter() - start)
            for b in built:
                per_table.setdefault(b.name, []).append(b.seconds)
                if b.background:
                    on_worker.setdefault(b.name, []).append(b.background)
            sql = sum(b.seconds for b in built if b.name not in python)
            waited = sum(b.waited for b in built)
            py = sum(b.seconds - b.waited for b in built if b.name in python)
            gap = sum(b.seconds - b.waited for b in built if b.name == "intermediate.int_gap_trend")
            parts.append(
                {
                    "SQL tables": sql,
                    "Python models but int_gap_trend": py - gap,
                    "int_gap_trend on this thread (reading its inputs, writing its table)": gap,
                    "waiting for the worker thread's results": waited,
                    "views computed once (temporary tables and views)": copying[-1],
                    "commit, dropping the copies, bookkeeping": totals[-1]
                    - sql
                    - py
                    - waited
                    - copying[-1],
                }
            )
    finally:
        runner.views_once = unwrapped
    # not part of the transforms (timed apart, so the builds above are timed as before): the
    # checkpoint a refresh makes before its swap, writing the new tables into the file
    for _ in range(min(3, repeat)):
        run_marts(con, {"as_of": AS_OF})
        start = time.perf_counter()
        con.execute("checkpoint")
        checkpoints.append(time.perf_counter() - start)
    return statistics.median(totals), {
        key: statistics.median(p[key] for p in parts) for key in parts[0]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--top", type=int, default=8, help="how many of the slowest tables")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), sources=("epoch",)).with_location(
            "epoch", str(SNAPSHOT)
        )
        assert refresh(settings, AS_OF).ok
        with connect_file(settings.database) as con:
            transforms, parts = timed_builds(con, args.repeat)
            sql_tables = sum(1 for name in plan()[1] if name.split(".")[1] not in python_names())
            arrays = series_arrays(con)
            per_model = duckdb_floor(con, args.repeat)
        rng = np.random.default_rng(0)
        floor = median_seconds(lambda: numpy_floor(arrays, rng), args.repeat)
        one_product = median_seconds(lambda: one_product_floor(arrays, rng), args.repeat)
        legacy = median_seconds(lambda: legacy_floor(arrays, rng), args.repeat)
    print(
        os.getloadavg() and f"load average {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores"
    )
    print(
        f"every transform, {RESAMPLES} resamples per band: median {transforms:.3f} s "
        f"({transforms / BUDGET_SECONDS:.2f} x the {BUDGET_SECONDS} s budget)"
    )
    print(
        f"numpy floor (smoothing + bootstrap arithmetic only): median {floor:.3f} s; "
        f"transforms / floor = {transforms / floor:.1f}"
    )
    print(
        f"the previous floor (one product, percentiles down columns): median "
        f"{one_product:.3f} s; numpy floor / that floor = {floor / one_product:.2f}"
    )
    print(
        f"the first floor (points not summed per release, np.nanquantile): median "
        f"{legacy:.3f} s; transforms / that floor = {transforms / legacy:.1f}"
    )
    sql_floor = sum(per_model.values())
    points = "intermediate.int_gap_points"
    on_the_way = upstream(discover(declared_python_models()), points) | {points}
    before_points = sum(seconds for name, seconds in per_model.items() if name in on_the_way)
    print(
        f"DuckDB floor: {len(per_model)} SQL models, each planned and run once on the others' "
        f"results: median sum {sql_floor:.3f} s ({sql_floor / BUDGET_SECONDS:.2f} x the budget)"
    )
    print(
        f"the critical path at its floors: the SQL the gap points need {before_points:.3f} s "
        f"(the python models on the way not counted), then the numpy floor {floor:.3f} s: "
        f"{before_points + floor:.3f} s "
        f"({(before_points + floor) / BUDGET_SECONDS:.2f} x the budget)"
    )
    print(
        f"where the transforms' time goes on the calling thread (medians; {sql_tables} SQL "
        f"tables, {copied[-1]} views computed once):"
    )
    for part, seconds in parts.items():
        print(f"  {part}: {seconds:.3f} s ({seconds / floor:.1f} x the floor)")
    print("computed on the worker thread meanwhile (medians, overlapped with the parts above):")
    for name, seconds_list in on_worker.items():
        seconds = statistics.median(seconds_list)
        print(f"  {name}: {seconds:.3f} s ({seconds / floor:.1f} x the floor)")
    print(
        f"not counted above: the checkpoint after the build (a refresh makes it before its "
        f"swap): median {statistics.median(checkpoints):.3f} s"
    )
    slowest = sorted(((statistics.median(s), n) for n, s in per_table.items()), reverse=True)
    print("the slowest tables on the calling thread (medians, waits included):")
    for seconds, name in slowest[: args.top]:
        print(f"  {name}: {seconds:.3f} s")


if __name__ == "__main__":
    main()
