"""One refresh: per source fetch, land, parse, load and validate; then rebuild the marts."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import duckdb
import requests

from alerts.channels import Channel, DeliveryLog, WebhookChannel, deliver
from alerts.events import Alert, raise_alerts, snapshot_previous
from extractors import SOURCES, epoch
from extractors.base import OBSERVATION_FIELDS, Payload, SourceError, SourceSkipped
from extractors.http import make_session
from extractors.locations import fetch_location, is_url, zip_files
from extractors.reader import Reader
from extractors.zipsafe import iter_members
from pipeline.index_versions import stamp_index_versions
from pipeline.settings import Settings
from transforms.runner import BuiltModel, run_marts, run_views
from validation.seed_checks import check_seeds
from warehouse import landing
from warehouse.db import connect, ensure_schemas
from warehouse.load import load_raw_rows, load_seeds
from warehouse.lock import RefreshLock
from warehouse.swap import building_copy

log = logging.getLogger(__name__)


@dataclass
class SourceOutcome:
    """What happened to one source in one refresh, in words a person can act on."""

    source: str
    status: str  # loaded | partial | unchanged | failed
    fetch_id: int | None = None
    bytes: int = 0
    rows: int = 0
    changed: bool = False
    message: str | None = None
    quarantined: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ("loaded", "unchanged", "skipped") and not self.quarantined


@dataclass
class RefreshResult:
    as_of: date
    sources: list[SourceOutcome]
    marts: list[BuiltModel]
    run_id: str = ""
    alerts: list[Alert] = field(default_factory=list)
    undelivered: dict[str, str] = field(default_factory=dict)
    flow_run_id: str | None = None  # Prefect's, when a Prefect flow runs the night

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.sources)

    def problems(self) -> list[str]:
        lines = []
        for outcome in self.sources:
            if outcome.status == "failed":
                message = str(outcome.message)
                prefix = f"{outcome.source}: "
                lines.append(message if message.startswith(prefix) else prefix + message)
            for file, reason in sorted(outcome.quarantined.items()):
                lines.append(f"{outcome.source}: quarantined {file}: {reason}")
        return lines


def refresh(
    settings: Settings,
    as_of: date,
    sources: Sequence[str] | None = None,
    session: requests.Session | None = None,
    channels: Sequence[Channel] | None = None,
) -> RefreshResult:
    """Refresh the named sources (default: all), rebuild the marts, raise and deliver alerts.

    The same steps as the Prefect flow in flows/nightly.py, without Prefect.
    """
    with Run(settings, as_of, sources, session, channels) as run:
        for source in run.sources:
            try:
                payload = run.fetch(source)
            except SourceSkipped as reason:
                run.skip(source, reason)
                continue
            except SourceError as error:
                run.fail(source, error)
                continue
            run.ingest(payload)
        run.build()
        run.alert()
        run.notify()
        return run.finish()


class Run:
    """One refresh, step by step, inside the refresh lock and on a copy of the warehouse.

    Entering takes the lock and opens <db>.next; a clean exit swaps it in, an error discards
    it (the warehouse stays exactly as it was).
    """

    def __init__(
        self,
        settings: Settings,
        as_of: date,
        sources: Sequence[str] | None = None,
        session: requests.Session | None = None,
        channels: Sequence[Channel] | None = None,
    ) -> None:
        self.sources = list(sources or settings.sources)
        unknown = sorted(set(self.sources) - set(SOURCES))
        if unknown:
            raise ValueError(f"unknown source(s) {unknown}; known: {sorted(SOURCES)}")
        self.settings, self.as_of = settings, as_of
        self.session = session or make_session(
            settings.user_agent, settings.http_retries, settings.http_backoff_seconds
        )
        self.channels = (
            list(channels) if channels is not None else default_channels(settings, self.session)
        )
        self.run_id = f"{as_of.isoformat()}-{uuid.uuid4().hex[:8]}"
        self.started_at = datetime.now(UTC)
        self.outcomes: list[SourceOutcome] = []
        self.marts: list[BuiltModel] = []
        self.alerts: list[Alert] = []
        self.undelivered: dict[str, str] = {}
        self.flow_run_id: str | None = None  # set by the Prefect flow that runs this night
        self._stack = ExitStack()

    def __enter__(self) -> Run:
        with ExitStack() as stack:
            stack.enter_context(RefreshLock(self.settings.database))
            path = stack.enter_context(building_copy(self.settings.database))
            self.con = stack.enter_context(connect(path))
            ensure_schemas(self.con)
            load_seeds(self.con)
            check_seeds(self.con)
            run_views(self.con)
            self.has_previous = snapshot_previous(self.con)
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._stack.__exit__(*exc)  # type: ignore[arg-type]
        finally:
            # Prefect keeps task arguments (this Run) alive until exit; drop the connection so
            # no DuckDB object outlives the interpreter's teardown
            self.__dict__.pop("con", None)

    def fetch(self, source: str) -> Payload:
        """Network (or disk) I/O only: the step a flow retries. Raises SourceError."""
        location = self.settings.locations[source]
        log.info("%s: fetching %s", source, location)
        if source != epoch.name:
            return self._fetch_files(source, location)
        return fetch_location(
            source,
            location,
            self.session,
            landing.previous_fetch(self.con, source, location),
            self.settings.http_timeout_seconds,
            self.settings.max_payload_bytes,
        )

    def _fetch_files(self, source: str, location: str) -> Payload:
        headers = {"x-api-key": self.settings.aa_api_key} if self.settings.aa_api_key else {}
        reader = Reader(
            source,
            location,
            self.session,
            self.settings.http_timeout_seconds,
            self.settings.max_payload_bytes,
            headers if source == "artificial_analysis" else None,
        )
        files = SOURCES[source].fetch(reader)
        status = 200 if is_url(location) else None
        return Payload(source, location, datetime.now(UTC), status, zip_files(files))

    def skip(self, source: str, reason: BaseException) -> SourceOutcome:
        """A source that can't run as configured: one clear line, not a failure."""
        log.warning("%s", reason)
        outcome = SourceOutcome(source, "skipped", message=str(reason))
        self.outcomes.append(outcome)
        return outcome

    def fail(self, source: str, error: BaseException) -> SourceOutcome:
        """Record a source whose fetch failed for good; its last good data stays in the marts."""
        location = self.settings.locations[source]
        fetch_id = landing.record_fetch(
            self.con, (source, location), self.as_of, "failed", message=str(error)
        )
        outcome = SourceOutcome(source, "failed", fetch_id, message=str(error))
        self.outcomes.append(outcome)
        return outcome

    def ingest(self, payload: Payload) -> SourceOutcome:
        """Land, parse, load and validate one payload; never raises for bad data."""
        outcome = ingest(self.con, self.settings, payload, self.as_of)
        self.outcomes.append(outcome)
        return outcome

    def build(self) -> list[BuiltModel]:
        log.info("building marts")
        self.marts = run_marts(
            self.con,
            {
                "as_of": self.as_of,
                "frontier_lag_min_benchmarks": self.settings.frontier_lag_min_benchmarks,
            },
        )
        return self.marts

    def alert(self) -> list[Alert]:
        self.alerts = raise_alerts(self.con, self.run_id, self.as_of, self.has_previous)
        return self.alerts

    def notify(self) -> dict[str, str]:
        delivery_log = DeliveryLog(self.settings.data_dir / "alerts" / "deliveries.jsonl")
        self.undelivered = deliver(self.con, self.channels, delivery_log).failed
        return self.undelivered

    def finish(self) -> RefreshResult:
        """Record the run and its gap summary in the history tables; flush to disk."""
        result = RefreshResult(
            self.as_of,
            self.outcomes,
            self.marts,
            self.run_id,
            self.alerts,
            self.undelivered,
            self.flow_run_id,
        )
        record_run(self.con, result, self.started_at)
        self.con.execute("checkpoint")
        return result


