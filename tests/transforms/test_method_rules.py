"""The acceptance rules on the real snapshots, each with a case checked by hand from the CSVs.

Expected values are read from the snapshot CSVs and the seed in the test (release dates, blank
scores, version labels, the publisher's baselines), never from gapwatch's own output.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import PROJECT, epoch_dir
from transforms import method


@pytest.fixture(scope="module")
def warehouse(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], duckdb.DuckDBPyConnection]:
    built: dict[str, Path] = {}

    def open_snapshot(snapshot: str) -> duckdb.DuckDBPyConnection:
        if snapshot not in built:
            settings = Settings(
                data_dir=tmp_path_factory.mktemp(f"rules-{snapshot}"), sources=("epoch",)
            ).with_location("epoch", str(epoch_dir(shared_data, snapshot)))
            result = refresh(settings, date.fromisoformat(snapshot))
            assert result.ok, result.problems()
            built[snapshot] = settings.database
        return duckdb.connect(str(built[snapshot]), read_only=True)

    return open_snapshot


def rows(shared_data: Path, snapshot: str, file: str) -> list[dict[str, str]]:
    with open(epoch_dir(shared_data, snapshot) / file, encoding="utf-8-sig") as f:
        return [{k: (v or "").strip() for k, v in r.items() if k} for r in csv.DictReader(f)]


def crossing(con: duckdb.DuckDBPyConnection, crossing_id: str) -> dict[str, object]:
    frame = con.execute("select * from marts.crossings where crossing_id = ?", [crossing_id]).df()
    assert len(frame) == 1, crossing_id
    return dict(frame.iloc[0])


def test_a_model_with_a_blank_headline_score_was_evaluated(
    warehouse: Callable[[str], duckdb.DuckDBPyConnection], shared_data: Path
) -> None:
    """FictionLiveBench 0.35: DeepSeek-V3-0324 has 32k/60k scores and a blank 120k score."""
    by_version = {
        r["Model version"]: r
        for r in rows(shared_data, "2026-04-19", "fictionlivebench_external.csv")
    }
    deepseek = by_version["chutes/DeepSeek-V3-0324"]
    assert deepseek["120k token score"] == "" and deepseek["32k token score"] != ""
    closed = by_version["o1-2024-12-17_medium"]
    opened = by_version["chutes/Llama-4-Maverick-17B-128E-Instruct"]
    expected_days = (
        date.fromisoformat(opened["Release date"]) - date.fromisoformat(closed["Release date"])
    ).days

    with warehouse("2026-04-19") as con:
        row = crossing(con, "fictionlivebench:0.35:all")
    assert row["first_closed_model"] == "o1-2024-12-17_medium"
    assert row["first_open_model"] == "chutes/Llama-4-Maverick-17B-128E-Instruct"
    assert row["accepted"] and row["untested_check"] == "passed"
    assert row["gap_days"] == expected_days
    assert f"gap {expected_days / 30.4375:.1f} months" in str(row["reason"])
    assert "DeepSeek-V3-0324" in str(row["reason"]) and "without a headline score" in str(
        row["reason"]
    )


def test_the_check_that_cannot_run_says_so_and_is_counted(
    warehouse: Callable[[str], duckdb.DuckDBPyConnection], shared_data: Path
) -> None:
    """GSM8K 0.90 on 2025-11-02: the open first crosser has no ECI, so no comparison runs."""
    eci = {
        r["Model version"]: r["ECI Score"]
        for r in rows(shared_data, "2025-11-02", "epoch_capabilities_index.csv")
    }
    gsm8k = {r["Model version"]: r for r in rows(shared_data, "2025-11-02", "gsm8k_external.csv")}
    assert float(gsm8k["DeepSeek-Coder-V2-Instruct"]["EM"]) >= 0.9
    assert eci.get("DeepSeek-Coder-V2-Instruct", "") == ""

    with warehouse("2025-11-02") as con:
        row = crossing(con, "gsm8k:0.9:all")
        not_run = con.execute(
            "select count(*) from marts.gap_points where source = 'epoch' and view = 'benchmark' "
            "and open_scope = 'all' and untested_check = 'not_run'"
        ).fetchone()
        summary = con.execute(
            "select n_untested_not_run from marts.gap_summary "
            "where source = 'epoch' and series = 'all'"
        ).fetchone()
    assert row["first_open_model"] == "DeepSeek-Coder-V2-Instruct"
    # 2025-11-02 ships no IRT calibration: the ECI comparison is the rule
    assert row["untested_rule"] == "eci_margin"
    assert row["untested_check"] == "not_run" and row["accepted"]
    assert "DeepSeek-Coder-V2-Instruct has no ECI" in str(row["untested_note"])
    assert "untested check not_run" in str(row["reason"])
    assert not_run is not None and summary is not None
    assert summary[0] == not_run[0] >= 1


def test_an_eci_difference_inside_the_margin_blocks_nothing(
    warehouse: Callable[[str], duckdb.DuckDBPyConnection], shared_data: Path
) -> None:
    """METR 50 min: Qwen3-235B-A22B-Thinking-2507 was never on METR and is only a hair stronger."""
    eci = {
        r["Model version"]: float(r["ECI Score"])
        for r in rows(shared_data, "2026-04-19", "epoch_capabilities_index.csv")
        if r["ECI Score"]
    }
    on_metr = {
        r["Model version"]
        for r in rows(shared_data, "2026-04-19", "metr_time_horizons_external.csv")
    }
    untested = "Qwen/Qwen3-235B-A22B-Thinking-2507"
    assert untested not in on_metr
    difference = eci[untested] - eci["kimi-k2-thinking"]
    assert 0 < difference < method.UNTESTED_ECI_MARGIN

    with warehouse("2026-04-19") as con:
        row = crossing(con, "metr_time_horizons:50.0:all")
    assert row["first_open_model"] == "kimi-k2-thinking"
    assert row["accepted"] and row["untested_check"] == "passed"


def test_the_irt_calibration_predicts_the_blockers_score(
    warehouse: Callable[[str], duckdb.DuckDBPyConnection], shared_data: Path
) -> None:
    """Terminal-Bench 0.5 on 2026-04-19: GPT-5 Pro was never on Terminal-Bench, and Epoch's
    calibration (difficulty, slope) with its ECI predicts a score above 0.5."""
    calibration = {
        r["benchmark_name"]: r
        for r in rows(
            shared_data,
            "2026-04-19",
            "additional_eci_data/eci_benchmark_difficulties_and_slopes.csv",
        )
    }["Terminal Bench"]
    registry = rows(shared_data, "2026-04-19", "epoch_capabilities_index.csv")
    pro = [r for r in registry if r["Model name"] == "GPT-5 Pro" and r["ECI Score"]]
    on_terminalbench = {
        r["Model version"] for r in rows(shared_data, "2026-04-19", "terminalbench_external.csv")
    }
    assert pro and not {r["Model version"] for r in pro} & on_terminalbench
    eci = max(float(r["ECI Score"]) for r in pro)
    slope, difficulty = float(calibration["estimated_slope_scaled"]), float(calibration["edi"])
    predicted = 1 / (1 + np.exp(-slope * (eci - difficulty)))  # Terminal-Bench's baseline is 0
    assert predicted > 0.5

    with warehouse("2026-04-19") as con:
        row = crossing(con, "terminalbench:0.5:all")
        rules = dict(
            con.execute(
                "select benchmark_id, any_value(untested_rule) from marts.crossings "
                "where status = 'both_crossed' group by benchmark_id"
            ).fetchall()
        )
    assert row["untested_rule"] == "irt_calibration" and row["untested_check"] == "failed"
    assert not row["accepted"]
    assert str(row["untested_blocker"]).startswith("GPT-5 Pro (")
    assert row["untested_blocker_eci"] == pytest.approx(eci)
    assert row["untested_blocker_predicted_score"] == pytest.approx(predicted)
    released = min(date.fromisoformat(r["Release date"]) for r in pro)
    assert pd.Timestamp(released) < row["first_closed_date"]
    # METR is not in the calibration and FictionLiveBench is left unmapped: the ECI margin
    assert rules["metr_time_horizons"] == "eci_margin"
    assert rules["fictionlivebench"] == "eci_margin"
    assert rules["gpqa_diamond"] == "irt_calibration"


def test_metr_versions_are_split_into_benchmarks(
    warehouse: Callable[[str], duckdb.DuckDBPyConnection], shared_data: Path
) -> None:
    """2026-04-19's METR file: rows labelled METR-Horizon-v1.1 and rows with no version."""
    versions: dict[str, set[str]] = {"": set(), "METR-Horizon-v1.1": set()}
    for r in rows(shared_data, "2026-04-19", "metr_time_horizons_external.csv"):
        if r["Model version"] and r["Time horizon"]:
            versions[r["METR version"]].add(r["Model version"])
    assert versions[""] and versions["METR-Horizon-v1.1"]

    with warehouse("2026-04-19") as con:
        loaded = {
            benchmark: set(
                con.execute(
                    "select model_version from marts.benchmark_scores where benchmark_id = ?",
                    [benchmark],
                ).df()["model_version"]
            )
            for benchmark in ("metr_time_horizons", "metr_time_horizons@v1.1")
        }
        catalog = con.execute(
            "select name, tracked, thresholds from marts.benchmarks "
            "where benchmark_id = 'metr_time_horizons@v1.1'"
        ).fetchone()
    assert loaded["metr_time_horizons"] == versions[""]
    assert loaded["metr_time_horizons@v1.1"] == versions["METR-Horizon-v1.1"]
    assert catalog == ("METR Time Horizons @v1.1", True, "2 5 10 20 50 100 200 500 1000")


