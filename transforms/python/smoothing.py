"""Nadaraya-Watson kernel smoothing with a bootstrap band, vectorized over grid and resamples."""

from __future__ import annotations

import warnings
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
    cluster once, so all resamples are one matrix product over clusters, not over points.
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
        products = drawn.astype(np.float64) @ sums
        width = int(keep.sum())
        numerator, denominator = products[:, :width], products[:, width:]
        with np.errstate(invalid="ignore", divide="ignore"):
            replicates = np.divide(numerator, denominator)
        # NaN only where a resample puts no weight at a grid point (or y holds a NaN)
        clean = bool((denominator > 1e-12).all()) and bool(np.isfinite(y).all())
        if not clean:
            replicates[denominator <= 1e-12] = np.nan
        tail = (1.0 - level) / 2.0
        low[keep], high[keep] = percentiles(replicates, tail, 1.0 - tail, known_clean=clean)
    return Smoothed(np.where(thin, np.nan, estimate), low, high, n_eff)


def percentiles(replicates: Floats, *quantiles: float, known_clean: bool = False) -> list[Floats]:
    """Per column, numpy's default (linear) quantiles of the non-NaN values.

    Selecting just the needed order statistics (np.partition) is several times faster than
    np.nanquantile's sort; columns holding a NaN (a resample with no weight there) take the
    NaN-aware path. With `known_clean` (the caller knows there is no NaN) the replicates are
    partitioned in place: no scan for NaNs, no copy.
    """
    n = replicates.shape[0]
    clean = np.ones(replicates.shape[1], dtype=bool)
    if not known_clean:
        clean &= ~np.isnan(replicates).any(axis=0)
    out = [np.full(replicates.shape[1], np.nan) for _ in quantiles]
    if clean.any():
        positions = [(n - 1) * q for q in quantiles]
        below = [int(np.floor(h)) for h in positions]
        kth = sorted({k for b in below for k in (b, min(b + 1, n - 1))})
        if known_clean:
            replicates.partition(kth, axis=0)
            ordered = replicates
        else:
            ordered = np.partition(replicates[:, clean], kth, axis=0)
        for result, h, b in zip(out, positions, below, strict=True):
            a, c = ordered[b], ordered[min(b + 1, n - 1)]
            result[clean] = a + (h - b) * (c - a)
    if not clean.all():
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column stays NaN
            dirty = np.nanquantile(replicates[:, ~clean], list(quantiles), axis=0)
        for result, values in zip(out, dirty, strict=True):
            result[~clean] = values
    return out
