"""The GX suites use GX's Condition objects: no row condition deprecated since GX 1.9."""

from __future__ import annotations

import warnings

from validation import expectations


def test_no_suite_uses_a_deprecated_row_condition() -> None:
    builders = (
        expectations.score_row_checks,
        expectations.observation_row_checks,
        expectations.collapsed_score_checks,
        expectations.registry_checks,
        expectations.row_count_checks,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        checks = [check for build in builders for check in build()]
    deprecated = [str(w.message) for w in caught if "row_condition" in str(w.message)]
    assert deprecated == []
    conditioned = [c for c in checks if c.expectation.row_condition is not None]
    assert len(conditioned) >= 5
    assert all(c.expectation.condition_parser is None for c in conditioned)
    assert all(not isinstance(c.expectation.row_condition, str) for c in conditioned)
