"""The refresh as ONE ordered list of steps: per source, then once for the night.

Both run paths execute exactly these steps in this order: `pipeline.run.run()` calls each one
directly, flows/nightly.py wraps each one in a Prefect task (retrying only `fetch` of URLs).
A step never asks for a source by name; it reads what the source module declares
(extractors.base.Source). An expected end for a source (no credential, unchanged payload) is
recorded by the step itself; anything a step raises ends that source only (see run_source).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from extractors import SOURCES
from extractors.base import as_parsed, credential_headers
from extractors.locations import fetch_payload
from extractors.parsing import parsing_within
from extractors.zipsafe import ZipMembers
from pipeline.night import Run, SourceRun
from warehouse import landing
from warehouse.format_changes import record_format_changes
from warehouse.load import load_raw_rows, load_raw_tables

if TYPE_CHECKING:
    from validation.validate import ValidationReport, Verdicts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    """One named step; `retried` marks the only one worth retrying (network I/O)."""

    name: str
    action: Callable[..., Any]
    retried: bool = False
    # reads the seeds or the views: the night prepares them first (see Run.prepare)
    prepared: bool = False


def check_credential(run: Run, state: SourceRun) -> None:
    """A source whose location needs a credential that is not set is skipped, with one line."""
    credential = SOURCES[state.source].CREDENTIAL
    if credential is None:
        return
    if credential.needed_for(state.location) and not run.settings.credentials.get(
        credential.setting
    ):
        run.skip(state, credential.missing_reason(state.source))
        return
    state.headers = credential_headers(credential, run.settings.credentials)


def fetch(run: Run, state: SourceRun) -> None:
    """Network (or disk) I/O only: the step a flow retries. Raises SourceError."""
    log.info("%s: fetching %s", state.source, state.location)
    # a replay from raw/ must be the bytes that were landed, not a damaged or edited copy
    landing.verify_landed(run.settings.raw_dir, state.location)
    state.payload = fetch_payload(
        SOURCES[state.source],
        state.location,
        run.session,
        landing.previous_fetch(
            run.con,
            state.source,
            state.location,
            run.as_of,
            run.settings.max_unchanged_days,
        ),
        run.settings.http_timeout_seconds,
        run.settings.max_payload_bytes,
        state.headers,
        run.settings.limits,
    )


def land(run: Run, state: SourceRun) -> None:
    """Keep the payload under raw/ and record the fetch; an unchanged payload ends here."""
    payload = state.payload
    assert payload is not None
    if payload.not_modified:
        run.unchanged(state, "server answered 304 Not Modified")
        return
    assert payload.body is not None
    sha256 = landing.sha256_hex(payload.body)
    last = landing.last_fetch(run.con, state.source)
    if last is not None and last.sha256 == sha256:
        run.unchanged(state, "same sha256 as the last load", last)
        return
    raw_path = landing.land_payload(run.con, run.settings.raw_dir, payload, run.as_of, sha256)
    state.fetch_id = landing.record_fetch(
        run.con, payload, run.as_of, "landed", sha256=sha256, raw_path=raw_path, changed=True
    )
    log.info("%s: landed %d bytes at %s", state.source, len(payload.body), raw_path)


def parse(run: Run, state: SourceRun) -> None:
    """The landed files -> records of the source's raw table, then its post-parse hook.

    The files are expanded from the payload as the parser asks for them (ZipMembers): a source
    that reads column by column (Parsed.tables) expands each file only when it loads.
    """
    assert state.payload is not None and state.payload.body is not None
    settings = run.settings
    files = ZipMembers(
        state.source,
        state.payload.body,
        settings.max_member_bytes,
        settings.max_expanded_bytes,
    )
    source = SOURCES[state.source]
    with parsing_within(settings.limits):  # CSV field size, rows, JSON/YAML depth
        parsed = as_parsed(state.source, source.parse(files))
    if source.POST_PARSE is not None:
        parsed.records = source.POST_PARSE(run.con, parsed.records, run.as_of)
    state.parsed = parsed


def load(run: Run, state: SourceRun) -> None:
    """Load raw.<source>__<entity> and the batches (the unit of quarantine), in a transaction."""
    assert state.parsed is not None and state.fetch_id is not None
    table = SOURCES[state.source].RAW_TABLE
    run.con.begin()
    state.in_transaction = True
    raw_table = f"{state.source}__{table.entity}"
    state.rows = load_raw_rows(
        run.con, raw_table, state.fetch_id, state.parsed.records, table.columns
    )
    # file by file, each read by DuckDB straight into the raw table; one it can't read is
    # quarantined (Parsed.unreadable) before the batches are written
    loaded = load_raw_tables(run.con, raw_table, state.fetch_id, state.parsed)
    state.rows += sum(loaded.values())
    insert_batches(run, state, loaded)
    record_format_changes(run.con, state.source, state.fetch_id, state.parsed.format_changes)
    # the rows live in the warehouse now: holding them through validation too would double
    # the night's peak memory (validation reads them back as it needs them)
    state.parsed.records = []
    log.info(
        "%s: loaded %d rows from %d files; validating",
        state.source,
        state.rows,
        len(state.parsed.files),
    )


def validate(run: Run, state: SourceRun) -> None:
    """Run the expectation suites as checkpoints of <data dir>/gx; failing files are quarantined.

    Either way the loaded rows are committed first, as pending (no mart reads a pending batch).
    The registry is then validated here, alone, its verdicts committed in a transaction of their
    own. A one-payload source (a leaderboard, the status source) is queued, and validated with
    the night's others by the validate-together step.

    Why commit first: on rows still inside the load's transaction DuckDB has no statistics,
    estimates none, and builds its hash joins on them (every raw row with its `extra` JSON)
    instead of on the small tables they are joined to; at 100 times today's bundle that was
    about 130 MiB more for each query that collapses the scores.
    """
    from validation.validate import validated_alone  # GX: only when validating

    if not validated_alone(run.con, state.source):
        run.queue_validation(state)
        return
    run.commit_pending(state)
    _decide(run, state, partial(_validate_fetch, run, state))


def _validate_fetch(run: Run, state: SourceRun) -> ValidationReport:
    """The source's fetch through validate_fetch (its verdicts recorded, not yet committed)."""
    from validation.validate import validate_fetch

    assert state.fetch_id is not None
    return validate_fetch(
        run.con,
        state.source,
        state.fetch_id,
        run.as_of,
        run.settings.earliest_release,
        gx_root=run.settings.data_dir,
        run_name=run.run_id,
        context=run.gx(),
    )


