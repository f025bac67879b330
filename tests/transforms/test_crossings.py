"""The gap rules, one tiny made-up warehouse per rule and edge case."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tests.transforms.tiny import Model, build, crossing
from transforms import method


def test_first_crossers_and_gap_in_days_and_months() -> None:
    con = build(
        [
            Model("closed-a", "2024-01-01", False, 0.62),
            Model("closed-b", "2024-03-01", False, 0.75),
            Model("open-x", "2024-07-01", True, 0.65),
        ]
    )
    row = crossing(con, 0.6)
    assert (row["first_closed_model"], row["first_open_model"]) == ("closed-a", "open-x")
    assert row["gap_days"] == (date(2024, 7, 1) - date(2024, 1, 1)).days == 182
    assert row["gap_months"] == 182 / 30.4375
    assert row["status"] == "both_crossed" and row["accepted"]
    assert row["reason"].startswith("accepted: closed-a (2024-01-01) -> open-x (2024-07-01)")
    # 0.7: only closed-b reached it, no open model yet
    assert crossing(con, 0.7)["first_closed_model"] == "closed-b"


def test_validity_floor_defaults_to_tenth_percentile_of_scores() -> None:
    scores = [0.12, 0.2, 0.31, 0.45, 0.52, 0.6, 0.66, 0.7, 0.74, 0.8]
    models = [
        Model(f"closed-{i}", f"2023-0{1 + i % 9}-01", False, s) for i, s in enumerate(scores[:5])
    ]
    models += [
        Model(f"open-{i}", f"2024-0{1 + i % 9}-01", True, s) for i, s in enumerate(scores[5:])
    ]
    con = build(models, thresholds="0.1 0.15 0.2 0.5", floor=None)
    floor = float(np.quantile(scores, 0.10))  # numpy's default is the same linear interpolation
    low = crossing(con, 0.1)
    assert low["validity_floor"] == pytest.approx(floor)
    assert not low["accepted"] and low["reason"].startswith("below the validity floor")
    assert "10th percentile of 10 scores" in low["reason"]
    assert crossing(con, 0.15)["accepted"] is False  # 0.15 < floor 0.192
    assert crossing(con, 0.2)["reason"].startswith(("accepted", "same pair"))


def test_one_datapoint_per_pair_at_its_highest_threshold() -> None:
    con = build(
        [Model("closed-a", "2024-01-01", False, 0.9), Model("open-x", "2024-05-01", True, 0.72)]
    )
    assert crossing(con, 0.7)["accepted"]
    for threshold in (0.5, 0.6):
        row = crossing(con, threshold)
        assert not row["accepted"]
        assert row["reason"].startswith("same pair as threshold 0.7 (closed-a -> open-x)")
    assert con.execute("select count(*) from marts.gap_points").fetchall() == [(1,)]


def test_untested_model_with_higher_eci_rejects_and_is_named() -> None:
    con = build(
        [
            Model("closed-early", "2024-01-01", False, None, eci=130, name="Early"),
            Model("closed-first", "2024-06-01", False, 0.8, eci=120, name="First"),
            Model("open-x", "2024-09-01", True, 0.8, eci=118, name="X"),
        ],
        thresholds="0.7",
    )
    row = crossing(con, 0.7)
    assert not row["accepted"]
    assert row["reason"].startswith("untested model: closed Early (closed-early) (ECI 130.0)")
    assert "closed-first (ECI 120.0, margin 3)" in row["reason"]


def test_untested_model_rule_ignores_lower_eci_and_evaluated_variants() -> None:
    con = build(
        [
            # lower ECI than the crosser: would not have crossed first
            Model("closed-weak", "2024-01-01", False, None, eci=110, name="Weak"),
            # an untested effort variant of a model that *was* evaluated (same model name)
            Model("closed-strong_low", "2024-02-01", False, None, eci=140, name="Strong"),
            Model("closed-strong_high", "2024-02-01", False, 0.55, eci=140, name="Strong"),
            Model("closed-first", "2024-06-01", False, 0.8, eci=120, name="First"),
            Model("open-x", "2024-09-01", True, 0.8, eci=118, name="X"),
        ],
        thresholds="0.7",
    )
    assert crossing(con, 0.7)["accepted"]


def test_a_blank_headline_row_counts_as_evaluated_and_the_reason_says_so() -> None:
    con = build(
        [
            Model("closed-blank", "2024-01-01", False, None, eci=140, name="Blank", blank_row=True),
            Model("closed-first", "2024-06-01", False, 0.8, eci=120, name="First"),
            Model("open-x", "2024-09-01", True, 0.8, eci=118, name="X"),
        ],
        thresholds="0.7",
    )
    row = crossing(con, 0.7)
    assert row["accepted"] and row["untested_check"] == "passed"
    assert "Blank (closed-blank) was evaluated here without a headline score" in row["reason"]


@pytest.mark.parametrize(
    "stronger_by", [method.UNTESTED_ECI_MARGIN - 0.1, method.UNTESTED_ECI_MARGIN]
)
def test_untested_rule_blocks_only_beyond_the_margin(stronger_by: float) -> None:
    con = build(
        [
            Model("closed-early", "2024-01-01", False, None, eci=120 + stronger_by, name="Early"),
            Model("closed-first", "2024-06-01", False, 0.8, eci=120, name="First"),
            Model("open-x", "2024-09-01", True, 0.8, eci=118, name="X"),
        ],
        thresholds="0.7",
    )
    row = crossing(con, 0.7)
    blocked = stronger_by >= method.UNTESTED_ECI_MARGIN
    assert row["accepted"] is not blocked
    assert row["untested_check"] == ("failed" if blocked else "passed")
    assert row["untested_blocker"] == ("Early (closed-early)" if blocked else None)


def test_a_crosser_without_eci_is_accepted_with_the_check_not_run() -> None:
    con = build(
        [
            Model("closed-early", "2024-01-01", False, None, eci=150, name="Early"),
            Model("closed-first", "2024-06-01", False, 0.8, eci=None, name="First"),
            Model("open-x", "2024-09-01", True, 0.8, eci=118, name="X"),
        ],
        thresholds="0.7",
    )
    row = crossing(con, 0.7)
    assert row["accepted"] and row["untested_check"] == "not_run"
    assert row["untested_note"] == "closed-first has no ECI to compare earlier untested models with"


@pytest.mark.parametrize(
    ("baseline", "threshold", "blocked"),
    [
        # 1 / (1 + e^-1) = 0.7311: above 0.7, below 0.75
        (0.0, 0.7, True),
        (0.0, 0.75, False),
        # 0.25 + 0.75 * 0.7311 = 0.7983: a guessing floor lifts the prediction above 0.75
        (0.25, 0.75, True),
        (0.25, 0.8, False),
    ],
)
def test_irt_calibration_blocks_when_the_predicted_score_is_above_the_threshold(
    baseline: float, threshold: float, blocked: bool
) -> None:
    """Difficulty 100, slope 0.1: an untested model with ECI 110 predicts sigmoid(1)."""
    con = build(
        [
            Model("closed-early", "2024-01-01", False, None, eci=110, name="Early"),
            # no ECI: under the IRT rule the crosser's own ECI is not needed
            Model("closed-first", "2024-06-01", False, 0.9, eci=None, name="First"),
            Model("open-x", "2024-09-01", True, 0.9, eci=118, name="X"),
        ],
        thresholds=str(threshold),
        calibration=(100.0, 0.1),
        random_baseline=baseline,
    )
    predicted = baseline + (1 - baseline) / (1 + np.exp(-1.0))
    row = crossing(con, threshold)
    assert row["untested_rule"] == "irt_calibration"
    assert row["untested_check"] == ("failed" if blocked else "passed")
    assert row["accepted"] is not blocked
    if blocked:
        assert row["untested_blocker"] == "Early (closed-early)"
        assert row["untested_blocker_predicted_score"] == pytest.approx(predicted)
        assert f"predicts it scores {predicted:.3f}, above the threshold" in row["reason"]
    else:
        assert row["untested_blocker"] is None and row["untested_blocker_predicted_score"] is None


def test_without_a_calibration_the_eci_margin_decides() -> None:
    """The same models without a calibration: the crosser has no ECI, so the check can't run."""
    con = build(
        [
            Model("closed-early", "2024-01-01", False, None, eci=110, name="Early"),
            Model("closed-first", "2024-06-01", False, 0.9, eci=None, name="First"),
            Model("open-x", "2024-09-01", True, 0.9, eci=118, name="X"),
        ],
        thresholds="0.7",
    )
    row = crossing(con, 0.7)
    assert row["untested_rule"] == "eci_margin" and row["untested_check"] == "not_run"
    assert row["untested_blocker_predicted_score"] is None


