"""One night's state: the warehouse copy, each source's way through the steps, the outcome.

`Run` opens the refresh (lock, copy, seeds, views) and records how each source ended; the steps
in pipeline.steps do the work and pipeline.run executes them in order.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast

import duckdb

from alerts.channels import Channel, DeliveryLog, WebhookChannel, deliver
from extractors import SOURCES
from extractors.base import HTTPStatusError, Parsed, Payload, SourceError
from pipeline.settings import Settings
from transforms import inputs
from warehouse import landing
from warehouse.db import ensure_schemas
from warehouse.health import check_before_refresh
from warehouse.pandas_probe import WithoutPandas
from warehouse.queries import query
from warehouse.replay import check_replay
from warehouse.store import night_done, refresh_lock, refreshing

if TYPE_CHECKING:
    import requests

    from alerts.events import Alert
    from transforms.runner import BuiltModel

log = logging.getLogger(__name__)


class LazySession:
    """The night's HTTP session, made (and requests imported) when a fetch first uses it."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._session: requests.Session | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # copy/pickle probes and our own fields: not the session's
            raise AttributeError(name)
        if self._session is None:
            from extractors.http import make_session

            settings = self._settings
            self._session = make_session(
                settings.user_agent, settings.http_retries, settings.http_backoff_seconds
            )
        return getattr(self._session, name)


@dataclass
class SourceOutcome:
    """What happened to one source in one refresh, in words a person can act on."""

    source: str
    status: str  # loaded | partial | unchanged | skipped | failed
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
class SourceRun:
    """One source's way through the steps; `outcome` is set once the source is done."""

    source: str
    location: str
    headers: dict[str, str] = field(default_factory=dict)
    payload: Payload | None = None
    fetch_id: int | None = None
    parsed: Parsed | None = None
    rows: int = 0
    in_transaction: bool = False
    # its rows committed with pending batches (no mart reads them) until a verdict is committed
    pending: bool = False
    # loaded and committed as pending, to be validated by the night's validate-together step
    queued: bool = False
    outcome: SourceOutcome | None = None

    @property
    def size(self) -> int:
        body = self.payload.body if self.payload is not None else None
        return len(body) if body is not None else 0


@dataclass
class RefreshResult:
    as_of: date
    sources: list[SourceOutcome]
    marts: list[BuiltModel]
    run_id: str = ""
    alerts: list[Alert] = field(default_factory=list)
    undelivered: dict[str, str] = field(default_factory=dict)
    # set-up at the edge that failed before the data work (a missing notification block...)
    setup_problems: list[str] = field(default_factory=list)
    flow_run_id: str | None = None  # Prefect's, when a Prefect flow runs the night
    rebuilt: bool = True  # False: no input changed, the marts were left as they were

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
        lines.extend(self.setup_problems)
        return lines


def one_line(source: str, step: str, error: BaseException) -> str:
    """A source's failure as one line: our own errors as they are, others with step and type."""
    if isinstance(error, SourceError):
        text = str(error)
    else:
        text = f"{step} failed: {type(error).__name__}: {error}"
    text = " ".join(text.split()) or type(error).__name__
    return text if text.startswith(f"{source}: ") else f"{source}: {text}"


