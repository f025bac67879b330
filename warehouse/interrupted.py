"""Record a refresh that a signal ended: its rows in history.refresh_runs say `interrupted`.

The interrupted refresh's own work is gone (its building copy discarded); this writes only the
record, through the same lock and copy-and-swap as a refresh, so readers never see it half done.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from warehouse.db import ensure_schemas
from warehouse.lock import RefreshRunning
from warehouse.store import Warehouse, flush, refreshing


def record_interrupted(
    database: Warehouse | Path,
    run_id: str,
    as_of: date,
    started_at: datetime,
    sources: Sequence[str],
    reason: str,
) -> bool:
    """Append the interrupted run; False when another refresh holds the lock by now."""
    try:
        with refreshing(database) as con:
            ensure_schemas(con)
            for source in sources:
                con.execute(
                    "insert into history.refresh_runs (run_id, as_of, started_at, finished_at, "
                    "status, source, source_status, fetch_id, bytes_fetched, changed, rows, "
                    "validation, message) values "
                    "(?, ?, ?, now(), 'interrupted', ?, 'interrupted', null, 0, false, 0, "
                    "'not run', ?)",
                    [run_id, as_of, started_at, source, reason],
                )
            flush(con)
    except RefreshRunning:
        return False
    return True
