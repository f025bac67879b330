"""Kernel smoothing and its bootstrap band, checked against a plain loop and known cases."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tests.transforms.tiny import Model, build
from transforms.python import smoothing
from transforms.python.frontier_lag_trend import nanmedian
from transforms.python.gap_trend import trend
from transforms.python.series import Series
from transforms.python.smoothing import gaussian_weights, percentiles, resampled_ratios, smooth
from transforms.runner import default_python_models, run_models


def test_estimate_is_the_kernel_weighted_mean() -> None:
    x = np.array([0.0, 30.0, 90.0])
    y = np.array([2.0, 4.0, 10.0])
    result = smooth(x, y, np.array([30.0]), 60.0, 0, 0.9, np.random.default_rng(0))
    w = np.exp(-0.5 * ((30.0 - x) / 60.0) ** 2)
    assert result.estimate[0] == pytest.approx((w * y).sum() / w.sum())
    assert result.n_eff[0] == pytest.approx(w.sum() ** 2 / (w**2).sum())


def test_vectorized_bootstrap_equals_a_plain_loop_over_resamples() -> None:
    rng_points = np.random.default_rng(7)
    x = np.sort(rng_points.uniform(0, 400, 25))
    y = rng_points.normal(6, 2, 25)
    grid = np.arange(0, 401, 7.0)
    result = smooth(x, y, grid, 60.0, 300, 0.9, np.random.default_rng(11))
    # the same draws, one resample at a time
    counts = np.random.default_rng(11).multinomial(25, np.full(25, 1 / 25), size=300)
    weights = gaussian_weights(x, grid, 60.0)
    replicates = np.array([(weights * (c * y)).sum(1) / (weights * c).sum(1) for c in counts])
    low, high = np.nanquantile(replicates, [0.05, 0.95], axis=0)
    ok = ~np.isnan(result.estimate)
    assert np.allclose(result.low[ok], low[ok]) and np.allclose(result.high[ok], high[ok])


def test_constant_gap_gives_a_flat_trend_and_a_collapsed_band() -> None:
    x = np.array([0.0, 10.0, 20.0, 30.0])
    result = smooth(
        x, np.full(4, 5.0), np.array([0.0, 15.0, 30.0]), 60.0, 200, 0.9, np.random.default_rng(1)
    )
    assert np.allclose(result.estimate, 5.0)
    assert np.allclose(result.low, 5.0) and np.allclose(result.high, 5.0)


def test_thin_grid_points_are_left_empty() -> None:
    # two points a year apart: between them the effective sample drops under 2
    x = np.array([0.0, 365.0])
    result = smooth(
        x,
        np.array([3.0, 9.0]),
        np.array([0.0, 182.0, 365.0]),
        60.0,
        100,
        0.9,
        np.random.default_rng(2),
    )
    assert np.isnan(result.estimate).all()
    assert (result.n_eff < 2).all()


def test_series_trend_is_seeded_and_reproducible() -> None:
    points = pd.DataFrame(
        {
            "view": "benchmark",
            "open_scope": "all",
            "access": "public",
            "category": "math",
            "open_date": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-02-11", "2024-03-01"]),
            "gap_months": [4.0, 6.0, 5.0, 7.0],
        }
    )
    first, second = trend(Series("all", "epoch"), points), trend(Series("all", "epoch"), points)
    pd.testing.assert_frame_equal(first, second)
    assert first["date"].iloc[0] == pd.Timestamp("2024-01-01")
    assert (first["date"].diff().dropna() == pd.Timedelta(days=7)).all()
    assert (first["ci_low"] <= first["gap_months"]).all()
    assert (first["gap_months"] <= first["ci_high"]).all()


def test_frontier_lag_by_hand() -> None:
    con = build(
        [
            Model("closed-a", "2024-01-15", False, 0.6),
            Model("closed-b", "2024-06-10", False, 0.8),
            Model("open-x", "2024-03-20", True, 0.55),
            Model("open-y", "2024-09-05", True, 0.7),
        ],
        as_of=date(2024, 10, 31),
    )
    # one benchmark: every month counts when the minimum is one
    run_models(
        con,
        [
            "intermediate.int_frontier_lag",
            "intermediate.int_frontier_lag_trend",
            "frontier_lag_monthly",
            "frontier_lag",
            "frontier_lag_trend",
        ],
        {"as_of": date(2024, 10, 31), "frontier_lag_min_benchmarks": 1},
        python_models={"int_frontier_lag_trend": default_python_models()["int_frontier_lag_trend"]},
    )
    lags = dict(con.execute("select month_end, lag_months from marts.frontier_lag").fetchall())
    assert min(lags) == date(2024, 3, 31) and max(lags) == date(2024, 10, 31)
    assert lags[date(2024, 3, 31)] == pytest.approx(
        (date(2024, 3, 31) - date(2024, 1, 15)).days / 30.4375
    )
    assert lags[date(2024, 9, 30)] == pytest.approx(
        (date(2024, 9, 30) - date(2024, 6, 10)).days / 30.4375
    )
    slope = con.execute(
        "select slope_months_per_year from marts.frontier_lag_trend "
        "where scope = 'all' and statistic = 'mean'"
    ).fetchall()[0][0]
    months = sorted(lags)
    years = np.array([(m - date(1970, 1, 1)).days / 365.25 for m in months])
    expected = np.polyfit(years, np.array([lags[m] for m in months]), 1)[0]
    assert slope == pytest.approx(expected)


def test_open_leading_month_has_zero_lag() -> None:
    con = build(
        [Model("open-x", "2024-01-10", True, 0.9), Model("closed-a", "2024-02-10", False, 0.5)],
        as_of=date(2024, 2, 29),
    )
    run_models(
        con,
        ["intermediate.int_frontier_lag", "frontier_lag"],
        {"as_of": date(2024, 2, 29)},
        python_models={},
    )
    rows = con.execute(
        "select month_end, lag_months, open_leads from marts.frontier_lag"
    ).fetchall()
    assert rows == [(date(2024, 1, 31), 0.0, True), (date(2024, 2, 29), 0.0, True)]


def test_cluster_bootstrap_resamples_releases_whole() -> None:
    """Two releases of three crossings each (made-up values 1 and 3), all at one date: drawing
    releases gives all-1 or all-3 a quarter of the time each, so the 90% band is exactly [1, 3];
    drawing points independently almost never does."""
    x = np.zeros(6)
    y = np.array([1.0, 1.0, 1.0, 3.0, 3.0, 3.0])
    grid = np.array([0.0])
    clustered = smooth(
        x, y, grid, 60.0, 4000, 0.9, np.random.default_rng(1), clusters=np.array([0, 0, 0, 1, 1, 1])
    )
    points = smooth(x, y, grid, 60.0, 4000, 0.9, np.random.default_rng(1))
    assert clustered.estimate[0] == pytest.approx(2.0)
    assert (clustered.low[0], clustered.high[0]) == (1.0, 3.0)
    assert 1.0 < points.low[0] < points.high[0] < 3.0


def test_leave_one_out_by_hand() -> None:
    """Made-up points at one date (equal weights, estimate 8): leaving benchmark a out moves
    the estimate most (to 11)."""
    from transforms.python.gap_summary import leave_one_out

    points = pd.DataFrame(
        {
            "benchmark_id": ["a", "a", "b", "c"],
            "open_model": ["m1", "m2", "m2", "m3"],
            "open_organization": ["Org1", "Org2", "Org2", "Org3"],
            "open_date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-01", "2025-01-01"]),
            "gap_months": [4.0, 6.0, 14.0, 8.0],
        }
    )
    out = leave_one_out(points, pd.Timestamp("2025-01-01"))
    # equal weights (one date): plain means of what is left
    assert out["loo_benchmark_min"] == pytest.approx((4 + 6 + 8) / 3)
    assert out["loo_benchmark_max"] == pytest.approx((14 + 8) / 2)
    assert out["loo_release_min"] == pytest.approx((4 + 8) / 2)  # Org2's release (6 and 14) out
    assert out["loo_release_max"] == pytest.approx((6 + 14 + 8) / 3)
    assert out["most_influential"] == f"benchmark a: {(14 + 8) / 2 - 8:+.1f}"


def test_clustered_bootstrap_equals_a_plain_loop_over_resamples() -> None:
    """Points summed per release before the product: the same replicates as spreading each
    resample's release counts to its points (made-up points, eight releases)."""
    rng_points = np.random.default_rng(5)
    x = np.sort(rng_points.uniform(0, 300, 30))
    y = rng_points.normal(5, 2, 30)
    clusters = rng_points.integers(0, 8, 30)
    clusters = np.unique(clusters, return_inverse=True)[1].astype(np.int64)
    grid = np.arange(0, 301, 7.0)
    result = smooth(x, y, grid, 60.0, 400, 0.9, np.random.default_rng(3), clusters=clusters)
    n = int(clusters.max()) + 1
    drawn = np.random.default_rng(3).multinomial(n, np.full(n, 1 / n), size=400)
    weights = gaussian_weights(x, grid, 60.0)
    replicates = []
    for counts in drawn:
        c = counts[clusters]
        replicates.append((weights * (c * y)).sum(1) / (weights * c).sum(1))
    low, high = np.nanquantile(np.array(replicates), [0.05, 0.95], axis=0)
    ok = ~np.isnan(result.estimate)
    assert np.allclose(result.low[ok], low[ok]) and np.allclose(result.high[ok], high[ok])