def default_channels(settings: Settings, session: requests.Session) -> list[Channel]:
    """The webhook from settings, when one is configured (its URL is never logged)."""
    if settings.webhook_url:
        # its own session without retries: urllib3's retry warnings would print the URL
        return [WebhookChannel(settings.webhook_url)]
    return []


def record_run(con: duckdb.DuckDBPyConnection, result: RefreshResult, started_at: datetime) -> None:
    # undelivered: the data is fine, but some alert has not reached a channel (retried next run)
    status = "failed" if not result.ok else "undelivered" if result.undelivered else "succeeded"
    for outcome in result.sources:
        validation = (
            f"{len(outcome.quarantined)} file(s) quarantined" if outcome.quarantined else "passed"
        )
        con.execute(
            "insert into marts.refresh_runs (run_id, as_of, started_at, finished_at, status, "
            "source, source_status, fetch_id, bytes_fetched, changed, rows, validation, message, "
            "prefect_flow_run_id) values (?, ?, ?, now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                result.run_id,
                result.as_of,
                started_at,
                status,
                outcome.source,
                outcome.status,
                outcome.fetch_id,
                outcome.bytes,
                outcome.changed,
                outcome.rows,
                "not run" if outcome.status == "failed" else validation,
                outcome.message,
                result.flow_run_id,
            ],
        )
    con.execute(
        "insert into marts.gap_history select ?, ?, source, series, view, open_scope, access, "
        "category, "
        "latest_date, gap_months, ci_low, ci_high, n_points, n_pending, median_months_pending "
        "from marts.gap_summary",
        [result.run_id, result.as_of],
    )