class Run:
    """One refresh, step by step, inside the refresh lock (warehouse.store.refreshing).

    On the DuckDB file, entering opens <db>.next; a clean exit swaps it in, an error discards
    it (the warehouse stays exactly as it was). On a DuckLake the night commits in place and
    readers stay on the previous night's snapshot until `record` marks this one.
    """

    def __init__(
        self,
        settings: Settings,
        as_of: date,
        sources: Sequence[str] | None = None,
        session: requests.Session | None = None,
        channels: Sequence[Channel] | None = None,
        setup_problems: Sequence[str] = (),
        flow_run_id: str | None = None,
    ) -> None:
        names = list(sources or settings.sources)
        unknown = sorted(set(names) - set(SOURCES))
        if unknown:
            raise ValueError(f"unknown source(s) {unknown}; known: {sorted(SOURCES)}")
        self.settings, self.as_of = settings, as_of
        self.sources = names
        self.source_runs = [SourceRun(name, settings.locations[name]) for name in names]
        # made on first use: a night that reads only local files never imports requests
        self.session = session or cast("requests.Session", LazySession(settings))
        # channels are resolved before any data work; what failed there is recorded
        self.channels = (
            list(channels) if channels is not None else default_channels(settings, self.session)
        )
        self.setup_problems = list(setup_problems)
        for line in self.setup_problems:
            log.error("%s", line)
        self.run_id = f"{as_of.isoformat()}-{uuid.uuid4().hex[:8]}"
        self.flow_run_id = flow_run_id  # set when a Prefect flow runs this night
        self.started_at = datetime.now(UTC)
        self.marts: list[BuiltModel] = []
        self.rebuilt = False  # did this night rebuild the marts (see build())
        self.prepared = False  # seeds, views and the alerts' snapshot made (see prepare())
        self.has_previous = False
        self.alerts: list[Alert] = []
        self.undelivered: dict[str, str] = {}
        # the GX project's context (data dir/gx): opened by the first source that validates,
        # then shared by the others (pipeline.steps.validate)
        self.gx_context: Any = None
        self._stack = ExitStack()
        # DuckDB imports pandas to bind any value, unless told it is not there: until the night
        # has work (prepare), it is told so (see warehouse/pandas_probe.py)
        self._without_pandas = WithoutPandas()

    def __enter__(self) -> Run:
        with ExitStack() as stack:
            stack.enter_context(self._without_pandas)
            stack.enter_context(refresh_lock(self.settings.warehouse))
            check_before_refresh(self.settings.warehouse)
            self.con = stack.enter_context(refreshing(self.settings.warehouse))
            limit_memory(self.con, self.settings.duckdb_memory_mib)
            ensure_schemas(self.con)
            check_replay(self.con, self.as_of, self.settings.replay)
            self._stack = stack.pop_all()
        return self

    def prepare(self) -> None:
        """Seeds loaded and checked, views made, the marts snapshotted for the alerts; once.

        Done only when the night has work for them (a source landed new data, or the marts'
        inputs changed): an unchanged night neither imports the transforms nor touches them.
        A seed that can't be used raises SeedError here, before any data of this night is
        validated or built.
        """
        if self.prepared:
            return
        self._without_pandas.release()  # what follows may read or build DataFrames
        from alerts.events import snapshot_previous
        from transforms.runner import run_views
        from validation.seed_checks import check_seeds
        from warehouse.load import load_seeds

        load_seeds(self.con)
        check_seeds(self.con)
        run_views(self.con)
        self.has_previous = snapshot_previous(self.con)
        self.prepared = True

    def gx(self) -> Any:
        """The GX project's context (data dir/gx), opened once a night by its first validation."""
        if self.gx_context is None:
            from validation.project import open_context

            self.gx_context = open_context(self.settings.data_dir)
        return self.gx_context

    def __exit__(self, *exc: object) -> None:
        try:
            self._stack.__exit__(*exc)  # type: ignore[arg-type]
        finally:
            # Prefect keeps task arguments (this Run) alive until exit; drop the connection so
            # no DuckDB object outlives the interpreter's teardown
            self.__dict__.pop("con", None)
            self.gx_context = None

    @property
    def outcomes(self) -> list[SourceOutcome]:
        return [state.outcome for state in self.source_runs if state.outcome is not None]

    # --- how a source ends -------------------------------------------------------------

    def skip(self, state: SourceRun, reason: str) -> None:
        """A source that can't run as configured: one clear line, not a failure."""
        log.warning("%s", reason)
        state.outcome = SourceOutcome(state.source, "skipped", message=reason)

    def fail(self, state: SourceRun, step: str, error: BaseException) -> None:
        """Record a source that failed at a step; its last good data stays in the marts."""
        if state.in_transaction:
            self.con.rollback()
            state.in_transaction = False
        message = one_line(state.source, step, error)
        log.error("%s", message)
        if state.pending:  # its rows are committed, pending: they stay out of the marts
            assert state.fetch_id is not None
            self.con.execute(
                "update raw.batches set status = 'quarantined', reason = ?, checked_at = now() "
                "where fetch_id = ? and status = 'pending'",
                [f"not validated: {message}", state.fetch_id],
            )
            state.pending = state.queued = False
        if state.fetch_id is not None:
            landing.update_fetch(self.con, state.fetch_id, "failed", message)
        else:
            state.fetch_id = landing.record_fetch(
                self.con,
                (state.source, state.location),
                self.as_of,
                "failed",
                message=message,
                # what the server last answered (a 4xx, or a 5xx after retries); None: no answer
                http_status=error.http_status if isinstance(error, HTTPStatusError) else None,
            )
        state.outcome = SourceOutcome(
            state.source, "failed", state.fetch_id, state.size, message=message
        )

    def unchanged(self, state: SourceRun, why: str, last: landing.LastFetch | None = None) -> None:
        """Nothing new since the last load: recorded, not reloaded."""
        assert state.payload is not None
        last = last or landing.last_fetch(self.con, state.source)
        state.fetch_id = landing.record_fetch(
            self.con,
            state.payload,
            self.as_of,
            "unchanged",
            sha256=last.sha256 if last else None,
            raw_path=last.raw_path if last else None,
            changed=False,
            message=why,
        )
        log.info("%s: unchanged (%s)", state.source, why)
        still_quarantined = _quarantined(self.con, last.fetch_id) if last else {}
        state.outcome = SourceOutcome(
            state.source,
            "unchanged",
            state.fetch_id,
            state.size,
            message=why,
            quarantined=still_quarantined,
        )

    def commit_pending(self, state: SourceRun) -> None:
        """Commit the loaded rows with their batches pending: validation then reads stored rows
        (DuckDB's statistics know them), and a verdict is committed on its own."""
        self.con.commit()
        state.in_transaction = False
        state.pending = True

    def queue_validation(self, state: SourceRun) -> None:
        """Commit a one-payload source's rows as pending; the validate-together step decides."""
        self.commit_pending(state)
        state.queued = True
        log.info(
            "%s: queued for validation with the night's other one-payload sources", state.source
        )

    def loaded(self, state: SourceRun) -> None:
        """Validated: the fetch is loaded (or partly, with files quarantined); commit."""
        assert state.fetch_id is not None
        state.pending = state.queued = False
        quarantined = _quarantined(self.con, state.fetch_id)
        status = "partial" if quarantined else "loaded"
        message = f"{len(quarantined)} file(s) quarantined" if quarantined else None
        landing.update_fetch(self.con, state.fetch_id, status, message, state.rows)
        self.con.commit()
        state.in_transaction = False
        state.outcome = SourceOutcome(
            state.source,
            status,
            state.fetch_id,
            state.size,
            state.rows,
            True,
            message,
            quarantined,
        )

    # --- the night ---------------------------------------------------------------------

    def build(self) -> list[BuiltModel]:
        """Rebuild the marts, unless nothing they are built from changed since the last build."""
        params = {
            "as_of": self.as_of,
            "frontier_lag_min_benchmarks": self.settings.frontier_lag_min_benchmarks,
        }
        digest = inputs.fingerprint(self.con, params)
        if inputs.last_build(self.con) == digest:
            log.info("marts: no input changed since the last build; not rebuilt")
            self.rebuilt = False
            return self.marts
        from transforms.runner import run_marts

        self.prepare()
        log.info("building marts")
        self.marts = run_marts(self.con, params)
        inputs.record_build(self.con, digest, self.as_of)
        self.rebuilt = True
        return self.marts

    def alert(self) -> list[Alert]:
        if self.settings.replay:  # an old night made current again is not news
            return self.alerts
        if not self.prepared:  # no source landed anything and the marts stand: nothing is new
            return self.alerts
        from alerts.events import raise_alerts
        from alerts.format_alerts import raise_format_alerts

        # format drift first: it is news even on a baseline run, and it explains quiet nights
        drift = raise_format_alerts(self.con, self.run_id, self.as_of)
        self.alerts = drift + raise_alerts(self.con, self.run_id, self.as_of, self.has_previous)
        return self.alerts

    def notify(self) -> dict[str, str]:
        if self.settings.replay:
            log.info("replay: alerts are neither raised nor sent")
            return self.undelivered
        delivery_log = DeliveryLog(self.settings.data_dir / "alerts" / "deliveries.jsonl")
        report = deliver(self.con, self.channels, delivery_log, self.settings.webhook_max_failures)
        self.undelivered = report.failed
        return self.undelivered

    def result(self) -> RefreshResult:
        return RefreshResult(
            self.as_of,
            self.outcomes,
            self.marts,
            self.run_id,
            self.alerts,
            self.undelivered,
            self.setup_problems,
            self.flow_run_id,
            self.rebuilt,
        )

    def record(self) -> None:
        """Record the run and its gap summary in the history tables; flush to disk.

        On a DuckLake this is the night's last commit: the snapshot readers see as this night.
        """
        with night_done(self.con, self.as_of, self.run_id):
            record_run(self.con, self.result(), self.started_at)