def test_blocked_products_equal_one_product_bit_for_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    sums = rng.random((9, 40))
    sums[:, [3, 20 + 3]] = 0.0  # a grid point no cluster weighs: every resample's ratio is NaN
    drawn = rng.multinomial(9, np.full(9, 1 / 9), size=1000)
    # blocks of 48 resamples (the last one 40): 21 products instead of one
    monkeypatch.setattr(smoothing, "SINGLE_THREAD_PRODUCT", 9 * 40 * 50)
    replicates, clean = resampled_ratios(drawn, sums)
    with np.errstate(invalid="ignore", divide="ignore"):
        one = drawn.astype(np.float64) @ sums
        expected = (one[:, :20] / one[:, 20:]).T
    assert not clean and replicates.shape == (20, 1000)
    assert np.array_equal(replicates, expected, equal_nan=True)
    assert np.isnan(replicates[3]).all() and not np.isnan(np.delete(replicates, 3, 0)).any()


def test_percentiles_match_numpy_with_and_without_gaps() -> None:
    # one row per grid point, its resamples along the row
    values = np.random.default_rng(9).normal(size=(6, 501))
    values[4, 3] = np.nan  # a row with a resample that had no weight there
    values[5, :] = np.nan  # a row with none at all
    low, high = percentiles(values.copy(), 0.05, 0.95)
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expected = np.nanquantile(values, [0.05, 0.95], axis=1)
    assert np.allclose(low[:5], expected[0][:5]) and np.allclose(high[:5], expected[1][:5])
    assert np.isnan(low[5]) and np.isnan(high[5])


def test_nanmedian_matches_numpy() -> None:
    values = np.random.default_rng(4).normal(size=(50, 7, 9))
    values[np.random.default_rng(5).random(values.shape) < 0.4] = np.nan
    values[:, :, 0] = np.nan
    for axis in (0, 1):
        with pytest.warns(RuntimeWarning):
            expected = np.nanmedian(values, axis=axis)
        got = nanmedian(values, axis)
        assert np.array_equal(np.isnan(got), np.isnan(expected))
        assert np.allclose(got[~np.isnan(got)], expected[~np.isnan(expected)])
