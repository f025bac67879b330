"""Every default of the gap method, named once: SQL models receive these as bound parameters.

README's method section has the same table; change a value here and nowhere else.
"""

from __future__ import annotations

from typing import Any

# untested-model rule, ECI fallback: an earlier, never-evaluated model blocks a first crosser
# only when its ECI exceeds the crosser's by at least this many points (ECI's own noise is a
# few points, so differences of 0.1-0.5 say nothing)
UNTESTED_ECI_MARGIN = 3.0
# untested-model rule with Epoch's IRT calibration: the never-evaluated model blocks when its
# predicted score, baseline + (1 - baseline) * sigmoid(slope * (ECI - difficulty)), is above
# the threshold plus this margin (0: the prediction itself decides)
UNTESTED_SCORE_MARGIN = 0.0
# validity floor from the publisher's numbers: random baseline plus this share of the range
# between the random baseline and the score ceiling (the bottom tenth of the usable range)
FLOOR_SHARE_OF_RANGE = 0.10

# score noise: the `confident` series keeps only crossings whose p_above_threshold (the chance
# that both first crossers' true scores are above the threshold) is at least this
CONFIDENT_MIN_P = 0.9

# gap trend: Gaussian kernel smoothing of gap months over the open release date
BANDWIDTH_DAYS = 60.0  # the kernel's sigma
GRID_STEP_DAYS = 7
RESAMPLES = 5000  # bootstrap resamples behind every band
LEVEL = 0.90  # every band and interval is a 90% percentile interval
BASE_SEED = 20260519  # fixed: two runs on the same data give identical bands
# frontier lag trend: a month enters the fit only with at least this many benchmarks
# (a setting: GAPWATCH_FRONTIER_LAG_MIN_BENCHMARKS); the slope's interval resamples benchmarks
FRONTIER_LAG_MIN_BENCHMARKS = 3
FRONTIER_LAG_RESAMPLES = 2000
FRONTIER_LAG_SEED = 20261202


def sql_params() -> dict[str, Any]:
    """The defaults as the SQL models' bound parameters ($untested_eci_margin, ...)."""
    return {
        "untested_eci_margin": UNTESTED_ECI_MARGIN,
        "untested_score_margin": UNTESTED_SCORE_MARGIN,
        "floor_share_of_range": FLOOR_SHARE_OF_RANGE,
        "frontier_lag_min_benchmarks": FRONTIER_LAG_MIN_BENCHMARKS,
    }
