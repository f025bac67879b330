"""Validate a fetch with Great Expectations; decide per file whether it may reach the marts.

Unit of quarantine: the file. One bad benchmark file (a renamed column, a score out of range)
should not hold back fresh data of the fifty others; the quarantined file keeps feeding the marts
from its last good batch. Archive-level problems (not a zip, path traversal) fail the whole fetch
before anything loads.

The registry (Epoch's bundle) is validated alone (`validate_fetch`). The sources whose payload is
one batch (the leaderboards, the status source) are validated together (`validate_together`):
one checkpoint run per suite over all of a night's changed payloads, each row carrying its
source. A checkpoint run costs Great Expectations about the same whatever its rows (it builds
and resolves a metric graph per expectation), so seven leaderboards validated one by one cost
seven times what one run over all of them does.
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
from validation.chunks import file_chunks
from validation.expectations import EARLIEST_RELEASE, MAX_ROW_LOSS, Check
from validation.gx_import import import_great_expectations
from validation.project import open_context, run_checkpoint, saved_checkpoints
from warehouse.queries import bind, parameters, query

MAX_OFFENDING_ROWS = 20
# a chunked suite whose rows come from a window over all of a fetch's rows (one per benchmark
# and version): computed once into a temporary table, not once per chunk
STAGED = frozenset({"collapsed_scores"})


@dataclass
class Failure:
    """One check that failed on one file, with the rows that broke it."""

    file: str
    suite: str
    check: Check
    rows: list[dict[str, Any]]
    count: int
    # the fetch the rows come from, when one frame held several (validate_together); None: the
    # frame's only fetch, or a check that named no rows (it then fails every fetch of the frame)
    fetch_id: int | None = None

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
    context: Any = None,
) -> ValidationReport:
    """Run every suite on this fetch, record results in raw.validations, set raw.batches status.

    The one entry point to GX: with gx_root (the data dir) each suite runs as a saved
    checkpoint of the gx/ project there and its result is stored (validation/project.py);
    run_name (the night's run id) names the results in Data Docs. context: the GX context of
    gx_root when the caller already holds it (a night opens it once for all its sources).
    """
    if not validated_alone(con, source):  # a one-payload source: its suites run together
        args = (con, [(source, fetch_id)], as_of, earliest_release, gx_root, run_name, context)
        verdicts = validate_together(*args)[fetch_id]
        record_verdicts(con, source, verdicts.report, verdicts.counts)
        return verdicts.report
    params = {"fetch_id": fetch_id, "as_of": as_of, "source": source, "max_loss": MAX_ROW_LOSS}
    import_great_expectations()  # first, and once: the suites below are GX objects
    suites = [
        ("score_rows", "file_score_rows", expectations.score_row_checks()),
        ("collapsed_scores", "file_collapsed_scores", expectations.collapsed_score_checks()),
        ("registry", "file_registry", expectations.registry_checks()),
        ("row_counts", "file_row_counts", expectations.row_count_checks()),
    ]
    report = ValidationReport(fetch_id)
    run_name = run_name or f"{as_of.isoformat()}-fetch-{fetch_id}"
    chunks = _chunks(con, [name for _, name, _ in suites], params)
    # each suite with its frames: read now when whole, or a chunk at a time as it is validated
    # (the per-row suites of a large fetch: see validation/chunks.py)
    planning: dict[str, tuple[str, str, list[Check], list[pd.DataFrame | list[str]]]] = {}
    counts = pd.DataFrame()
    staged: list[str] = []
    # the frames read whole first, the staged suites after: each query's working memory is
    # let go before the next, rather than a staged table held while a whole frame is computed
    for suite, name, checks in sorted(suites, key=lambda s: s[0] in STAGED):
        report.checks_run += len(checks)
        sql = query("validation", name)
        if "files" in parameters(sql) and len(chunks) > 1:
            if suite in STAGED:
                parts = _staged(con, suite, sql, params, chunks)
                staged.append(suite)
            else:
                parts = list(chunks) if _has_rows(con, sql, params, chunks) else []
            if parts:
                planning[suite] = (suite, sql, list(checks), parts)
            continue
        frame = _suite_frame(con, sql, params, chunks[0], earliest_release)
        if suite == "row_counts":
            counts = frame
        # an empty frame (no earlier good load to count against) has nothing to validate
        if not frame.empty:
            planning[suite] = (suite, sql, list(checks), [frame])
    # validated in the suites' own order (the order their failures are reported in)
    planned = [planning[suite] for suite, _, _ in suites if suite in planning]
    if context is None:
        context = open_context(gx_root)
    checkpoints = saved_checkpoints(
        context, {f"{source}.{suite}": checks for suite, _, checks, _ in planned}
    )
    try:
        for suite, sql, checks, parts in planned:
            name = f"{source}.{suite}"
            found: list[Failure] = []
            while parts:
                part = parts.pop(0)  # a validated chunk's frame is let go before the next is read
                frame = (
                    part
                    if isinstance(part, pd.DataFrame)
                    else _suite_frame(
                        con,
                        _chunk_sql(suite) if suite in staged else sql,
                        params,
                        part,
                        earliest_release,
                    )
                )
                del part
                if frame.empty:
                    continue
                outcomes = run_checkpoint(checkpoints[name], frame, run_name)
                found.extend(_failures_of(name, suite, checks, frame, outcomes))
                del frame
            report.failures.extend(_in_frame_order(checks, found))
    finally:
        for suite in staged:
            con.execute(f"drop table if exists {_staging(suite)}")
    record_verdicts(con, source, report, counts)
    return report


# the suites of a source whose payload is one batch, validated together under this name
TOGETHER = "observations"


def validated_alone(con: duckdb.DuckDBPyConnection, source: str) -> bool:
    """Whether a source is validated on its own (the registry: a bundle of files, each a unit
    of quarantine), or together with the night's other one-payload sources."""
    return _role(con, source) == "registry"


def _observation_suites() -> list[tuple[str, str, list[Check]]]:
    """A one-payload source's suites (its payload is the unit of quarantine), over the rows of
    every fetch validated together: one score per version within each source."""
    return [
        ("score_rows", "observation_score_rows", expectations.observation_row_checks()),
        (
            "collapsed_scores",
            "observation_collapsed_scores",
            expectations.collapsed_score_checks(within=("source",)),
        ),
        ("row_counts", "observation_row_counts", expectations.row_count_checks()),
    ]


@dataclass
class Verdicts:
    """One fetch's validation, ready to record (record_verdicts) in the fetch's transaction."""

    source: str
    report: ValidationReport
    counts: pd.DataFrame


def validate_together(
    con: duckdb.DuckDBPyConnection,
    fetches: Sequence[tuple[str, int]],
    as_of: date,
    earliest_release: date = EARLIEST_RELEASE,
    gx_root: Path | None = None,
    run_name: str | None = None,
    context: Any = None,
) -> dict[int, Verdicts]:
    """Run the one-payload suites over every (source, fetch_id) at once: one query and one
    checkpoint run (`observations.<suite>`) per suite, whatever the number of sources; each
    fetch's failures found by the `fetch_id` of the rows that broke a check. Records nothing:
    the caller records each fetch's verdicts (record_verdicts) in that fetch's transaction, so
    one source's trouble there ends that source only."""
    for source, _ in fetches:
        if validated_alone(con, source):
            raise ValueError(f"{source}: a registry is validated alone (validate_fetch)")
    import_great_expectations()
    params = {
        "sources": [source for source, _ in fetches],
        "fetch_ids": [fetch_id for _, fetch_id in fetches],
        "as_of": as_of,
        "max_loss": MAX_ROW_LOSS,
    }
    found = {
        fetch_id: Verdicts(source, ValidationReport(fetch_id), pd.DataFrame())
        for source, fetch_id in fetches
    }
    planned: list[tuple[str, list[Check], pd.DataFrame]] = []
    for suite, name, checks in _observation_suites():
        for verdicts in found.values():
            verdicts.report.checks_run += len(checks)
        frame = _suite_frame(con, query("validation", name), params, [], earliest_release)
        if suite == "row_counts":
            for fetch_id, counts in frame.groupby("fetch_id"):
                found[int(fetch_id)].counts = counts
        if not frame.empty:  # no rows (no earlier good load to count against): nothing to check
            planned.append((suite, checks, frame))
    if context is None:
        context = open_context(gx_root)
    checkpoints = saved_checkpoints(
        context, {f"{TOGETHER}.{suite}": checks for suite, checks, _ in planned}
    )
    run_name = run_name or f"{as_of.isoformat()}-{TOGETHER}"
    for suite, checks, frame in planned:
        name = f"{TOGETHER}.{suite}"
        outcomes = run_checkpoint(checkpoints[name], frame, run_name)
        failures = _failures_of(name, suite, checks, frame, outcomes)
        for fetch_id, verdicts in found.items():
            mine = [f for f in failures if f.fetch_id in (fetch_id, None)]
            verdicts.report.failures.extend(_in_frame_order(checks, mine))
    return found


def _chunks(
    con: duckdb.DuckDBPyConnection, names: Sequence[str], params: dict[str, Any]
) -> list[list[str]]:
    """The fetch's files in chunks for the suites that take `files`; one chunk of all of them
    when the fetch is small (or no suite takes files)."""
    if not any("files" in parameters(query("validation", name)) for name in names):
        return [[]]
    sql = query("validation", "file_chunks")
    return file_chunks(con.execute(sql, bind(sql, params)).fetchall()) or [[]]


def _has_rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any], chunks: list[list[str]]
) -> bool:
    """Whether the suite's query has a row in any chunk (what decides if its suite runs)."""
    every = [file for chunk in chunks for file in chunk]
    bound = bind(sql, {**params, "files": every})
    return bool(con.execute(f"select exists (select 1 from (\n{sql}\n))", bound).fetchall()[0][0])


