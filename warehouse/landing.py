"""Keep every fetched payload immutably on disk and record the fetch in raw.fetches."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from extractors.base import Payload, Previous, SourceError
from warehouse.db import next_fetch_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LastFetch:
    """The newest fetch of a source that got a body (what "unchanged" compares against)."""

    fetch_id: int
    sha256: str
    raw_path: str


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def land_payload(
    con: duckdb.DuckDBPyConnection, raw_dir: Path, payload: Payload, as_of: date, sha256: str
) -> Path:
    """Write the body under raw/<source>/<as_of>/ once; identical content is stored only once."""
    known = con.execute(
        "select raw_path from raw.fetches where sha256 = ? and raw_path is not null "
        "order by fetch_id limit 1",
        [sha256],
    ).fetchall()
    if known and Path(known[0][0]).is_file():
        return Path(known[0][0])
    assert payload.body is not None
    target = raw_dir / payload.source / as_of.isoformat() / f"payload-{sha256[:16]}{payload.suffix}"
    if not target.exists():
        _write_once(target, payload.body)
    return target


def _write_once(target: Path, body: bytes) -> None:
    # temp file + rename: a crash never leaves a half-written payload behind
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".landing-")
    with os.fdopen(handle, "wb") as stream:
        stream.write(body)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(temporary, 0o444)
    os.replace(temporary, target)


MAX_UNCHANGED_DAYS = 7


def previous_fetch(
    con: duckdb.DuckDBPyConnection,
    source: str,
    location: str,
    as_of: date | None = None,
    max_unchanged_days: int = MAX_UNCHANGED_DAYS,
) -> Previous:
    """Validators of the last successful fetch of this exact location, for conditional GETs.

    A payload that failed to parse or load must not be sent as If-None-Match: the server would
    answer 304 and the broken upstream would pass as "unchanged" night after night. Nor is a
    server believed forever: when its last full download (HTTP 200) is more than
    max_unchanged_days before as_of, the request goes out unconditional, so a server that
    wrongly answers 304 costs at most that many days of staleness.
    """
    if as_of is not None and _downloaded_long_ago(con, source, location, as_of, max_unchanged_days):
        log.info(
            "%s: no full download for over %d days; fetching unconditionally",
            source,
            max_unchanged_days,
        )
        return Previous()
    rows = con.execute(
        "select sha256, etag, last_modified from raw.fetches "
        "where source = ? and location = ? and sha256 is not null "
        "and status in ('loaded', 'partial', 'unchanged') "
        "order by fetch_id desc limit 1",
        [source, location],
    ).fetchall()
    return Previous(*rows[0]) if rows else Previous()


def _downloaded_long_ago(
    con: duckdb.DuckDBPyConnection, source: str, location: str, as_of: date, days: int
) -> bool:
    rows = con.execute(
        "select max(as_of) from raw.fetches "
        "where source = ? and location = ? and http_status = 200",
        [source, location],
    ).fetchall()
    last = rows[0][0] if rows else None
    return last is not None and (as_of - last).days > days


class LandedPayloadCorrupt(SourceError):
    """A landed payload read back (a replay) does not hash to the sha256 it was landed under."""


_LANDED_NAME = re.compile(r"^payload-([0-9a-f]{16})")


def verify_landed(raw_dir: Path, location: str, body: bytes | None = None) -> None:
    """A payload replayed from raw/ must still be the bytes that were landed (its name says).

    Checked before the source reads it (body None: the file is read here), so a damaged
    payload is named as such rather than failing later as "not a zip".
    """
    path = Path(location).expanduser()
    try:
        inside = path.resolve().is_relative_to(raw_dir.resolve())
    except OSError:
        return
    match = _LANDED_NAME.match(path.name)
    if not inside or match is None or not path.is_file():
        return
    actual = sha256_hex(path.read_bytes() if body is None else body)
    if not actual.startswith(match.group(1)):
        raise LandedPayloadCorrupt(
            f"{location}: the landed payload does not match its sha256 (named "
            f"{match.group(1)}…, hashes to {actual[:16]}…); it was altered or damaged on disk, "
            "nothing was loaded; restore it from a backup or fetch the source again"
        )


def last_fetch(con: duckdb.DuckDBPyConnection, source: str) -> LastFetch | None:
    rows = con.execute(
        "select fetch_id, sha256, raw_path from raw.fetches "
        "where source = ? and sha256 is not null and status in ('loaded', 'partial') "
        "order by fetch_id desc limit 1",
        [source],
    ).fetchall()
    return LastFetch(*rows[0]) if rows else None


def record_fetch(
    con: duckdb.DuckDBPyConnection,
    payload_or_location: Payload | tuple[str, str],
    as_of: date,
    status: str,
    *,
    sha256: str | None = None,
    raw_path: Path | str | None = None,
    changed: bool | None = None,
    message: str | None = None,
    http_status: int | None = None,
) -> int:
    """Insert one raw.fetches row and return its fetch_id.

    `http_status`: for a fetch that got no payload, the status the server answered, if any.
    """
    if isinstance(payload_or_location, Payload):
        payload = payload_or_location
        source, location = payload.source, payload.location
        fetched_at, http_status = payload.fetched_at, payload.http_status
        size = len(payload.body) if payload.body is not None else 0
        etag, last_modified = payload.etag, payload.last_modified
    else:
        source, location = payload_or_location
        fetched_at, size, etag, last_modified = None, None, None, None
    fetch_id = next_fetch_id(con)
    con.execute(
        "insert into raw.fetches values "
        "(?, ?, ?, coalesce(?, now()), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null)",
        [
            fetch_id,
            source,
            location,
            fetched_at,
            as_of,
            http_status,
            size,
            sha256,
            str(raw_path) if raw_path else None,
            etag,
            last_modified,
            changed,
            status,
            message,
        ],
    )
    return fetch_id


def update_fetch(
    con: duckdb.DuckDBPyConnection,
    fetch_id: int,
    status: str,
    message: str | None = None,
    rows: int | None = None,
) -> None:
    con.execute(
        "update raw.fetches set status = ?, message = ?, rows = coalesce(?, rows) "
        "where fetch_id = ?",
        [status, message, rows, fetch_id],
    )