def test_floors_come_from_the_publishers_numbers(
    warehouse: Callable[[str], duckdb.DuckDBPyConnection],
) -> None:
    """FrontierMath: baseline 0, ceiling 0.57 (seed) -> floor 0.057 keeps 0.05 out; METR: 1 min."""
    with open(PROJECT / "transforms" / "seeds" / "benchmarks.csv") as f:
        seed = {r["benchmark_id"]: r for r in csv.DictReader(f)}
    baseline = float(seed["frontiermath"]["random_baseline"])
    ceiling = float(seed["frontiermath"]["score_ceiling"])
    expected = baseline + method.FLOOR_SHARE_OF_RANGE * (ceiling - baseline)
    assert 0.05 < expected < 0.10

    with warehouse("2026-04-19") as con:
        floors = dict(
            con.execute(
                "select benchmark_id, floor_origin from marts.benchmarks where tracked"
            ).fetchall()
        )
        fm = crossing(con, "frontiermath:0.05:all")
        metr = crossing(con, "metr_time_horizons:2.0:all")
    assert fm["validity_floor"] == pytest.approx(expected)
    assert not fm["accepted"] and str(fm["reason"]).startswith("below the validity floor")
    assert floors["frontiermath"] == "catalog_baseline"
    assert floors["metr_time_horizons"] == "catalog_floor"
    assert metr["validity_floor"] == float(seed["metr_time_horizons"]["validity_floor"])
    assert metr["accepted"]