def test_date_ties_pick_higher_score_then_name_and_list_the_rest() -> None:
    con = build(
        [
            Model("closed-b", "2024-01-01", False, 0.71),
            Model("closed-c", "2024-01-01", False, 0.80),
            Model("closed-a", "2024-01-01", False, 0.71),
            Model("open-x", "2024-03-01", True, 0.75),
        ],
        thresholds="0.7",
    )
    row = crossing(con, 0.7)
    assert row["first_closed_model"] == "closed-c"
    assert row["first_closed_tied"] == "closed-a, closed-b"


def test_open_model_first_gives_a_negative_gap_that_is_kept() -> None:
    con = build(
        [Model("open-x", "2024-01-01", True, 0.66), Model("closed-a", "2024-04-01", False, 0.69)],
        thresholds="0.6",
    )
    row = crossing(con, 0.6)
    assert row["status"] == "both_crossed" and row["gap_days"] == -91 and row["accepted"]


def test_pending_threshold_counts_months_since_the_closed_crosser() -> None:
    con = build(
        [Model("closed-a", "2025-01-01", False, 0.9), Model("open-x", "2024-06-01", True, 0.55)],
        thresholds="0.5 0.8",
        as_of=date(2025, 7, 1),
    )
    row = crossing(con, 0.8)
    assert row["status"] == "pending" and not row["accepted"]
    assert row["months_pending"] == (date(2025, 7, 1) - date(2025, 1, 1)).days / 30.4375
    assert row["reason"].startswith(
        "pending: no open model has reached it, 5.9 months after closed-a"
    )


