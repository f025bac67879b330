"""Validate a fetch with Great Expectations; decide per file whether it may reach the marts.

Unit of quarantine: the file. One bad benchmark file (a renamed column, a score out of range)
should not hold back fresh data of the fifty others; the quarantined file keeps feeding the marts
from its last good batch. Archive-level problems (not a zip, path traversal) fail the whole fetch
before anything loads.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from validation import expectations
from validation.expectations import EARLIEST_RELEASE, MAX_ROW_LOSS, Check
from validation.project import open_context, run_checkpoint

MAX_OFFENDING_ROWS = 20

ROWS_FRAME_SQL = """
select file, row_number, benchmark_id, model_version, unit, score_column, score_text,
       score_value, min_value, max_value, release_date_text, release_date, $as_of::date as as_of
from intermediate.int_benchmark_rows_scaled
where fetch_id = $fetch_id
order by file, row_number
"""
COLLAPSED_FRAME_SQL = """
select file, benchmark_id, model_version, rows_collapsed
from intermediate.int_benchmark_scores_collapsed
where fetch_id = $fetch_id
"""
REGISTRY_FRAME_SQL = """
select file, row_number, model_version, accessibility
from staging.stg_epoch__model_versions
where fetch_id = $fetch_id
"""
COUNTS_FRAME_SQL = """
with this_fetch as (
    select file from raw.batches where fetch_id = $fetch_id and source = $source
),
-- the registry every open/closed status comes from may never silently drop out: the layout's
-- own registry files when the bundle has one, else every registry file gapwatch knows
registry_files as (
    select file from (
        values
            ('epoch_capabilities_index.csv'),
            ('model_metadata.csv'),
            ('epoch_capabilities_index/eci_scores.csv')
    ) as known (file)
),
registry as (
    select file from registry_files where file in (select file from this_fetch)
    union
    select file from registry_files
    where not exists (
        select 1 from this_fetch
        where file in ('epoch_capabilities_index.csv', 'model_metadata.csv')
    )
),
tracked as (
    select file from seeds.benchmarks
    where try_cast(tracked as boolean) and nullif(file, '') is not null
    union select file from registry
),
files as (
    select file from this_fetch union select file from tracked
),
versions as (
    select fetch_id, file, model_version from intermediate.int_benchmark_scores_collapsed
    union all
    -- the new registry holds no scores: count its versions
    select distinct fetch_id, file, model_version from staging.stg_epoch__model_versions
    where file = 'model_metadata.csv' and model_version is not null
),
now_counts as (
    select file, count(*) as n
    from versions
    where fetch_id = $fetch_id
    group by file
),
last_good as (
    select file, max(fetch_id) as fetch_id
    from raw.batches
    where source = $source and status in ('passed', 'warned') and fetch_id < $fetch_id
    group by file
),
before_counts as (
    select versions.file, count(*) as n
    from versions
    inner join last_good
        on versions.file = last_good.file and versions.fetch_id = last_good.fetch_id
    group by versions.file
)
select
    files.file,
    files.file in (select file from tracked) as tracked,
    coalesce(now_counts.n, 0) as rows_now,
    before_counts.n as rows_before,
    cast(ceil((1 - $max_loss) * before_counts.n) as bigint) as rows_floor,
    files.file not in (select file from this_fetch) as missing
from files
inner join before_counts on files.file = before_counts.file
left join now_counts on files.file = now_counts.file
order by files.file
"""


OBSERVATION_ROWS_SQL = """
select 'observations' as file, row_number, benchmark_id, model as model_version, unit,
       metric as score_column, value_text as score_text, value_number as score_value,
       min_value, max_value, release_date_text, release_date, $as_of::date as as_of