def validate_together(run: Run) -> None:
    """The queued one-payload sources, validated in one checkpoint run per suite; each source's
    verdicts then recorded and committed on their own (one source's trouble ends that source).

    If the run over all of them raises, each is validated alone instead, so one payload GX
    can't check does not fail the others.
    """
    queued = [state for state in run.source_runs if state.queued]
    if not queued:
        return
    from validation.validate import validate_together as validate_all

    log.info("validating %d one-payload sources together", len(queued))
    fetches = []
    for state in queued:
        assert state.fetch_id is not None
        fetches.append((state.source, state.fetch_id))
    try:
        found = validate_all(
            run.con,
            fetches,
            run.as_of,
            run.settings.earliest_release,
            gx_root=run.settings.data_dir,
            run_name=run.run_id,
            context=run.gx(),
        )
    except Exception as error:
        log.warning("validating %d sources together failed (%s); each alone", len(queued), error)
        for state in queued:
            _decide(run, state, partial(_validate_fetch, run, state))
        return
    for state, (_, fetch_id) in zip(queued, fetches, strict=True):
        _decide(run, state, partial(_recorded, run, state, found[fetch_id]))


def _recorded(run: Run, state: SourceRun, verdicts: Verdicts) -> ValidationReport:
    """The verdicts validate_together found for this source, recorded (not yet committed)."""
    from validation.validate import record_verdicts

    record_verdicts(run.con, state.source, verdicts.report, verdicts.counts)
    return verdicts.report


def _decide(run: Run, state: SourceRun, verdicts: Callable[[], ValidationReport]) -> None:
    """A pending source's verdicts recorded (`verdicts`) and committed in its own transaction;
    whatever raises there ends this source only (its pending batches are quarantined)."""
    try:
        run.con.begin()
        state.in_transaction = True
        report = verdicts()
        run.loaded(state)
    except Exception as error:
        run.fail(state, "validate", error)
        return
    _log_checked(state, report)


def _log_checked(state: SourceRun, report: ValidationReport) -> None:
    passed = len(report.verdicts) - len(report.quarantined())
    log.info("%s: %d checks, %d files passed", state.source, report.checks_run, passed)


def insert_batches(run: Run, state: SourceRun, loaded: dict[str, int] | None = None) -> None:
    """One raw.batches row per parsed file (pending validation), one per unreadable file.

    `loaded`: rows per file of the files loaded column by column (the rest are records).
    """
    assert state.parsed is not None
    parsed, con = state.parsed, run.con
    counts: dict[str, int] = dict(loaded or {})
    for record in parsed.records:
        file = str(record.get("file") or "observations")
        counts[file] = counts.get(file, 0) + 1
    # one statement for every file (a bundle has fifty), in the files' order
    files = list(parsed.files)
    con.execute(
        "insert into raw.batches select ?, ?, unnest(?::varchar[]), unnest(?::varchar[]), "
        "unnest(?::varchar[]), unnest(?::bigint[]), 'pending', null, null",
        [
            state.fetch_id,
            state.source,
            files,
            [parsed.benchmarks.get(file, state.source) for file in files],
            [parsed.files[file] for file in files],
            [counts.get(file, 0) for file in files],
        ],
    )
    for file, error in parsed.file_errors.items():
        con.execute(
            "insert into raw.batches values (?, ?, ?, ?, null, 0, 'quarantined', ?, now())",
            [state.fetch_id, state.source, file, parsed.benchmarks.get(file, state.source), error],
        )


def build_marts(run: Run) -> None:
    run.build()


def raise_alerts(run: Run) -> None:
    run.alert()


def deliver_alerts(run: Run) -> None:
    run.notify()


def record(run: Run) -> None:
    run.record()


# the night, in order: every source through SOURCE_STEPS (isolated from the others), then these
# (the first validates the one-payload sources the validate step queued)
SOURCE_STEPS: tuple[Step, ...] = (
    Step("check-credential", check_credential),
    Step("fetch", fetch, retried=True),
    Step("land", land),
    Step("parse", parse, prepared=True),
    Step("load", load, prepared=True),
    Step("validate", validate, prepared=True),
)
NIGHT_STEPS: tuple[Step, ...] = (
    Step("validate-together", validate_together),
    Step("build-marts", build_marts),
    Step("raise-alerts", raise_alerts),
    Step("deliver", deliver_alerts),
    Step("record", record),
)
