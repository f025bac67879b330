"""The nightly refresh as a Prefect flow: one Prefect task per step of pipeline.steps.

The flow runs pipeline.run.run() itself, handing it a `call` that wraps each step in a task
named after the step and, per source, a task run named `<step>-<source>` (e.g. `fetch-epoch`).
So the Prefect path and `gapwatch refresh --no-prefect` are the same code. Retries (30 s,
2 min, 10 min by default) wrap only the fetch step of URL locations; a source missing its
credential is skipped by the check-credential step and never reaches the retried fetch.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from alerts.channels import Channel, WebhookChannel
from extractors import SOURCES, redact
from extractors.reader import is_url
from pipeline.night import RefreshResult, SourceRun
from pipeline.run import run as run_pipeline
from pipeline.settings import Settings, from_env
from pipeline.steps import NIGHT_STEPS, SOURCE_STEPS, Step
from warehouse.where import Warehouse, as_warehouse

# one Prefect task per pipeline step, named like the step
TASKS = {
    step.name: task(step.action, name=step.name, cache_policy=NO_CACHE)
    for step in (*SOURCE_STEPS, *NIGHT_STEPS)
}


def prefect_call(delays: tuple[float, ...]) -> Any:
    """Run a pipeline step as its Prefect task; retried only for the fetch of a URL."""

    def call(step: Step, *args: Any) -> Any:
        state = next((a for a in args if isinstance(a, SourceRun)), None)
        options: dict[str, Any] = {
            "task_run_name": f"{step.name}-{state.source}" if state else step.name
        }
        if step.retried and state is not None and is_url(state.location) and delays:
            options.update(retries=len(delays), retry_delay_seconds=list(delays))
        return TASKS[step.name].with_options(**options)(*args)

    return call


REPORT_TIMEOUT_SECONDS = 600
PAGE_NAME = "report.html"  # report.build's; not imported: matplotlib stays out of the worker
ARTIFACT_KEY = "gapwatch-night"  # one markdown artifact per flow run, under this key


@task(name="report", task_run_name="report", cache_policy=NO_CACHE)
def report(database: Warehouse | Path, reports_dir: Path, as_of: date, gx_root: Path) -> str | None:
    """Write the night's report (and its Data Docs) to reports/<as_of>/; refresh latest/."""
    return write_report(database, reports_dir, as_of, get_run_logger(), gx_root)