def _staging(suite: str) -> str:
    """The temporary table a chunked suite's rows are computed into (see _staged)."""
    return f"temp.main.validation__{suite}"


def _chunk_sql(suite: str) -> str:
    """One chunk's rows of a staged suite, in the order its query gave them."""
    return (
        f"select * from {_staging(suite)} "
        "where list_contains($files::varchar[], file) order by rowid"
    )


def _staged(
    con: duckdb.DuckDBPyConnection,
    suite: str,
    sql: str,
    params: dict[str, Any],
    chunks: list[list[str]],
) -> list[pd.DataFrame | list[str]]:
    """The suite's rows of every chunk computed once, into a temporary table its chunks are then
    read from in the query's order; the chunks that have rows (none: the suite does not run)."""
    every = [file for chunk in chunks for file in chunk]
    table = _staging(suite)
    con.execute(
        f"create or replace temp table {table} as (\n{sql}\n)",
        bind(sql, {**params, "files": every}),
    )
    present = {file for (file,) in con.execute(f"select distinct file from {table}").fetchall()}
    return [chunk for chunk in chunks if present.intersection(chunk)]


def _suite_frame(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, Any],
    files: list[str],
    earliest_release: date,
) -> pd.DataFrame:
    frame = _frame(con, sql, {**params, "files": files})
    if "release_date" in frame:
        frame["earliest_release"] = pd.Timestamp(earliest_release)
    return frame


