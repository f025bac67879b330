"""What every source hands to the warehouse: raw payloads and flat string records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class SourceError(Exception):
    """A source could not be fetched or parsed; the message names source, file and row."""


class SourceSkipped(SourceError):
    """A source that can't run as configured (no API key): skipped with one line, not failed."""


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


# The long, source-conformed record every leaderboard-style source parses into (all text):
# one row per (model as the source names it, metric). Typing, units and identity come later,
# in staging SQL and the identity model.
OBSERVATION_FIELDS = (
    "model",  # the source's own id or name for the model, verbatim
    "model_display",  # its display name, when the source has one
    "metric",  # the source's metric id, e.g. "pass_rate_2", "p50_horizon_length", "gpqa"
    "metric_version",  # what makes values comparable: index version, benchmark release...
    "value",  # as published
    "unit",  # fraction | percent | minutes | index | elo | points
    "release_date",  # YYYY-MM-DD when the source says, else None
    "organization",
    "country",
    "open_weights",  # the source's own flag: "true" | "false" | None
    "extra",  # JSON text of anything else worth keeping
)


def observation(**fields: str | None) -> Record:
    """A record with every observation field present (missing ones None); unknown keys refused."""
    unknown = set(fields) - set(OBSERVATION_FIELDS)
    if unknown:
        raise ValueError(f"not observation fields: {sorted(unknown)}")
    return {name: fields.get(name) for name in OBSERVATION_FIELDS}
