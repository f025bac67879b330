"""Keep every fetched payload immutably on disk and record the fetch in raw.fetches."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from extractors.base import Payload, Previous


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


def previous_fetch(con: duckdb.DuckDBPyConnection, source: str, location: str) -> Previous:
    """Validators of the last successful fetch of this exact location, for conditional GETs.

    A payload that failed to parse or load must not be sent as If-None-Match: the server would
    answer 304 and the broken upstream would pass as "unchanged" night after night.
    """
    rows = con.execute(
        "select sha256, etag, last_modified from raw.fetches "
        "where source = ? and location = ? and sha256 is not null "
        "and status in ('loaded', 'partial', 'unchanged') "
        "order by fetch_id desc limit 1",
        [source, location],
    ).fetchall()
    return Previous(*rows[0]) if rows else Previous()


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
) -> int:
    """Insert one raw.fetches row and return its fetch_id."""
    if isinstance(payload_or_location, Payload):
        payload = payload_or_location
        source, location = payload.source, payload.location
        fetched_at, http_status = payload.fetched_at, payload.http_status
        size = len(payload.body) if payload.body is not None else 0
        etag, last_modified = payload.etag, payload.last_modified
    else:
        source, location = payload_or_location
        fetched_at, http_status, size, etag, last_modified = None, None, None, None, None
    fetch_id: int = con.execute("select nextval('raw.fetch_id_seq')").fetchall()[0][0]
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