def _in_frame_order(checks: Sequence[Check], found: Sequence[Failure]) -> list[Failure]:
    """Failures of several chunks in the order one frame of them all gives: by check, then by
    file (a chunk holds whole files, so no file's failure is split)."""
    position = {id(check): index for index, check in enumerate(checks)}
    return sorted(found, key=lambda failure: (position[id(failure.check)], failure.file))


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    frame = con.execute(sql, bind(sql, params)).df()
    for column in ("release_date", "as_of"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column])
    return frame.reset_index(drop=True)


def _failures_of(
    name: str, suite: str, checks: Sequence[Check], frame: pd.DataFrame, outcomes: dict[int, Any]
) -> list[Failure]:
    """Each failed check's failures, one per file its unexpected rows come from."""
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
    # one failure per file, and per fetch when the frame holds several (validate_together)
    keys = ["fetch_id", "file"] if "fetch_id" in frame else ["file"]
    failures = []
    for key, rows in offending.groupby(keys, sort=True):
        fetch_id, file = key if len(keys) == 2 else (None, key[0])
        sample = rows[shown].head(MAX_OFFENDING_ROWS)
        records = json.loads(sample.to_json(orient="records", date_format="iso"))
        failures.append(
            Failure(
                str(file),
                suite,
                check,
                records,
                len(rows),
                None if fetch_id is None else int(fetch_id),
            )
        )
    return failures


def record_verdicts(
    con: duckdb.DuckDBPyConnection, source: str, report: ValidationReport, counts: pd.DataFrame
) -> None:
    """Each pending file's status and reason in raw.batches, every failure in raw.validations."""
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
        query("validation", "pending_files"), {"fetch_id": report.fetch_id}
    ).fetchall()
    by_file: dict[str, list[Failure]] = defaultdict(list)
    for failure in report.failures:
        by_file[failure.file].append(failure)
    # one update per verdict (all passing files at once), not one statement per file
    verdicts: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for (file,) in pending:
        errors = [f for f in by_file.get(file, []) if f.check.severity == "error"]
        warnings = [f for f in by_file.get(file, []) if f.check.severity == "warning"]
        status = "quarantined" if errors else "warned" if warnings else "passed"
        reason = "; ".join(f.summary() for f in errors or warnings) or None
        verdicts[(status, reason)].append(file)
    for (status, reason), files in verdicts.items():
        con.execute(
            "update raw.batches set status = ?, reason = ?, checked_at = now() "
            "where fetch_id = ? and list_contains(?::varchar[], file)",
            [status, reason, report.fetch_id, files],
        )
    for file, status in con.execute(
        query("validation", "file_verdicts"), {"fetch_id": report.fetch_id}
    ).fetchall():
        report.verdicts[file] = status
    failures = report.failures
    con.execute(
        "insert into raw.validations select ?, ?, unnest(?::varchar[]), unnest(?::varchar[]), "
        "unnest(?::varchar[]), unnest(?::varchar[]), false, unnest(?::bigint[]), "
        "unnest(?::varchar[]), now()",
        [
            report.fetch_id,
            source,
            [f.file for f in failures],
            [f.suite for f in failures],
            [f.check.describe for f in failures],
            [f.check.severity for f in failures],
            [f.count for f in failures],
            [json.dumps(f.rows, ensure_ascii=False, default=str) for f in failures],
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
    rows = con.execute(query("validation", "benchmark_of_file"), {"file": file}).fetchall()
    return str(rows[0][0]) if rows else file.removesuffix(".csv")


def _role(con: duckdb.DuckDBPyConnection, source: str) -> str:
    """The source's role in the catalog seed: its suites follow what it is, not its name."""
    rows = con.execute(query("validation", "source_role"), {"source": source}).fetchall()
    if not rows:
        raise ValueError(
            f"{source}: not in the source catalog (transforms/seeds/sources.csv); add its row"
        )
    return str(rows[0][0])
