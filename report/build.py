"""Build the report: read the marts, draw every figure, write the page (see report/__init__)."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from report import figures, timeline
from report.data import ReportData, load
from report.page import TABLES_DIR, page, write_tables
from report.render import Rendered, render
from warehouse.where import Warehouse

PAGE_NAME = "report.html"
FIGURE_DIR = "figures"

MAX_WORKERS = 4

__all__ = ["FIGURE_DIR", "PAGE_NAME", "ReportFiles", "write_report"]

Job = Callable[[], figures.Panel]
Output = Rendered | figures.Notice


@dataclass(frozen=True)
class ReportFiles:
    """What write_report wrote: the page and the PNG of every drawn figure."""

    html: Path
    pngs: tuple[Path, ...]
    csvs: tuple[Path, ...] = ()


def write_report(
    database: Warehouse | Path,
    out: Path,
    workers: int | None = None,
    png: bool = False,
    data: ReportData | None = None,
) -> ReportFiles:
    """Read the warehouse read-only; write out/report.html, its tables as out/tables/*.csv and,
    with png, out/figures/*.png.

    workers: processes that draw figures side by side, this one included (default: one per
    core, at most 4); 1 draws everything in this process, with no fork.
    data: the warehouse as report.data.load read it already (the CLI reads it through the
    connection it checked the warehouse with); by default it is read here.
    """
    data = load(database) if data is None else data
    out.mkdir(parents=True, exist_ok=True)
    figures_dir = out / FIGURE_DIR
    _PNG[:] = [png]
    drawn = draw_all(data, figures_dir, default_workers() if workers is None else workers)
    csvs = write_tables(data, out / TABLES_DIR)
    html = out / PAGE_NAME
    temporary = out / f".{PAGE_NAME}.{os.getpid()}.tmp"
    temporary.write_text(page(data, drawn, FIGURE_DIR), encoding="utf-8")
    os.replace(temporary, html)
    pngs = tuple(f.png for f in drawn.values() if isinstance(f, Rendered) and f.png is not None)
    keep = {p.name for p in pngs}
    if figures_dir.is_dir():
        for stale in figures_dir.glob("*.png"):  # figures an earlier report drew, gone now
            if stale.name not in keep:
                stale.unlink()
    return ReportFiles(html=html, pngs=pngs, csvs=csvs)


def default_workers() -> int:
    """One drawing process per available core, at most MAX_WORKERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def jobs(data: ReportData) -> dict[str, Job]:
    """Every figure of the page, in page order, as a call that draws it (or its notice)."""
    if data.missing_marts:
        return {}
    colours = figures.benchmark_colours(
        pd.concat([data.benchmark_points("all"), data.benchmark_points("chinese")])
    )
    planned: dict[str, Job] = {
        "gap-over-time": partial(figures.gap_over_time, data, colours),
        "gap-by-category": partial(figures.gap_by_category, data, colours),
        "gap-chinese": partial(figures.chinese_gap, data, colours),
    }
    crossed = set(data.crossings["benchmark_id"])
    # timelines for the core catalog (the 17 tracked benchmarks and ECI); the other sources'
    # metrics are summed up in the headline table (gapwatch crossings shows any of them)
    core = data.benchmarks[data.benchmarks["is_core"].astype(bool)]
    for benchmark in core["benchmark_id"]:
        if benchmark in crossed:
            planned[f"timeline-{benchmark}"] = partial(timeline.delay_timeline, data, benchmark)
    if not set(core["benchmark_id"]) <= crossed:
        planned["timeline-none"] = partial(timeline.uncrossed_benchmarks, data)
    planned["frontier-lag"] = partial(figures.frontier_lag, data)
    return planned


# the jobs of the current draw_all, read by forked workers (inherited, never pickled)
_JOBS: dict[str, Job] = {}
_FIGURES_DIR: list[Path] = []
_PNG: list[bool] = [False]  # whether this write_report also writes PNGs


def draw_all(data: ReportData, figures_dir: Path, workers: int = 1) -> dict[str, Output]:
    """Draw every figure and render it to SVG text and a PNG file, in page order.

    Drawing text is most of a report's time and every figure is independent, so with
    workers > 1 this process and workers - 1 forked ones draw them side by side (fork: the
    data is inherited, not copied through pickles). Without fork, or with one worker, they
    are drawn here.
    """
    planned = jobs(data)
    with cycle_collection_paused():
        return _draw(data, planned, figures_dir, workers)


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector off while figures are drawn, one collection after.

    Drawing makes hundreds of thousands of objects, many in reference cycles (an artist
    points at its figure and back), so the collector ran every few hundred allocations and
    walked the long-lived pandas and matplotlib objects each time: a third of the drawing
    CPU. Paused, the figures' garbage (some 16 MiB for a real night) waits for the one
    collection at the end; forked workers inherit the pause and exit without collecting.
    A caller that had the collector off already owns it: nothing is collected here (the
    `gapwatch report` command, which exits right after, freezes what is left instead).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect()


def _draw(
    data: ReportData, planned: dict[str, Job], figures_dir: Path, workers: int
) -> dict[str, Output]:
    if workers <= 1 or len(planned) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return {name: _output(job(), figures_dir) for name, job in planned.items()}
    _JOBS.clear()
    _JOBS.update(planned)
    _FIGURES_DIR[:] = [figures_dir]
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers - 1, mp_context=context) as pool:
            # the biggest figures first, so no worker is left with a long one at the end
            order = sorted(planned, key=lambda name: -_expected_cost(data, name))
            futures = {name: pool.submit(_draw_in_worker, name) for name in order}
            done = dict(_draw_unstarted(order, futures, figures_dir))
            done.update((name, futures[name].result()) for name in order if name not in done)
    finally:
        _JOBS.clear()
    return {name: done[name] for name in planned}


def _draw_unstarted(
    order: list[str], futures: dict[str, Future[Output]], figures_dir: Path
) -> Iterator[tuple[str, Output]]:
    """This process draws too, from the small end of the queue, while the workers take the
    big end: a job it can still cancel is its own, and once one cannot be cancelled the
    workers have started it and every job before it. Idle otherwise, this process would
    leave a core to a fork that costs CPU of its own (its copied pages, its own measuring).
    """
    for name in reversed(order):
        if not futures[name].cancel():
            return
        yield name, _output(_JOBS[name](), figures_dir)


def _draw_in_worker(name: str) -> Output:
    return _output(_JOBS[name](), _FIGURES_DIR[0])


def _output(panel: figures.Panel, figures_dir: Path) -> Output:
    if isinstance(panel, figures.Drawn):
        return render(panel, figures_dir, png=_PNG[0])
    return panel


def _expected_cost(data: ReportData, name: str) -> float:
    """Rough drawing cost: the gap charts and the lag chart are big; a timeline grows by row."""
    if name == "timeline-none":
        return 0.0
    if name.startswith("timeline-"):
        benchmark = name.removeprefix("timeline-")
        return float((data.crossings["benchmark_id"] == benchmark).sum()) / 10
    return {"gap-by-category": 6.0, "frontier-lag": 5.0}.get(name, 4.0)
