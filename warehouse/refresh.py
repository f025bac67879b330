"""One refresh: per source fetch, land, parse, load and validate; then rebuild the marts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb
import requests

from extractors import SOURCES, epoch
from extractors.base import Payload, SourceError
from extractors.http import make_session
from extractors.locations import fetch_location
from transforms.runner import BuiltModel, run_marts, run_views
from warehouse import landing
from warehouse.db import connect, ensure_schemas
from warehouse.load import load_raw_rows, load_seeds
from warehouse.seed_checks import check_seeds
from warehouse.settings import Settings

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
        return self.status in ("loaded", "unchanged") and not self.quarantined


@dataclass
class RefreshResult:
    as_of: date
    sources: list[SourceOutcome]
    marts: list[BuiltModel]

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.sources)

    def problems(self) -> list[str]:
        lines = []
        for outcome in self.sources:
            if outcome.status == "failed":
                lines.append(f"{outcome.source}: {outcome.message}")
            for file, reason in sorted(outcome.quarantined.items()):
                lines.append(f"{outcome.source}: quarantined {file}: {reason}")
        return lines


def refresh(
    settings: Settings,
    as_of: date,
    sources: Sequence[str] | None = None,
    session: requests.Session | None = None,
) -> RefreshResult:
    """Refresh the named sources (default: all) and rebuild the marts from the last good data."""
    names = list(sources or SOURCES)
    unknown = sorted(set(names) - set(SOURCES))
    if unknown:
        raise ValueError(f"unknown source(s) {unknown}; known: {sorted(SOURCES)}")
    session = session or make_session(
        settings.user_agent, settings.http_retries, settings.http_backoff_seconds
    )
    with connect(settings.database) as con:
        ensure_schemas(con)
        load_seeds(con)
        check_seeds(con)
        run_views(con)
        outcomes = [refresh_source(con, settings, name, as_of, session) for name in names]
        log.info("building marts")
        marts = run_marts(con, {"as_of": as_of})
    return RefreshResult(as_of, outcomes, marts)


def refresh_source(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    source: str,
    as_of: date,
    session: requests.Session,
) -> SourceOutcome:
    """Fetch, land, parse, load and validate one source; never raises for bad data."""
    location = settings.locations[source]
    log.info("%s: fetching %s", source, location)
    try:
        payload = fetch_location(
            source,
            location,
            session,
            landing.previous_fetch(con, source, location),
            settings.http_timeout_seconds,
            settings.max_payload_bytes,
        )
    except SourceError as error:
        fetch_id = landing.record_fetch(
            con, (source, location), as_of, "failed", message=str(error)
        )
        return SourceOutcome(source, "failed", fetch_id, message=str(error))
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
    from warehouse.validate import validate_fetch  # GX is heavy: only refreshes pay for it

    source = payload.source
    assert payload.body is not None
    try:
        bundle = epoch.parse(payload.body, settings.max_member_bytes, settings.max_payload_bytes)
    except SourceError as error:
        landing.update_fetch(con, fetch_id, "failed", str(error))
        return SourceOutcome(source, "failed", fetch_id, len(payload.body), message=str(error))
    con.begin()
    try:
        rows = load_raw_rows(con, f"{source}__{epoch.ENTITY}", fetch_id, bundle.records)
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


def _insert_batches(
    con: duckdb.DuckDBPyConnection, source: str, fetch_id: int, bundle: epoch.ParsedBundle
) -> None:
    counts: dict[str, int] = {}
    for record in bundle.records:
        file = str(record["file"])
        counts[file] = counts.get(file, 0) + 1
    for file, unit in bundle.files.items():
        con.execute(
            "insert into raw.batches values (?, ?, ?, ?, ?, ?, 'pending', null, null)",
            [fetch_id, source, file, epoch.benchmark_id(file), unit, counts.get(file, 0)],
        )
    for file, error in bundle.file_errors.items():
        con.execute(
            "insert into raw.batches values (?, ?, ?, ?, null, 0, 'quarantined', ?, now())",
            [fetch_id, source, file, epoch.benchmark_id(file), error],
        )
