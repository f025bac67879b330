"""How far gapwatch lets any one input go: time, waits, bytes, nesting. One place, one dataclass.

Every limit exists because some upstream answer (slow, huge, deep, hostile) would otherwise hold
the nightly lock for hours or fill the memory. Each is a setting (see pipeline/settings.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Bounds for fetching and parsing one source."""

    # each connect and each read of a socket
    timeout_seconds: float = 60.0
    # wall clock for one download, headers to last byte (a slow-drip server ends here)
    download_seconds: float = 600.0
    # wall clock for one source's fetch: all its downloads and waits together
    source_seconds: float = 1800.0
    # total time one source may spend waiting between retries (Retry-After and backoff)
    retry_wait_seconds: float = 600.0
    # one download, one zip member, and everything one zip expands to
    # (the largest real file is about 6 MB: these leave ten times the room and no more, since a
    # parsed CSV takes many times its size in memory)
    max_payload_bytes: int = 256 * 1024 * 1024
    max_member_bytes: int = 64 * 1024 * 1024
    max_expanded_bytes: int = 256 * 1024 * 1024
    # one CSV field, rows of one CSV file, and how deep a JSON or YAML document may nest
    max_csv_field_bytes: int = 1024 * 1024
    max_csv_rows: int = 1_000_000
    max_json_depth: int = 64


DEFAULT_LIMITS = Limits()
