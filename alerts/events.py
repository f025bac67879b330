"""Alerts: what changed since the last run, stored once per event (a stable hash as key)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from transforms.runner import model_sql
from warehouse.queries import query

log = logging.getLogger(__name__)

# the marts as the last run left them, kept as intermediate.<name> (alerts/sql/<name>.sql)
PREVIOUS = ("previous_crossings", "previous_open_best", "previous_sources")


@dataclass(frozen=True)
class Alert:
    alert_id: str
    kind: str
    benchmark_id: str
    threshold: float | None
    open_scope: str
    open_model: str | None
    organization: str | None
    closed_model: str | None
    gap_months: float | None
    message: str


def snapshot_previous(con: duckdb.DuckDBPyConnection) -> bool:
    """Keep the marts as the last run left them; False when no source had data (a baseline run).

    The baseline is per source: a source whose data the last marts did not hold (a new source,
    or one whose first nights all failed) raises no events on its first good load, so nobody
    is flooded with every threshold it has ever crossed.
    """
    exists = con.execute(query("alerts", "crossings_exist")).fetchall()[0][0]
    # table names come from this constant tuple, never from data
    names = PREVIOUS if exists else ("no_sources",)
    for name in names:
        table = "previous_sources" if name == "no_sources" else name
        con.execute(f"create or replace table intermediate.{table} as {query('alerts', name)}")
    if not exists:
        return False
    held = con.execute(query("alerts", "previous_source_count")).fetchall()[0][0]
    return bool(held)


def raise_alerts(
    con: duckdb.DuckDBPyConnection, run_id: str, as_of: date, has_previous: bool
) -> list[Alert]:
    """Store the events of this run that were never stored before; returns the new ones."""
    if not has_previous:
        log.info("first refresh of this warehouse: baseline recorded, no alerts raised")
        return []
    cursor = con.execute(model_sql("alerts", "alert_events"))
    columns = [d[0] for d in cursor.description or []]
    events = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    new = []
    for event in events:
        alert = to_alert(event)
        # not "on conflict ... returning": a DuckLake warehouse has neither keys nor RETURNING
        inserted = con.execute(
            "insert into history.alerts select "
            "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), null, null "
            "where not exists (select 1 from history.alerts where alert_id = ?)",
            [
                alert.alert_id,
                alert.kind,
                run_id,
                as_of,
                alert.benchmark_id,
                alert.threshold,
                alert.open_scope,
                alert.open_model,
                alert.organization,
                alert.closed_model,
                alert.gap_months,
                alert.message,
                alert.alert_id,
            ],
        ).fetchall()
        if inserted[0][0]:
            log.info("alert: %s", alert.message)
            new.append(alert)
    return new


def to_alert(event: dict[str, Any]) -> Alert:
    key = "|".join(
        str(event[k] if event[k] is not None else "")
        for k in (
            "kind",
            "benchmark_id",
            "threshold",
            "open_scope",
            "open_model",
            "closed_model",
            "score",
        )
    )
    return Alert(
        alert_id=hashlib.sha256(key.encode()).hexdigest()[:20],
        kind=event["kind"],
        benchmark_id=event["benchmark_id"],
        threshold=event["threshold"],
        open_scope=event["open_scope"],
        open_model=event["open_model"],
        organization=event["organization"],
        closed_model=event["closed_model"],
        gap_months=event["gap_months"],
        message=message(event),
    )


def message(event: dict[str, Any]) -> str:
    """One sentence a person can read in a chat channel."""
    group = "Chinese open" if event["open_scope"] == "chinese" else "open"
    bench = event["benchmark_name"]
    org = f" ({event['organization']})" if event["organization"] else ""
    if event["kind"] == "gap_closed":
        gap = event["gap_months"]
        when = f"{gap:.1f} months after" if gap >= 0 else f"{-gap:.1f} months before"
        return (
            f"{group.capitalize()} model {event['open_model_name']}{org} reached "
            f"{level(event['threshold'], event['scale'])} on {bench}, {when} the first closed "
            f"model ({event['closed_model_name']})."
        )
    if event["kind"] == "gap_opened":
        return (
            f"Closed model {event['closed_model_name']} reached "
            f"{level(event['threshold'], event['scale'])} on {bench}; no {group} model has yet."
        )
    return (
        f"New best open model on {bench}: {event['open_model_name']}{org} scores "
        f"{level(event['score'], event['scale'])}."
    )


def level(value: float, scale: str | None) -> str:
    if scale == "fraction":
        return f"{value * 100:.3g}%"
    if scale == "minutes":
        return f"a {value:.3g}-minute time horizon"
    if scale == "index":
        return f"{value:.4g} points"
    return f"{value:.4g}"
