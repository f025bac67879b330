"""Record what a source's payload held that the code does not understand (layout, columns, labels).

One row per change and fetch in raw.format_changes; alerts/format_alerts.py turns them into
`source_format_changed` maintainer alerts, once per distinct change.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import duckdb

from extractors.base import FormatChange


def record_format_changes(
    con: duckdb.DuckDBPyConnection, source: str, fetch_id: int, changes: Sequence[FormatChange]
) -> int:
    """Store this fetch's format changes (idempotent per fetch); returns how many."""
    con.execute("delete from raw.format_changes where fetch_id = ?", [fetch_id])
    for change in changes:
        con.execute(
            "insert into raw.format_changes values (?, ?, ?, ?, ?, ?, now())",
            [
                fetch_id,
                source,
                change.file,
                change.change,
                change.detail,
                json.dumps(list(change.columns), ensure_ascii=False),
            ],
        )
    return len(changes)
