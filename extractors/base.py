"""What every source hands to the warehouse: raw payloads and flat string records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class SourceError(Exception):
    """A source could not be fetched or parsed; the message names source, file and row."""


@dataclass(frozen=True)
class Previous:
    """What the warehouse remembers of the last fetch of a location (for conditional requests)."""

    sha256: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Payload:
    """One fetched payload, untouched. body is None when the server answered 304 Not Modified."""

    source: str
    location: str
    fetched_at: datetime
    http_status: int | None
    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None
    suffix: str = ".zip"

    @property
    def not_modified(self) -> bool:
        return self.body is None


Record = dict[str, str | None]
