"""The nightly refresh as a Prefect flow: thin tasks over the steps of pipeline.run.Run.

Retries (with backoff) wrap network I/O only; parsing, loading, validation and transforms fail
fast. One broken source does not stop the others: its last good data stays, and the flow ends
failed naming it once the healthy sources are refreshed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from alerts.channels import Channel, WebhookChannel
from alerts.events import Alert
from extractors.base import Payload
from extractors.locations import is_url
from pipeline.run import RefreshResult, Run, SourceOutcome
from pipeline.settings import Settings, from_env
from transforms.runner import BuiltModel

FETCH_RETRY_DELAYS = [30, 120, 600]


@task(name="extract", cache_policy=NO_CACHE)
def extract(run: Run, source: str) -> Payload:
    return run.fetch(source)


@task(name="land-load-validate", cache_policy=NO_CACHE)
def land_load_validate(run: Run, payload: Payload) -> SourceOutcome:
    return run.ingest(payload)


@task(name="transform", cache_policy=NO_CACHE)
def transform(run: Run) -> list[BuiltModel]:
    return run.build()


@task(name="alerts", cache_policy=NO_CACHE)
def alerts(run: Run) -> list[Alert]:
    return run.alert()


@task(name="notify", cache_policy=NO_CACHE)
def notify(run: Run) -> dict[str, str]:
    return run.notify()


REPORT_TIMEOUT_SECONDS = 600


@task(name="report", cache_policy=NO_CACHE)
def report(database: Path, reports_dir: Path, as_of: date) -> str | None:
    """Write the night's report to reports/<as_of>/ and refresh reports/latest/."""
    return write_report(database, reports_dir, as_of, get_run_logger())


def write_report(database: Path, reports_dir: Path, as_of: date, logger: Any) -> str | None:
    """Publish the report from the swapped-in warehouse; a failure is logged, never raised.

    It runs in a child process: matplotlib stays out of the worker, the child may fork its
    drawing processes (unsafe in this multi-threaded one), and a stuck report is cut off by a
    timeout instead of holding the night. The data is what the night is for: a report that
    fails leaves the refresh's outcome alone.
    """
    command = [
        sys.executable,
        "-m",
        "report.publish",
        "--db",
        str(database),
        "--reports-dir",
        str(reports_dir),
        "--as-of",
        as_of.isoformat(),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=REPORT_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.error("report: not written (%s); the refresh itself is not affected", error)
        return None
    if done.returncode != 0:
        logger.error(
            "report: not written (exit %d); the refresh itself is not affected:\n%s",
            done.returncode,
            done.stderr.strip()[-4000:],
        )
        return None
    html = done.stdout.strip().splitlines()[-1]
    logger.info("report: %s", html)
    return html


@flow(name="nightly-refresh", log_prints=False)
def nightly_refresh(as_of: date | None = None, sources: list[str] | None = None) -> dict[str, Any]:
    """Fetch every source, validate, rebuild the marts, raise and deliver gap alerts."""
    logger = get_run_logger()
    settings = edge_secrets(from_env())
    night = as_of or scheduled_night()
    with Run(settings, night, sources, channels=edge_channels(settings)) as run:
        run.flow_run_id = current_flow_run_id()
        for source in run.sources:
            state = _extract_with_retries(settings, source)(run, source, return_state=True)
            if state.is_failed():
                error = state.result(raise_on_failure=False)
                logger.error("%s: fetch failed for good: %s", source, error)
                run.fail(source, error)
                continue
            land_load_validate(run, state.result())
        transform(run)
        alerts(run)
        notify(run)
        result = run.finish()
    reports = settings.data_dir / "reports"
    if any(o.changed for o in result.sources) or not (reports / result.as_of.isoformat()).exists():
        report(settings.database, reports, result.as_of, return_state=True)
    else:
        logger.info("report: nothing changed since this night's report; kept")
    for outcome in result.sources:
        logger.info(
            "%s: %s (%d bytes, %d rows)",
            outcome.source,
            outcome.status,
            outcome.bytes,
            outcome.rows,
        )
    for alert in result.alerts:
        logger.info("alert: %s", alert.message)
    problems = result.problems()
    if problems:
        raise RuntimeError(f"run {result.run_id} incomplete:\n" + "\n".join(problems))
    return summary(result)


def scheduled_night() -> date:
    """The night this run stands for: its scheduled start (a late run keeps its night)."""
    from prefect.runtime import flow_run

    scheduled = flow_run.scheduled_start_time
    if scheduled is None:
        return datetime.now(UTC).date()
    return datetime.fromtimestamp(scheduled.timestamp(), UTC).date()


def current_flow_run_id() -> str | None:
    """This night's Prefect flow-run id, stored with the run in marts.refresh_runs."""
    from prefect.runtime import flow_run

    found = flow_run.id
    return str(found) if found else None


def edge_secrets(settings: Settings) -> Settings:
    """The Artificial Analysis key from a Prefect Secret block, when one is named."""
    from dataclasses import replace

    block = os.environ.get("GAPWATCH_AA_SECRET_BLOCK")
    if settings.aa_api_key or not block:
        return settings
    from prefect.blocks.system import Secret

    return replace(settings, aa_api_key=str(Secret.load(block).get()))


def _extract_with_retries(settings: Settings, source: str) -> Any:
    # retrying a missing local file helps nobody: only URLs get Prefect's coarse retries
    if not is_url(settings.locations[source]):
        return extract
    delays = [
        float(d) for d in os.environ.get("GAPWATCH_FETCH_RETRY_DELAYS", "").split()
    ] or FETCH_RETRY_DELAYS
    return extract.with_options(retries=len(delays), retry_delay_seconds=delays)


def edge_channels(settings: Settings) -> list[Channel]:
    """Delivery channels resolved here, at the edge: webhook URL and notification block."""
    import requests

    channels: list[Channel] = []
    url = settings.webhook_url
    secret_block = os.environ.get("GAPWATCH_WEBHOOK_SECRET_BLOCK")
    if not url and secret_block:
        from prefect.blocks.system import Secret

        url = str(Secret.load(secret_block).get())
    if url:
        channels.append(WebhookChannel(url, requests.Session(), settings.http_timeout_seconds))
    block_name = os.environ.get("GAPWATCH_NOTIFICATION_BLOCK")
    if block_name:
        from flows.notify import notification_channel

        channels.append(notification_channel(block_name))
    return channels


def summary(result: RefreshResult) -> dict[str, Any]:
    """What the flow run returns: small and JSON-able, for the UI and the CLI."""
    return {
        "run_id": result.run_id,
        "as_of": result.as_of.isoformat(),
        "ok": result.ok,
        "sources": {o.source: o.status for o in result.sources},
        "alerts": [a.message for a in result.alerts],
        "undelivered": len(result.undelivered),
    }
