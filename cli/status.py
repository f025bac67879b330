"""What `gapwatch status` shows: freshness per source, validation outcomes, mart sizes."""

from __future__ import annotations

from typing import Any

import duckdb

from warehouse.queries import query

Section = tuple[list[str], list[tuple[Any, ...]]]

# title -> query file in cli/sql/, in display order
SECTIONS = {
    "last fetch per source": "status_last_fetches",
    "last good load per source": "status_last_good",
    "validation of the newest batch": "status_validation",
    "model versions on tracked benchmarks": "status_coverage",
    "marts": "status_mart_sizes",
}


def status_report(con: duckdb.DuckDBPyConnection) -> dict[str, Section]:
    """Each section as (columns, rows), in display order; format changes on top when any."""
    report: dict[str, Section] = {}
    cursor = con.execute(query("cli", "status_format_changes"))
    drift = cursor.fetchall()
    if drift:
        title = "SOURCE FORMAT CHANGED (newest first; the night kept the last good data)"
        report[title] = ([d[0] for d in cursor.description or []], drift)
    for title, name in SECTIONS.items():
        cursor = con.execute(query("cli", name))
        report[title] = ([d[0] for d in cursor.description or []], cursor.fetchall())
    return report


def data_age(con: duckdb.DuckDBPyConnection) -> Section:
    """Per source: last run, last good load, how far behind the newest night, newest release."""
    rows = con.execute(query("cli", "status_data_age")).fetchall()
    newest: dict[str, Any] = {}
    try:
        for source, released in con.execute(query("cli", "status_newest_release")).fetchall():
            if released is not None:
                newest[source] = max(released, newest.get(source, released))
    except duckdb.Error:  # a warehouse without marts yet: the fetches still say something
        pass
    columns = [
        "source",
        "last_run",
        "last_good_as_of",
        "days_behind",
        "fetched_days_ago",
        "newest_release",
        "message",
    ]
    return columns, [(*r[:5], newest.get(r[0]), r[5]) for r in rows]


def verdict(section: Section) -> str:
    """One line: OK, or what needs attention first (failures, then sources left behind)."""
    _, rows = section
    if not rows:
        return "verdict: EMPTY - no fetch recorded yet; run 'gapwatch refresh'"
    failed = [f"{r[0]} ({r[1]}: {r[6] or 'see below'})" for r in rows if r[1] == "failed"]
    partial = [f"{r[0]} ({r[6]})" for r in rows if r[1] == "partial"]
    behind = [f"{r[0]} ({r[3]} days)" for r in rows if r[3] and r[3] > 0]
    newest = max((r[2] for r in rows if r[2] is not None), default=None)
    problems = []
    if failed:
        problems.append("last run failed for " + ", ".join(failed))
    if partial:
        problems.append("quarantined files in " + ", ".join(partial))
    if behind:
        problems.append("behind the newest night: " + ", ".join(behind))
    if problems:
        return f"verdict: ATTENTION - {'; '.join(problems)}"
    return f"verdict: OK - {len(rows)} source(s) loaded as of {newest}"
