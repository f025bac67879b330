"""Great Expectations suites as code: one builder per validated frame.

Each expectation carries GX's own severity (`severity="critical"` or `"warning"`, saved with the
suite in the gx/ project): a critical failure quarantines the file it fails on (recorded as
`error` in raw.validations), a warning is recorded but lets the file through. GX itself is
imported lazily: `gapwatch sql` must not pay for it. Row conditions are GX's Condition objects
(Column(...)), not the strings deprecated in GX 1.9.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from extractors.epoch_layout import LABEL_CLASSES

# every label Epoch is known to publish (an unseen one is reported, never fatal)
KNOWN_ACCESSIBILITY = tuple(LABEL_CLASSES)
KNOWN_UNITS = ("fraction", "percent", "minutes", "index", "elo", "points")
MAX_ROW_LOSS = 0.20  # a tracked benchmark losing more than this share of versions is suspect
MIN_LABELLED = 0.5  # real indexes label 77-83% of their versions
# no model the gap analysis could compare was released before this (a 1900-01-01 is a typo or a
# placeholder, and would make gaps of -1,500 months); a setting: GAPWATCH_EARLIEST_RELEASE
EARLIEST_RELEASE = date(2015, 1, 1)


CRITICAL = "critical"  # GX's FailureSeverity values
WARNING = "warning"


@dataclass(frozen=True)
class Check:
    """One expectation (its severity is GX's), and how to say its failure to a person."""

    expectation: Any
    describe: str
    show: tuple[str, ...] = field(default=())

    @property
    def severity(self) -> str:
        """As raw.validations records it: `error` (GX critical: quarantine) or `warning`."""
        return "error" if str(self.expectation.severity.value) == CRITICAL else "warning"


def score_row_checks() -> list[Check]:
    """Every row: a score, where there is one, numeric and inside its unit's range; dates sane."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return [
        Check(
            gxe.ExpectColumnValuesToNotBeNull(
                column="score_value",
                row_condition=Column("score_text").is_not_null(),
                severity=CRITICAL,
            ),
            "score is not a number",
            ("score_column", "score_text"),
        ),
        Check(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="score_value",
                column_B="min_value",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                severity=CRITICAL,
            ),
            "score below the range of its unit",
            ("unit", "score_text", "min_value"),
        ),
        Check(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="max_value",
                column_B="score_value",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                severity=CRITICAL,
            ),
            "score above the range of its unit",
            ("unit", "score_text", "max_value"),
        ),
        Check(
            gxe.ExpectColumnValuesToNotBeNull(
                column="release_date",
                row_condition=Column("release_date_text").is_not_null(),
                severity=CRITICAL,
            ),
            "release date does not parse as YYYY-MM-DD",
            ("release_date_text",),
        ),
        Check(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="as_of",
                column_B="release_date",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                severity=CRITICAL,
            ),
            "release date is after the as-of date",
            ("release_date_text", "as_of"),
        ),
        Check(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="release_date",
                column_B="earliest_release",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                severity=CRITICAL,
            ),
            "release date is before the earliest plausible one (GAPWATCH_EARLIEST_RELEASE)",
            ("release_date_text", "earliest_release"),
        ),
        # Epoch's external files carry rows named only in free text (blank `Model version`):
        # they can't be attributed to a version, so they are recorded and skipped, not fatal
        Check(
            gxe.ExpectColumnValuesToNotBeNull(
                column="model_version",
                row_condition=Column("score_text").is_not_null(),
                severity=WARNING,
            ),
            "row has no model version (skipped)",
            ("score_text",),
        ),
    ]


def observation_row_checks() -> list[Check]:
    """A leaderboard's rows: the score-row checks, a known unit, and a named model."""
    import great_expectations.expectations as gxe

    checks = [c for c in score_row_checks() if c.severity == "error"]
    return [
        *checks,
        Check(
            gxe.ExpectColumnValuesToBeInSet(
                column="unit", value_set=list(KNOWN_UNITS), severity=CRITICAL
            ),
            "unknown unit",
            ("unit",),
        ),
        Check(
            gxe.ExpectColumnValuesToNotBeNull(column="model_version", severity=CRITICAL),
            "observation without a model name",
            ("score_text",),
        ),
    ]


def collapsed_score_checks(within: tuple[str, ...] = ()) -> list[Check]:
    """After collapsing to the best row per version: one score per (benchmark, version).

    within: the columns that tell the batches of one frame apart (`source`, when several
    sources' payloads are validated in one run): one score per version within each.
    """
    import great_expectations.expectations as gxe

    return [
        Check(
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=[*within, "benchmark_id", "model_version"], severity=CRITICAL
            ),
            "more than one score per (benchmark, model version) after collapsing",
        ),
        Check(
            gxe.ExpectColumnValuesToNotBeNull(column="model_version", severity=CRITICAL),
            "collapsed score without a model version",
        ),
    ]


def registry_checks() -> list[Check]:
    """The registry (either layout): unique versions, labels mostly filled and known.

    A label never seen before is a warning, never a quarantine: its versions get no status
    from this link, the rest of the registry loads, and the format change is reported.
    """
    import great_expectations.expectations as gxe

    return [
        Check(
            gxe.ExpectColumnValuesToBeInSet(
                column="accessibility",
                value_set=list(KNOWN_ACCESSIBILITY),
                severity=WARNING,
            ),
            "unknown accessibility label (its versions get no status from the registry)",
            ("accessibility",),
        ),
        # the new registry lists a few versions twice (differing only by date): the marts keep
        # the labelled row, else the first; a duplicate must not hide the whole registry
        Check(
            gxe.ExpectColumnValuesToBeUnique(column="model_version", severity=WARNING),
            "model version listed twice in the registry (the labelled, else the first row is kept)",
        ),
        # a renamed or emptied label column would turn every status to NULL without a word
        Check(
            gxe.ExpectColumnValuesToNotBeNull(
                column="accessibility", mostly=MIN_LABELLED, severity=CRITICAL
            ),
            f"fewer than {MIN_LABELLED:.0%} of the index's versions carry an accessibility label",
        ),
    ]


def row_count_checks() -> list[Check]:
    """Versions per file against the last good load: a big drop means a broken export."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    def drop(tracked: bool) -> Any:
        return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rows_now",
            column_B="rows_floor",
            or_equal=True,
            row_condition=Column("tracked") == tracked,
            severity=CRITICAL if tracked else WARNING,
        )

    describe = f"lost more than {MAX_ROW_LOSS:.0%} of its model versions since the last good load"
    return [
        Check(drop(True), describe, ("rows_now", "rows_before")),
        Check(drop(False), describe, ("rows_now", "rows_before")),
    ]