def first_open_dates(shared_data: Path, snapshot: str) -> dict[str, date]:
    """benchmark -> first release of an open model scored on it, read from the CSVs."""
    registry = {
        r["Model version"]: r for r in rows(shared_data, snapshot, "epoch_capabilities_index.csv")
    }
    with open(PROJECT / "transforms" / "seeds" / "accessibility_overrides.csv") as f:
        overrides = {r["model_version"]: r["accessibility"] for r in csv.DictReader(f)}
    with open(PROJECT / "transforms" / "seeds" / "benchmarks.csv") as f:
        seed = [r for r in csv.DictReader(f) if r["tracked"] == "true" and r["file"]]
    columns = {"metr_time_horizons_external.csv": "Time horizon"}
    first: dict[str, date] = {}
    for entry in seed:
        if not (epoch_dir(shared_data, snapshot) / entry["file"]).exists():
            continue
        for r in rows(shared_data, snapshot, entry["file"]):
            version = r["Model version"]
            label = overrides.get(version) or registry.get(version, {}).get("Model accessibility")
            released = r["Release date"] or registry.get(version, {}).get("Release date", "")
            score = r.get(columns.get(entry["file"], ""), "x")
            if not (label or "").startswith("Open weights") or not released or not score:
                continue
            key = entry["benchmark_id"]
            if r.get("METR version"):
                key += "@" + r["METR version"].removeprefix("METR-Horizon-")
            day = date.fromisoformat(released)
            first[key] = min(first.get(key, day), day)
    return first