def default_channels(settings: Settings, session: requests.Session) -> list[Channel]:
    """The webhook from settings, when one is configured (its URL is never logged)."""
    if settings.webhook_url:
        # its own session without retries: urllib3's retry warnings would print the URL
        return [WebhookChannel(settings.webhook_url, timeout=settings.webhook_timeout_seconds)]
    return []


def _quarantined(con: duckdb.DuckDBPyConnection, fetch_id: int) -> dict[str, str]:
    rows = con.execute(
        "select file, reason from raw.batches "
        "where fetch_id = ? and status = 'quarantined' order by file",
        [fetch_id],
    ).fetchall()
    return {str(file): str(reason) for file, reason in rows}


def record_run(con: duckdb.DuckDBPyConnection, result: RefreshResult, started_at: datetime) -> None:
    # undelivered: the data is fine, but some alert has not reached a channel (retried next run)
    status = "failed" if not result.ok else "undelivered" if result.undelivered else "succeeded"
    for outcome in result.sources:
        validation = (
            f"{len(outcome.quarantined)} file(s) quarantined" if outcome.quarantined else "passed"
        )
        con.execute(
            "insert into history.refresh_runs (run_id, as_of, started_at, finished_at, status, "
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
    rows = query("pipeline", "gap_history_rows")
    con.execute(
        f"insert into history.gap_history {rows}", {"run_id": result.run_id, "as_of": result.as_of}
    )


def limit_memory(con: duckdb.DuckDBPyConnection, mib: int) -> None:
    """DuckDB's memory for the night (GAPWATCH_DUCKDB_MEMORY_MIB): its joins, sorts and
    temporary tables spill to disk beyond it, so a bundle 100 times today's costs about the
    same memory (left alone when the configuration is locked)."""
    (locked,) = con.execute("select current_setting('lock_configuration')").fetchall()[0]
    if not locked:
        con.execute("set memory_limit = ?", [f"{mib}MiB"])