def test_override_file_overrules_the_rules_both_ways() -> None:
    models = [
        Model("closed-a", "2024-01-01", False, 0.9),
        Model("open-x", "2024-05-01", True, 0.72),
    ]
    con = build(
        models,
        overrides=[
            ("bench", 0.7, "all", "reject", "score reported with a different harness"),
            ("bench", 0.6, "all", "accept", "reviewed by hand"),
        ],
    )
    rejected, accepted = crossing(con, 0.7), crossing(con, 0.6)
    assert not rejected["accepted"]
    assert rejected["reason"] == "override: score reported with a different harness"
    assert accepted["accepted"] and accepted["reason"] == "override: reviewed by hand"


def test_benchmark_without_any_open_model_has_only_pending_rows() -> None:
    con = build(
        [Model("closed-a", "2024-01-01", False, 0.9), Model("closed-b", "2024-05-01", False, 0.6)]
    )
    statuses = {r[0] for r in con.execute("select status from marts.crossings").fetchall()}
    assert statuses == {"pending"}
    assert con.execute("select count(*) from marts.gap_points").fetchall() == [(0,)]


def test_chinese_scope_only_counts_chinese_open_models() -> None:
    con = build(
        [
            Model("closed-a", "2024-01-01", False, 0.8),
            Model("open-us", "2024-03-01", True, 0.75),
            Model("open-cn", "2024-08-01", True, 0.72, chinese=True),
        ],
        thresholds="0.7",
    )
    assert crossing(con, 0.7, "all")["first_open_model"] == "open-us"
    assert crossing(con, 0.7, "chinese")["first_open_model"] == "open-cn"


def test_models_without_status_take_no_part() -> None:
    con = build(
        [
            Model("mystery", "2023-01-01", None, 0.95),
            Model("closed-a", "2024-01-01", False, 0.8),
            Model("open-x", "2024-05-01", True, 0.8),
        ],
        thresholds="0.7",
    )
    assert crossing(con, 0.7)["first_closed_model"] == "closed-a"


def test_rejecting_a_pairs_top_threshold_lets_it_count_at_the_next() -> None:
    models = [
        Model("closed-a", "2024-01-01", False, 0.9),
        Model("open-x", "2024-05-01", True, 0.72),
    ]
    con = build(models, overrides=[("bench", 0.7, "all", "reject", "harness changed at 0.7")])
    assert not crossing(con, 0.7)["accepted"]
    assert crossing(con, 0.6)["accepted"]  # the pair survives, one threshold lower
    assert con.execute("select count(*) from marts.gap_points").fetchall() == [(1,)]
