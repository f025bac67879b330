"""The Doubleword view on Artificial Analysis, on three real AA nights (2026-06-01, and
2026-07-09/10 after AA rescaled its Intelligence Index): every expected lag is recomputed here
from the payload JSON with plain Python loops, never read from gapwatch's output."""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest

from cli.lag import zero_by
from cli.main import main
from pipeline.run import refresh
from tests.warehouse.bundles import make_settings
from transforms import method

NIGHTS = ("2026-06-01", "2026-07-09", "2026-07-10")
INDEX = "artificial_analysis_intelligence_index"


@pytest.fixture(scope="module")
def aa_warehouse(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    payloads = shared_data / "artificial_analysis" / "leaderboard_page_payload"
    settings = make_settings(tmp_path_factory.mktemp("aa-lag") / "data").only("artificial_analysis")
    for night in NIGHTS:
        located = settings.with_location("artificial_analysis", str(payloads / night / "llms.json"))
        assert refresh(located, date.fromisoformat(night)).ok
    return settings.database


@pytest.fixture
def con(aa_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(aa_warehouse), read_only=True) as connection:
        yield connection


def hand_lags(shared_data: Path, night: str, metric: str) -> dict[date, float]:
    """month-end -> lag in months, from the night's payload, by the rule in the README."""
    path = shared_data / "artificial_analysis" / "leaderboard_page_payload" / night / "llms.json"
    models: dict[str, tuple[float, date, bool]] = {}
    for model in json.loads(path.read_text(encoding="utf-8"))["models"]:
        value = (model.get("evaluations") or {}).get(metric)
        weights = model.get("open_weights")
        if not isinstance(value, int | float) or not model.get("release_date"):
            continue
        if not isinstance(weights, dict) or weights.get("is_open_weights") is None:
            continue
        released = date.fromisoformat(model["release_date"])
        best = models.get(model["slug"])
        if best is None or value > best[0]:
            models[model["slug"]] = (float(value), released, bool(weights["is_open_weights"]))
    as_of = date.fromisoformat(night)
    first_open = min(d for _, d, is_open in models.values() if is_open)
    lags: dict[date, float] = {}
    year, month = first_open.year, first_open.month
    while (year, month) <= (as_of.year, as_of.month):
        end = min(date(year, month, calendar.monthrange(year, month)[1]), as_of)
        best_open = max(v for v, d, is_open in models.values() if is_open and d <= end)
        reached = [
            d for v, d, is_open in models.values() if not is_open and d <= end and v >= best_open
        ]
        lags[end] = (end - min(reached)).days / 30.4375 if reached else 0.0
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return lags


def mart_lags(con: duckdb.DuckDBPyConnection, metric_id: str) -> dict[date, float]:
    return dict(
        con.execute(
            "select month_end, lag_months from marts.aa_frontier_lag where metric_id = ?",
            [metric_id],
        ).fetchall()
    )


def test_each_index_version_has_its_own_lag_from_its_own_night(
    con: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    versions = dict(
        con.execute(
            "select distinct metric_id, night from marts.aa_frontier_lag where metric = ?",
            [INDEX],
        ).fetchall()
    )
    # June's scale and July's (a rescale): two versions, each from its newest night
    assert sorted(versions.values()) == [date(2026, 6, 1), date(2026, 7, 10)]
    for metric_id, night in versions.items():
        expected = hand_lags(shared_data, f"{night:%Y-%m-%d}", INDEX)
        got = mart_lags(con, metric_id)
        assert got.keys() == expected.keys()
        assert got == pytest.approx(expected)


def test_the_index_line_per_version_and_its_zero_date_rule(
    con: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    july = hand_lags(shared_data, "2026-07-10", INDEX)
    months = sorted(july)
    # the fit starts at the first month a closed model had reached the best open score
    start = next(m for m in months if july[m] > 0)
    kept = [m for m in months if m >= start]
    years = np.array([(m - date(1970, 1, 1)).days / 365.25 for m in kept])
    slope = np.polyfit(years, [july[m] for m in kept], 1)[0]

    rows = con.execute(
        "select scope, fit_start, fit_end, months_in_fit, slope_months_per_year, slope_ci_low, "
        "slope_ci_high, zero_lag_date, zero_lag_note, last_lag_months "
        "from marts.frontier_lag_trend where source = 'artificial_analysis' "
        "and scope like 'aa_intelligence_index@%' order by fit_end"
    ).fetchall()
    assert len(rows) == 2
    scope, fit_start, fit_end, n, fitted, low, high, zero, note, last = rows[-1]
    assert scope.endswith("@2026-07-09")
    assert (fit_start, fit_end, n) == (start, date(2026, 7, 10), len(kept))
    assert fitted == pytest.approx(slope)
    assert last == pytest.approx(july[months[-1]])
    assert low <= fitted <= high
    assert (zero is None) == (not high < 0) and (zero is None) == (note is not None)


def test_the_mean_across_aa_metrics_is_fitted_where_enough_metrics_report(
    con: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    gpqa = hand_lags(shared_data, "2026-07-10", "gpqa")
    assert mart_lags(con, "artificial_analysis__gpqa") == pytest.approx(gpqa)
    lags = con.execute(
        "select month_end, avg(lag_months), count(*) from marts.aa_frontier_lag "
        "where kind = 'metric' group by month_end order by month_end"
    ).fetchall()
    kept = [(m, mean) for m, mean, k in lags if k >= method.FRONTIER_LAG_MIN_BENCHMARKS]
    years = np.array([(m - date(1970, 1, 1)).days / 365.25 for m, _ in kept])
    slope = np.polyfit(years, [mean for _, mean in kept], 1)[0]
    row = con.execute(
        "select months_in_fit, slope_months_per_year, statistic from marts.frontier_lag_trend "
        "where scope = 'aa_metrics_mean'"
    ).fetchone()
    assert row is not None
    assert row[0] == len(kept) and row[1] == pytest.approx(slope) and row[2] == "mean"


def test_gaps_lag_says_what_the_aa_nights_support(
    aa_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(aa_warehouse.parent), "gaps", "--lag", "--wide"]) == 0
    out = capsys.readouterr().out
    assert "aa_metrics_mean" in out and "aa_intelligence_index@" in out
    assert "observed on 2026-07-10, the lag is not zero" in out


# made-up lines (not data) for the sentence's branches
LINE = {
    "source": "artificial_analysis",
    "scope": "aa_intelligence_index@v",
    "fit_end": date(2026, 7, 10),
    "last_lag_months": 4.2,
    "months_in_fit": 40,
    "slope_months_per_year": -1.5,
    "slope_ci_low": -3.0,
    "slope_ci_high": 0.5,
    "extrapolated_zero_date": date(2029, 5, 1),
    "zero_lag_date_low": date(2027, 6, 1),
    "zero_lag_date_high": None,
}


def test_zero_by_a_day_after_the_newest_night_is_a_projection() -> None:
    text = zero_by(LINE, date(2026, 12, 3))
    assert "2026-12-03 is not observed" in text
    assert "reaches zero on 2029-05-01 (90% interval 2027-06-01 to never)" in text
    assert "the data do not support a zero lag by then" in text
    inside = zero_by({**LINE, "zero_lag_date_low": date(2026, 10, 1)}, date(2026, 12, 3))
    assert "a zero lag by 2026-12-03 is inside the line's interval" in inside
    flat = zero_by({**LINE, "extrapolated_zero_date": None}, date(2026, 12, 3))
    assert "does not fall" in flat


def test_zero_by_a_night_that_is_loaded_is_observed() -> None:
    assert "the lag is not zero" in zero_by(LINE, date(2026, 7, 10))
    assert "the lag is zero" in zero_by({**LINE, "last_lag_months": 0.0}, date(2026, 7, 1))
