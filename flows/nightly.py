"""The nightly refresh as a Prefect flow: thin wrappers over warehouse.refresh's plain functions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from prefect import flow, get_run_logger

from warehouse.refresh import RefreshResult, refresh
from warehouse.settings import from_env


@flow(name="nightly-refresh", log_prints=False)
def nightly_refresh(as_of: date | None = None, sources: list[str] | None = None) -> RefreshResult:
    """Refresh every source and rebuild the marts; fails naming each broken source."""
    logger = get_run_logger()
    result = refresh(from_env(), as_of or datetime.now(UTC).date(), sources)
    for outcome in result.sources:
        logger.info("%s: %s (%d rows)", outcome.source, outcome.status, outcome.rows)
    problems = result.problems()
    if problems:
        raise RuntimeError("refresh incomplete:\n" + "\n".join(problems))
    return result
