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
    Each resample is a multinomial count vector over the clusters, spread to their points, so
    every resample's estimate is one matrix product: (counts @ (W * y).T) / (counts @ W.T).
    """
    weights = gaussian_weights(x, grid, bandwidth)
    total = weights.sum(axis=1)
    codes = np.arange(len(x)) if clusters is None else clusters
    n_clusters = int(codes.max()) + 1 if len(codes) else 0
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = weights @ y / total
        n_eff = total**2 / (weights**2).sum(axis=1)
        drawn = rng.multinomial(n_clusters, np.full(n_clusters, 1.0 / n_clusters), size=resamples)
        counts = drawn[:, codes]
        numerator = counts @ (weights * y[None, :]).T
        denominator = counts @ weights.T
        replicates = np.where(denominator > 1e-12, numerator / denominator, np.nan)
    tail = (1.0 - level) / 2.0
    if resamples:
        low, high = np.nanquantile(replicates, [tail, 1.0 - tail], axis=0)
    else:
        low = high = np.full(len(grid), np.nan)
    thin = n_eff < min_n_eff
    return Smoothed(
        np.where(thin, np.nan, estimate),
        np.where(thin, np.nan, low),
        np.where(thin, np.nan, high),
        n_eff,
    )
