"""Nadaraya-Watson kernel smoothing with a bootstrap band, vectorized over grid and resamples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Smoothed:
    """Estimate, band and effective sample size at each grid point (NaN where n_eff < min)."""

    estimate: Floats
    low: Floats
    high: Floats
    n_eff: Floats


def gaussian_weights(x: Floats, grid: Floats, bandwidth: float) -> Floats:
    """Kernel weight of each point (columns) at each grid position (rows)."""
    return np.exp(-0.5 * ((grid[:, None] - x[None, :]) / bandwidth) ** 2)


def smooth(
    x: Floats,
    y: Floats,
    grid: Floats,
    bandwidth: float,
    resamples: int,
    level: float,
    rng: np.random.Generator,
    min_n_eff: float = 2.0,
    clusters: NDArray[np.int64] | None = None,
) -> Smoothed:
    """Smooth y over x at grid, with a percentile bootstrap band over resampled clusters.

    Points of one cluster (one open-model release: its crossings are one event, not several
    independent draws) are resampled together; without clusters every point is its own.
    Each resample is a multinomial count vector over the clusters. A resample's estimate is
    (counts @ cluster sums of W * y) / (counts @ cluster sums of W): the points are summed per
    cluster once, so all resamples are matrix products over clusters, not over points.
    """
    weights = gaussian_weights(x, grid, bandwidth)
    total = weights.sum(axis=1)
    codes = np.arange(len(x)) if clusters is None else clusters
    n_clusters = int(codes.max()) + 1 if len(codes) else 0
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = weights @ y / total
        n_eff = total**2 / (weights**2).sum(axis=1)
    thin = n_eff < min_n_eff
    low = np.full(len(grid), np.nan)
    high = np.full(len(grid), np.nan)
    if resamples and n_clusters:
        drawn = rng.multinomial(n_clusters, np.full(n_clusters, 1.0 / n_clusters), size=resamples)
        # only grid points that get an estimate need a band
        keep = ~thin
        members = np.zeros((n_clusters, len(x)))
        members[codes, np.arange(len(x))] = 1.0
        kept = weights[keep]
        sums = members @ np.vstack([kept * y[None, :], kept]).T
        replicates, clean = resampled_ratios(drawn, sums)
        clean = clean and bool(np.isfinite(y).all())
        tail = (1.0 - level) / 2.0
        low[keep], high[keep] = percentiles(replicates, tail, 1.0 - tail, known_clean=clean)
    return Smoothed(np.where(thin, np.nan, estimate), low, high, n_eff)


# OpenBLAS runs a product on one thread while rows x inner x columns stays at or below this
# (2^18); above it, it wakes a second thread, which on a shared two-core machine waits for a
# core longer than the product takes
SINGLE_THREAD_PRODUCT = 2**18
# blocks of resamples are a multiple of this many rows: BLAS kernels take 4, 8 or 16 rows at a
# time, so each block starts where a row tile of the one big product starts and every number
# is summed in the same order (a block of 117 rows puts its last row in an edge kernel whose
# sums differ in the last bit)
BLOCK_ROWS = 16


def resampled_ratios(drawn: NDArray[np.int64], sums: Floats) -> tuple[Floats, bool]:
    """Each resample's estimate at each grid point: (counts @ sums of W * y) / (counts @ sums
    of W), as a (grid points x resamples) array, so each grid point's resamples lie contiguous
    for the percentiles; and whether no resample left a grid point without weight (where one
    did, its ratio is NaN).

    The products go in blocks of resamples small enough for BLAS to keep to one thread; each
    block is the same rows of the same product, its numbers equal to one big product's.
    """
    resamples, n_clusters = drawn.shape
    width = sums.shape[1] // 2
    counts = drawn.astype(np.float64)
    fits = SINGLE_THREAD_PRODUCT // max(1, n_clusters * sums.shape[1])
    block = max(1, fits // BLOCK_ROWS) * BLOCK_ROWS
    replicates = np.empty((width, resamples))
    products = np.empty((min(block, resamples), sums.shape[1]))
    clean = True
    with np.errstate(invalid="ignore", divide="ignore"):
        for start in range(0, resamples, block):
            stop = min(start + block, resamples)
            part = products[: stop - start]
            np.matmul(counts[start:stop], sums, out=part)
            ratio = np.divide(part[:, :width], part[:, width:])
            # NaN only where a resample puts no weight at a grid point
            empty = part[:, width:] <= 1e-12
            if empty.any():
                ratio[empty] = np.nan
                clean = False
            replicates[:, start:stop] = ratio.T
    return replicates, clean


def select_in_place(rows: Floats, kth: list[int]) -> None:
    """Put each row's order statistics kth (ascending) in place, as np.partition(rows, kth)
    would: one single-k partition per k, each on what lies right of the previous k. numpy's
    partition with several k at once is several times slower on rows of thousands."""
    start = 0
    for k in kth:
        rows[:, start:].partition(k - start, axis=1)
        start = k + 1


def percentiles(replicates: Floats, *quantiles: float, known_clean: bool = False) -> list[Floats]:
    """Per row, numpy's default (linear) quantiles of the row's non-NaN values.

    Selecting just the needed order statistics (np.partition along the contiguous rows) is
    several times faster than np.nanquantile's sort; rows holding a NaN (a resample with no
    weight there) take the NaN-aware path. With `known_clean` (the caller knows there is no
    NaN) the replicates are partitioned in place: no scan for NaNs, no copy.
    """
    n = replicates.shape[1]
    clean = np.ones(replicates.shape[0], dtype=bool)
    if not known_clean:
        clean &= ~np.isnan(replicates).any(axis=1)
    out = [np.full(replicates.shape[0], np.nan) for _ in quantiles]
    if clean.any():
        positions = [(n - 1) * q for q in quantiles]
        below = [int(np.floor(h)) for h in positions]
        kth = sorted({k for b in below for k in (b, min(b + 1, n - 1))})
        ordered = replicates if clean.all() else replicates[clean]
        select_in_place(ordered, kth)
        for result, h, b in zip(out, positions, below, strict=True):
            a, c = ordered[:, b], ordered[:, min(b + 1, n - 1)]
            result[clean] = a + (h - b) * (c - a)
    if not clean.all():
        # an all-NaN row stays NaN; it is left out rather than its warning silenced: the
        # warnings module's filters are process-wide, and the build computes on two threads
        rows = replicates[~clean]
        some = ~np.isnan(rows).all(axis=1)
        dirty = np.full((len(quantiles), len(rows)), np.nan)
        if some.any():
            dirty[:, some] = np.nanquantile(rows[some], list(quantiles), axis=1)
        for result, values in zip(out, dirty, strict=True):
            result[~clean] = values
    return out