from intermediate.int_observations_scaled
where fetch_id = $fetch_id
order by row_number
"""
OBSERVATION_COLLAPSED_SQL = """
select 'observations' as file, benchmark_id, model as model_version, rows_collapsed
from intermediate.int_observations_collapsed
where fetch_id = $fetch_id
"""
OBSERVATION_COUNTS_SQL = """
with last_good as (
    select max(fetch_id) as fetch_id from raw.batches
    where source = $source and status in ('passed', 'warned') and fetch_id < $fetch_id
),
before_counts as (
    select count(*) as n from intermediate.int_observations_collapsed
    where fetch_id = (select fetch_id from last_good)
),
now_counts as (
    select count(*) as n from intermediate.int_observations_collapsed where fetch_id = $fetch_id
)
select 'observations' as file, true as tracked, now_counts.n as rows_now,
       before_counts.n as rows_before,
       cast(ceil((1 - $max_loss) * before_counts.n) as bigint) as rows_floor, false as missing
from now_counts cross join before_counts
where before_counts.n > 0
"""


@dataclass
class Failure:
    """One check that failed on one file, with the rows that broke it."""

    file: str
    suite: str
    check: Check
    rows: list[dict[str, Any]]
    count: int

    def summary(self) -> str:
        first = self.rows[0] if self.rows else {}
        example = ", ".join(f"{k}={v!r}" for k, v in first.items() if v is not None)
        return f"{self.file}: {self.check.describe} ({self.count} rows; first: {example})"


@dataclass
class ValidationReport:
    """The verdict per file, and every failure (errors and warnings) behind it."""

    fetch_id: int
    verdicts: dict[str, str] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    checks_run: int = 0

    def quarantined(self) -> list[str]:
        return sorted(f for f, v in self.verdicts.items() if v == "quarantined")

    def errors(self) -> list[Failure]:
        return [f for f in self.failures if f.check.severity == "error"]


def validate_fetch(
    con: duckdb.DuckDBPyConnection,
    source: str,
    fetch_id: int,
    as_of: date,
    earliest_release: date = EARLIEST_RELEASE,
    gx_root: Path | None = None,
    run_name: str | None = None,
) -> ValidationReport:
    """Run every suite on this fetch, record results in raw.validations, set raw.batches status.

    The one entry point to GX: with gx_root (the data dir) each suite runs as a saved
    checkpoint of the gx/ project there and its result is stored (validation/project.py);
    run_name (the night's run id) names the results in Data Docs.
    """
    params = {"fetch_id": fetch_id, "as_of": as_of, "source": source, "max_loss": MAX_ROW_LOSS}
    if source == "epoch":
        suites = [
            ("score_rows", ROWS_FRAME_SQL, expectations.score_row_checks()),
            ("collapsed_scores", COLLAPSED_FRAME_SQL, expectations.collapsed_score_checks()),
            ("registry", REGISTRY_FRAME_SQL, expectations.registry_checks()),
            ("row_counts", COUNTS_FRAME_SQL, expectations.row_count_checks()),
        ]
    else:
        # a leaderboard is one file: the whole payload is the unit of quarantine
        suites = [
            ("score_rows", OBSERVATION_ROWS_SQL, expectations.observation_row_checks()),
            ("collapsed_scores", OBSERVATION_COLLAPSED_SQL, expectations.collapsed_score_checks()),
            ("row_counts", OBSERVATION_COUNTS_SQL, expectations.row_count_checks()),
        ]
    report = ValidationReport(fetch_id)
    context = open_context(gx_root)
    run_name = run_name or f"{as_of.isoformat()}-fetch-{fetch_id}"
    counts = pd.DataFrame()
    for suite, sql, checks in suites:
        frame = _frame(con, sql, params)
        if "release_date" in frame:
            frame["earliest_release"] = pd.Timestamp(earliest_release)
        if suite == "row_counts":
            counts = frame
        report.failures.extend(
            _run_suite(context, f"{source}.{suite}", suite, frame, checks, run_name)
        )
        report.checks_run += len(checks)
    _record(con, source, report, counts)
    return report


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    frame = con.execute(sql, used).df()
    for column in ("release_date", "as_of"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column])
    return frame.reset_index(drop=True)


def _run_suite(
    context: Any,
    name: str,
    suite: str,
    frame: pd.DataFrame,
    checks: Sequence[Check],
    run_name: str,
) -> list[Failure]:
    if frame.empty:
        return []
    outcomes = run_checkpoint(context, name, frame, checks, run_name)
    failures: list[Failure] = []
    for index, check in enumerate(checks):
        outcome = outcomes[index]
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"validation suite {name!r} could not run {check.describe!r}: "
                f"{outcome.exception_info.get('exception_message')}"
            )
        if not outcome.success:
            failures.extend(_failures(suite, check, frame, outcome.result))
    return failures


def _failures(
    suite: str, check: Check, frame: pd.DataFrame, result: dict[str, Any]
) -> list[Failure]:
    indices = result.get("unexpected_index_list") or []
    if not indices:
        return [Failure("*", suite, check, [], int(result.get("unexpected_count") or 0))]
    offending = frame.loc[indices]
    shown = [c for c in ("row_number", "model_version", *check.show) if c in frame]
    failures = []
    for file, rows in offending.groupby("file", sort=True):
        sample = rows[shown].head(MAX_OFFENDING_ROWS)
        records = json.loads(sample.to_json(orient="records", date_format="iso"))
        failures.append(Failure(str(file), suite, check, records, len(rows)))
    return failures


def _record(
    con: duckdb.DuckDBPyConnection, source: str, report: ValidationReport, counts: pd.DataFrame
) -> None:
    missing = counts[counts["missing"]] if not counts.empty else counts
    for file in missing.get("file", []):
        # checked in the insert, not "on conflict": a DuckLake warehouse keeps no keys
        con.execute(
            "insert into raw.batches select ?, ?, ?, ?, null, 0, 'quarantined', ?, now() "
            "where not exists (select 1 from raw.batches where fetch_id = ? and file = ?)",
            [
                report.fetch_id,
                source,
                file,
                _benchmark_id(con, file),
                "tracked file missing from this bundle",
                report.fetch_id,
                file,
            ],
        )
    pending = con.execute(
        "select file from raw.batches where fetch_id = ? and status = 'pending'",
        [report.fetch_id],
    ).fetchall()
    by_file: dict[str, list[Failure]] = defaultdict(list)
    for failure in report.failures:
        by_file[failure.file].append(failure)
    for (file,) in pending:
        errors = [f for f in by_file.get(file, []) if f.check.severity == "error"]
        warnings = [f for f in by_file.get(file, []) if f.check.severity == "warning"]
        status = "quarantined" if errors else "warned" if warnings else "passed"
        reason = "; ".join(f.summary() for f in errors or warnings) or None
        con.execute(
            "update raw.batches set status = ?, reason = ?, checked_at = now() "
            "where fetch_id = ? and file = ?",
            [status, reason, report.fetch_id, file],
        )
    for file, status in con.execute(
        "select file, status from raw.batches where fetch_id = ?", [report.fetch_id]
    ).fetchall():
        report.verdicts[file] = status
    for failure in report.failures:
        con.execute(
            "insert into raw.validations values (?, ?, ?, ?, ?, ?, false, ?, ?, now())",
            [
                report.fetch_id,
                source,
                failure.file,
                failure.suite,
                failure.check.describe,
                failure.check.severity,
                failure.count,
                json.dumps(failure.rows, ensure_ascii=False, default=str),
            ],
        )
    con.execute(
        "insert into raw.validations values (?, ?, null, 'all', ?, 'info', ?, ?, null, now())",
        [
            report.fetch_id,
            source,
            f"{report.checks_run} checks run",
            not report.errors(),
            len(report.failures),
        ],
    )


def _benchmark_id(con: duckdb.DuckDBPyConnection, file: str) -> str:
    rows = con.execute(
        "select benchmark_id from seeds.benchmarks where file = ?", [file]
    ).fetchall()
    return str(rows[0][0]) if rows else file.removesuffix(".csv")
