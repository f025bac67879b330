"""Read a source's payload from where settings point: a URL, a local file, or a directory."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import requests

from extractors.base import Payload, Previous, SourceError
from extractors.http import WaitBudget, deadline, download
from extractors.limits import DEFAULT_LIMITS, Limits

# fixed member timestamp so the same directory always zips to the same bytes (and sha256)
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def fetch_location(
    source: str,
    location: str,
    session: requests.Session,
    previous: Previous,
    timeout: float,
    max_bytes: int,
) -> Payload:
    """Fetch the payload at location; URLs are fetched conditionally against previous."""
    if is_url(location):
        return fetch_url(source, location, session, previous, timeout, max_bytes)
    path = Path(location).expanduser()
    if path.is_dir():
        return Payload(source, str(path), _now(), None, zip_directory(path))
    if path.is_file():
        if path.stat().st_size > max_bytes:
            raise SourceError(f"{source}: {path} is larger than the {max_bytes} byte limit")
        return Payload(source, str(path), _now(), None, path.read_bytes(), suffix=path.suffix)
    raise SourceError(f"{source}: location {location!r} is neither a URL, a file nor a directory")


def fetch_url(
    source: str,
    url: str,
    session: requests.Session,
    previous: Previous,
    timeout: float,
    max_bytes: int,
    limits: Limits | None = None,
) -> Payload:
    """GET url with If-None-Match / If-Modified-Since; a 304 gives a Payload without body.

    Bounded: the source's deadline and retry-wait budget, the download deadline, the byte cap.
    """
    limits = replace(limits or DEFAULT_LIMITS, timeout_seconds=timeout, max_payload_bytes=max_bytes)
    headers = {}
    if previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    with deadline(limits.source_seconds, source, WaitBudget(limits.retry_wait_seconds)):
        got = download(session, source, url, limits, headers)
    if got.status == 304:
        return Payload(source, url, _now(), 304, None, previous.etag, previous.last_modified)
    if got.status != 200 or got.body is None:
        raise SourceError(
            f"{source}: GET {url} answered HTTP {got.status} "
            f"(after retries for 429 and 5xx); nothing was loaded"
        )
    return Payload(
        source,
        url,
        _now(),
        200,
        got.body,
        got.headers.get("ETag"),
        got.headers.get("Last-Modified"),
        suffix=Path(url.split("?")[0]).suffix or ".bin",
    )


def zip_directory(directory: Path) -> bytes:
    """Zip a directory deterministically (sorted names, fixed timestamps) so it hashes stably."""
    files = {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in directory.rglob("*")
        if path.is_file()
    }
    return zip_files(files)


def zip_files(files: dict[str, bytes]) -> bytes:
    """Zip named contents deterministically: the same files always give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, _ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


def _now() -> datetime:
    return datetime.now(UTC)
