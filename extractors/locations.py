"""One fetch for every source: its fetch() reads through a Reader; the files become a Payload.

The payload landed for a night is a deterministic zip of the files the source read (sorted
names, fixed timestamps), so the same files always hash the same and an unchanged source is
recognised by its sha256; a source that read one zip archive (a published bundle) lands that
archive as it came. A 304 to the conditional request gives a Payload without a body.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.base import NotModified, Payload, Previous
from extractors.limits import Limits
from extractors.reader import Reader, is_url

if TYPE_CHECKING:
    import requests

    from extractors.contract import Source

__all__ = ["fetch_payload", "is_url", "zip_directory", "zip_files"]

# fixed member timestamp so the same directory always zips to the same bytes (and sha256)
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def fetch_payload(
    source: Source,
    location: str,
    session: requests.Session,
    previous: Previous,
    timeout: float,
    max_bytes: int,
    headers: Mapping[str, str] | None = None,
    limits: Limits | None = None,
) -> Payload:
    """Network or disk I/O only (the step a flow retries). Raises SourceError.

    Bounded by `limits`: the source's deadline and retry-wait budget, each download's deadline.
    """
    reader = Reader(source.name, location, session, timeout, max_bytes, headers, previous, limits)
    try:
        files = source.fetch(reader)
    except NotModified:
        return Payload(
            source.name, location, _now(), 304, None, previous.etag, previous.last_modified
        )
    # a conditional request next night only makes sense when the location is all there is
    alone = len(files) == 1
    archive = alone and next(iter(files)).endswith(".zip")
    return Payload(
        source.name,
        location,
        _now(),
        reader.http_status,
        next(iter(files.values())) if archive else zip_files(files),
        reader.etag if alone else None,
        reader.last_modified if alone else None,
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
