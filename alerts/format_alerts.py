"""`source_format_changed`: a maintainer alert when a source's payload changed in a way the
code does not know (a new layout, a column gone or new, an unseen label).

One alert per file and distinct change set, ever (its id hashes source, file and the changes),
raised on the first night it shows, baseline or not: format drift is news for whoever maintains
gapwatch, whatever the warehouse held before.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date

import duckdb

from alerts.events import Alert
from warehouse.queries import query

log = logging.getLogger(__name__)
KIND = "source_format_changed"

CHANGES_SQL = query("alerts", "format_changes")


def raise_format_alerts(con: duckdb.DuckDBPyConnection, run_id: str, as_of: date) -> list[Alert]:
    """Store a `source_format_changed` alert per (source, file) of the newest changes, once."""
    grouped: dict[tuple[str, str], list[tuple[str, str, list[str]]]] = {}
    for source, file, change, detail, columns in con.execute(CHANGES_SQL).fetchall():
        grouped.setdefault((source, file), []).append((change, detail, json.loads(columns)))
    new = []
    for (source, file), changes in grouped.items():
        alert = format_alert(source, file, changes)
        # not "on conflict ... returning": a DuckLake warehouse has neither keys nor RETURNING
        inserted = con.execute(
            "insert into history.alerts select "
            "?, ?, ?, ?, null, null, null, null, null, null, null, ?, now(), null, null "
            "where not exists (select 1 from history.alerts where alert_id = ?)",
            [alert.alert_id, KIND, run_id, as_of, alert.message, alert.alert_id],
        ).fetchall()
        if inserted[0][0]:
            log.warning("alert: %s", alert.message)
            new.append(alert)
    return new


def format_alert(source: str, file: str, changes: list[tuple[str, str, list[str]]]) -> Alert:
    """The alert for one file: what changed, and the columns the file has now."""
    key = json.dumps([KIND, source, file, sorted((c, d) for c, d, _ in changes)])
    seen = sorted({column for _, _, columns in changes for column in columns})
    details = "; ".join(detail for _, detail, _ in changes)
    message = (
        f"Source format changed: {source} {file}: {details}. "
        f"Columns seen: {', '.join(seen) if seen else '(none)'}. "
        "The night loaded everything else and kept the last good data of what it could not read; "
        "run `gapwatch sources check " + source + "` and update the extractor."
    )
    return Alert(
        alert_id=hashlib.sha256(key.encode()).hexdigest()[:20],
        kind=KIND,
        benchmark_id="",
        threshold=None,
        open_scope="",
        open_model=None,
        organization=None,
        closed_model=None,
        gap_months=None,
        message=message,
    )