def write_report(
    database: Warehouse | Path,
    reports_dir: Path,
    as_of: date,
    logger: Any,
    gx_root: Path | None = None,
) -> str | None:
    """Publish the report from the swapped-in warehouse; a failure is logged, never raised.

    It runs in a child process: matplotlib stays out of the worker, the child may fork its
    drawing processes (unsafe in this multi-threaded one), and a stuck report is cut off by a
    timeout instead of holding the night. The data is what the night is for: a report that
    fails leaves the refresh's outcome alone.
    """
    warehouse = as_warehouse(database)
    environment = dict(os.environ)
    if warehouse.is_lake:  # the catalog may hold a password: the environment, not argv
        assert warehouse.catalog is not None and warehouse.data_path is not None
        environment["GAPWATCH_WAREHOUSE"] = warehouse.catalog
        environment["GAPWATCH_WAREHOUSE_DATA"] = warehouse.data_path
    else:
        environment.pop("GAPWATCH_WAREHOUSE", None)
    command = [
        sys.executable,
        "-m",
        "report.publish",
        "--db",
        str(warehouse.file),
        "--reports-dir",
        str(reports_dir),
        "--as-of",
        as_of.isoformat(),
        *(["--gx-root", str(gx_root)] if gx_root is not None else []),
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=REPORT_TIMEOUT_SECONDS,
            check=False,
            env=environment,
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
def nightly_refresh(
    as_of: date | None = None,
    sources: list[str] | None = None,
    data_dir: str | None = None,
    db_path: str | None = None,
    locations: dict[str, str] | None = None,
    fetch_retry_delays: list[float] | None = None,
    replay: bool = False,
) -> dict[str, Any]:
    """Fetch every source, validate, rebuild the marts, raise and deliver gap alerts.

    Every parameter defaults to the GAPWATCH_* environment of the worker (pipeline.settings).
    Credentials never travel as parameters: they come from the environment or Secret blocks.
    """
    logger = get_run_logger()
    settings = flow_settings(from_env(), data_dir, db_path, locations, fetch_retry_delays)
    if replay:  # an earlier night on purpose: loaded, but no alerts raised or sent
        settings = replace(settings, replay=True)
    settings, secret_problems = edge_secrets(settings)
    channels, channel_problems = edge_channels(settings)
    night = as_of or scheduled_night()
    result = run_pipeline(
        settings,
        night,
        sources,
        channels=channels,
        setup_problems=[*secret_problems, *channel_problems],
        call=prefect_call(settings.fetch_retry_delays),
        flow_run_id=current_flow_run_id(),
    )
    reports = settings.data_dir / "reports"
    page = reports / result.as_of.isoformat() / PAGE_NAME
    if any(o.changed for o in result.sources) or not page.parent.exists():
        written = report(settings.warehouse, reports, result.as_of, settings.data_dir)
        page = Path(written) if written else page
    else:
        logger.info("report: nothing changed since this night's report; kept")
    night_artifact(settings.warehouse, result, page if page.exists() else None, logger)
    for outcome in result.sources:
        logger.info(
            "%s: %s (%d bytes, %d rows)%s",
            outcome.source,
            outcome.status,
            outcome.bytes,
            outcome.rows,
            f": {outcome.message}" if outcome.status == "skipped" else "",
        )
    for alert in result.alerts:
        logger.info("alert: %s", alert.message)
    problems = result.problems()
    if problems:
        raise RuntimeError(f"run {result.run_id} incomplete:\n" + "\n".join(problems))
    return summary(result)


def night_artifact(
    database: Warehouse | Path, result: RefreshResult, page: Path | None, logger: Any
) -> None:
    """The night's headline and report link as a markdown artifact of this flow run.

    `database` is the warehouse itself (a DuckLake too), never only the embedded file's path.
    """
    from prefect.artifacts import create_markdown_artifact

    from pipeline.summary import night_markdown

    try:
        markdown = night_markdown(database, result, page)
        create_markdown_artifact(
            markdown=markdown,
            key=ARTIFACT_KEY,
            description=f"gapwatch: the night of {result.as_of.isoformat()}",
        )
    except Exception as error:  # the data is what the night is for
        logger.error("artifact: not created (%s)", error)


def current_flow_run_id() -> str | None:
    """This night's Prefect flow-run id, stored with the run in history.refresh_runs."""
    from prefect.runtime import flow_run

    found = flow_run.id
    return str(found) if found else None


def flow_settings(
    settings: Settings,
    data_dir: str | None,
    db_path: str | None,
    locations: dict[str, str] | None,
    fetch_retry_delays: list[float] | None,
) -> Settings:
    """The worker's settings with the flow run's parameters applied."""
    if data_dir:
        settings = replace(settings, data_dir=Path(data_dir))
    if db_path:
        settings = replace(settings, db_path=Path(db_path))
    for source, location in (locations or {}).items():
        settings = settings.with_location(source, location)
    if fetch_retry_delays is not None:
        settings = replace(settings, fetch_retry_delays=tuple(fetch_retry_delays))
    return settings


def scheduled_night() -> date:
    """The night this run stands for: its scheduled start (a late run keeps its night)."""
    from prefect.runtime import flow_run

    scheduled = flow_run.scheduled_start_time
    if scheduled is None:
        return datetime.now(UTC).date()
    return datetime.fromtimestamp(scheduled.timestamp(), UTC).date()


def edge_secrets(settings: Settings) -> tuple[Settings, list[str]]:
    """Source credentials from Prefect Secret blocks, for each one named in the environment.

    The block of a credential setting X is named by X_SECRET_BLOCK (e.g.
    GAPWATCH_AA_API_KEY_SECRET_BLOCK; GAPWATCH_AA_SECRET_BLOCK is read too, as before). A block
    that can't be loaded is a recorded problem: the source is then skipped for want of its key.
    """
    problems = []
    for source in SOURCES.values():
        credential = source.CREDENTIAL
        if credential is None or settings.credentials.get(credential.setting):
            continue
        block = os.environ.get(f"{credential.setting}_SECRET_BLOCK") or os.environ.get(
            credential.setting.removesuffix("_API_KEY") + "_SECRET_BLOCK"
        )
        if not block:
            continue
        try:
            from prefect.blocks.system import Secret

            value = str(Secret.load(block).get())
        except Exception as error:
            problems.append(f"{source.name}: Secret block {block!r} not loaded ({error})")
            continue
        redact.register(value)  # masked in every log line from here on
        settings = settings.with_credential(credential.setting, value)
    return settings, problems


def edge_channels(settings: Settings) -> tuple[list[Channel], list[str]]:
    """Delivery channels resolved before the data work: webhook URL and notification block.

    A channel that can't be set up is recorded as a problem, never raised: the data is what
    the night is for.
    """
    channels: list[Channel] = []
    problems: list[str] = []
    url = settings.webhook_url
    secret_block = os.environ.get("GAPWATCH_WEBHOOK_SECRET_BLOCK")
    if not url and secret_block:
        try:
            from prefect.blocks.system import Secret

            url = str(Secret.load(secret_block).get())
        except Exception as error:
            problems.append(f"alerts: webhook Secret block {secret_block!r} not loaded ({error})")
    if url:
        channels.append(WebhookChannel(url, timeout=settings.webhook_timeout_seconds))
    block_name = os.environ.get("GAPWATCH_NOTIFICATION_BLOCK")
    if block_name:
        try:
            from flows.notify import notification_channel

            channels.append(notification_channel(block_name))
        except Exception as error:
            problems.append(f"alerts: notification block {block_name!r} not loaded ({error})")
    return channels, problems


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