def test_frontier_lag_fit_leaves_out_the_thin_early_months(
    warehouse: Callable[[str], duckdb.DuckDBPyConnection], shared_data: Path
) -> None:
    """The fit starts at the month-end by which the 3rd benchmark had an open model (2019's
    lone benchmarks at lag 0 stay out), and the slope is the line through the kept months."""
    starts = sorted(first_open_dates(shared_data, "2026-04-19").values())
    third = starts[method.FRONTIER_LAG_MIN_BENCHMARKS - 1]
    expected_start = (pd.Timestamp(third) + pd.offsets.MonthEnd(0)).date()
    assert starts[0] < date(2020, 1, 1) < third  # the thin early months exist

    with warehouse("2026-04-19") as con:
        fit = con.execute(
            "select fit_start, fit_end, months_in_fit, slope_months_per_year, zero_lag_date, "
            "slope_ci_low, slope_ci_high from marts.frontier_lag_trend "
            "where scope = 'all' and statistic = 'mean'"
        ).fetchone()
        monthly = con.execute(
            "select month_end, mean_lag_months, benchmarks, in_fit "
            "from marts.frontier_lag_monthly order by month_end"
        ).df()
    assert fit is not None
    assert fit[0] == expected_start
    assert fit[1] == date(2026, 4, 19)  # the current month counts, up to the as-of date
    kept = monthly[monthly["benchmarks"] >= method.FRONTIER_LAG_MIN_BENCHMARKS]
    assert fit[2] == len(kept) == int(monthly["in_fit"].sum())
    years = (pd.to_datetime(kept["month_end"]) - pd.Timestamp("1970-01-01")).dt.days / 365.25
    assert fit[3] == pytest.approx(np.polyfit(years, kept["mean_lag_months"], 1)[0])
    assert fit[5] <= fit[3] <= fit[6]
    assert (fit[4] is None) == (not fit[6] < 0)


def normal_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def hand_p_above(shared_data: Path, benchmark: str, model: str, threshold: float) -> float | None:
    """P(true score > threshold) of a model's best row, read from the snapshot CSV by hand."""
    with open(PROJECT / "transforms" / "seeds" / "benchmarks.csv") as f:
        seed = {r["benchmark_id"]: r for r in csv.DictReader(f)}
    base, _, version = benchmark.partition("@")
    file = seed[base]["file"]
    column = {
        "metr_time_horizons": "Time horizon",
        "gpqa_diamond": "Best score (across scorers)",
        "math_level_5": "Best score (across scorers)",
        "otis_mock_aime_2024_2025": "Best score (across scorers)",
        "frontiermath": "Best score (across scorers)",
        "hle": "Accuracy",
        "terminalbench": "Accuracy mean",
    }.get(base)
    if column is None:
        return None
    candidates = [
        r
        for r in rows(shared_data, "2026-04-19", file)
        if r["Model version"] == model
        and r[column]
        and (base != "metr_time_horizons" or r["METR version"].endswith(version))
    ]
    best = max(candidates, key=lambda r: float(r[column]))  # first of equal scores
    score = float(best[column])
    stderr = best.get("stderr") or best.get("Accuracy SE") or best.get("Accuracy Standard Error")
    if stderr and float(stderr) > 0:
        return normal_cdf((score - threshold) / float(stderr))
    if best.get("CI_low") and best.get("CI_high"):
        sd = (math.log(float(best["CI_high"])) - math.log(float(best["CI_low"]))) / (2 * 1.96)
        return normal_cdf((math.log(score) - math.log(threshold)) / sd)
    return None


def test_each_crossing_carries_the_chance_its_crossers_really_crossed(
    warehouse: Callable[[str], duckdb.DuckDBPyConnection], shared_data: Path
) -> None:
    """2026-04-19: p_above_threshold of every accepted point recomputed from the CSVs' stderr
    (or METR's 95% interval, on the log scale); Aider gives neither, so its points are NULL;
    the `confident` series holds exactly the `all` points with p >= 0.9."""
    with warehouse("2026-04-19") as con:
        points = con.execute(
            "select gap_point_id, benchmark_id, threshold, closed_model, open_model, "
            "p_above_threshold from marts.gap_points "
            "where source = 'epoch' and view = 'benchmark' and open_scope = 'all'"
        ).df()
        notes = con.execute(
            "select p_above_threshold_note from marts.crossings "
            "where crossing_id = 'aider_polyglot:0.5:all'"
        ).fetchone()
        confident = con.execute(
            "select n_points from marts.gap_summary where source = 'epoch' and series = 'confident'"
        ).fetchone()
    expected_confident = 0
    kinds = set()
    for point in points.itertuples():
        closed = hand_p_above(shared_data, point.benchmark_id, point.closed_model, point.threshold)
        opened = hand_p_above(shared_data, point.benchmark_id, point.open_model, point.threshold)
        if closed is None or opened is None:
            assert pd.isna(point.p_above_threshold), point.gap_point_id
            continue
        kinds.add(point.benchmark_id.split("@")[0])
        # 1.96 against 1.959964 in the model: the log-scale z moves in the 5th decimal
        assert point.p_above_threshold == pytest.approx(closed * opened, abs=1e-3)
        expected_confident += closed * opened >= method.CONFIDENT_MIN_P
    assert {"gpqa_diamond", "metr_time_horizons"} <= kinds
    assert notes is not None and "aider_polyglot_external.csv gives no standard error" in notes[0]
    assert confident is not None and confident[0] == expected_confident > 0