def ingest(
    con: duckdb.DuckDBPyConnection, settings: Settings, payload: Payload, as_of: date
) -> SourceOutcome:
    """Land, parse, load and validate one fetched payload."""
    source = payload.source
    if payload.not_modified:
        return _unchanged(con, payload, as_of, "server answered 304 Not Modified")
    assert payload.body is not None
    sha256 = landing.sha256_hex(payload.body)
    last = landing.last_fetch(con, source)
    if last is not None and last.sha256 == sha256:
        return _unchanged(con, payload, as_of, "same sha256 as the last load", last)
    raw_path = landing.land_payload(con, settings.raw_dir, payload, as_of, sha256)
    fetch_id = landing.record_fetch(
        con, payload, as_of, "landed", sha256=sha256, raw_path=raw_path, changed=True
    )
    log.info("%s: landed %d bytes at %s", source, len(payload.body), raw_path)
    return _load_and_validate(con, settings, payload, fetch_id, as_of)


def _unchanged(
    con: duckdb.DuckDBPyConnection,
    payload: Payload,
    as_of: date,
    why: str,
    last: landing.LastFetch | None = None,
) -> SourceOutcome:
    last = last or landing.last_fetch(con, payload.source)
    fetch_id = landing.record_fetch(
        con,
        payload,
        as_of,
        "unchanged",
        sha256=last.sha256 if last else None,
        raw_path=last.raw_path if last else None,
        changed=False,
        message=why,
    )
    log.info("%s: unchanged (%s)", payload.source, why)
    size = len(payload.body) if payload.body is not None else 0
    still_quarantined = _quarantined(con, last.fetch_id) if last else {}
    return SourceOutcome(
        payload.source, "unchanged", fetch_id, size, message=why, quarantined=still_quarantined
    )


def _quarantined(con: duckdb.DuckDBPyConnection, fetch_id: int) -> dict[str, str]:
    rows = con.execute(
        "select file, reason from raw.batches "
        "where fetch_id = ? and status = 'quarantined' order by file",
        [fetch_id],
    ).fetchall()
    return {str(file): str(reason) for file, reason in rows}


def _load_and_validate(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    payload: Payload,
    fetch_id: int,
    as_of: date,
) -> SourceOutcome:
    from validation.validate import validate_fetch  # GX is heavy: only refreshes pay for it

    source = payload.source
    assert payload.body is not None
    try:
        if source == epoch.name:
            bundle = epoch.parse(
                payload.body, settings.max_member_bytes, settings.max_payload_bytes
            )
        else:
            bundle = parse_observations(source, payload.body, settings)
            if source == "artificial_analysis":
                bundle.records = stamp_index_versions(con, bundle.records, as_of)
    except SourceError as error:
        landing.update_fetch(con, fetch_id, "failed", str(error))
        return SourceOutcome(source, "failed", fetch_id, len(payload.body), message=str(error))
    con.begin()
    try:
        if source == epoch.name:
            rows = load_raw_rows(con, f"{source}__{epoch.ENTITY}", fetch_id, bundle.records)
        else:
            rows = load_raw_rows(
                con,
                f"{source}__observations",
                fetch_id,
                bundle.records,
                ("row_number", *OBSERVATION_FIELDS),
            )
        _insert_batches(con, source, fetch_id, bundle)
        log.info("%s: loaded %d rows from %d files; validating", source, rows, len(bundle.files))
        report = validate_fetch(con, source, fetch_id, as_of)
        quarantined = _quarantined(con, fetch_id)
        status = "partial" if quarantined else "loaded"
        message = f"{len(quarantined)} file(s) quarantined" if quarantined else None
        landing.update_fetch(con, fetch_id, status, message, rows)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    log.info(
        "%s: %d checks, %d files passed, %d quarantined",
        source,
        report.checks_run,
        len(report.verdicts) - len(quarantined),
        len(quarantined),
    )
    return SourceOutcome(
        source, status, fetch_id, len(payload.body), rows, True, message, quarantined
    )


def parse_observations(source: str, body: bytes, settings: Settings) -> epoch.ParsedBundle:
    """A leaderboard payload (the zip of its files) -> one batch of numbered observations."""
    files = dict(iter_members(source, body, settings.max_member_bytes, settings.max_payload_bytes))
    records = SOURCES[source].parse(files)
    numbered = [{"row_number": str(i), **record} for i, record in enumerate(records, start=1)]
    return epoch.ParsedBundle(records=numbered, files={"observations": "mixed"})


def _insert_batches(
    con: duckdb.DuckDBPyConnection, source: str, fetch_id: int, bundle: epoch.ParsedBundle
) -> None:
    counts: dict[str, int] = {}
    for record in bundle.records:
        file = str(record.get("file") or "observations")
        counts[file] = counts.get(file, 0) + 1
    for file, unit in bundle.files.items():
        benchmark = epoch.benchmark_id(file) if source == epoch.name else source
        con.execute(
            "insert into raw.batches values (?, ?, ?, ?, ?, ?, 'pending', null, null)",
            [fetch_id, source, file, benchmark, unit, counts.get(file, 0)],
        )
    for file, error in bundle.file_errors.items():
        con.execute(
            "insert into raw.batches values (?, ?, ?, ?, null, 0, 'quarantined', ?, now())",
            [fetch_id, source, file, epoch.benchmark_id(file), error],
        )
