"""What the report reads from the warehouse: one query per question, plain pandas frames.

Every number on the page comes from these frames. Queries are constants with bound
parameters; the report only ever reads (the connection is opened read-only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from extractors import PRIMARY_SOURCE
from report import facts
from warehouse.queries import query
from warehouse.store import Warehouse, as_warehouse, reading

# the marts the report draws from; a warehouse without one of them has not been refreshed yet
REQUIRED_MARTS = (
    "alerts",
    "benchmarks",
    "crossings",
    "frontier_lag",
    "frontier_lag_monthly",
    "frontier_lag_trend",
    "gap_points",
    "gap_summary",
    "gap_trend",
    "models",
    "refresh_runs",
    "benchmark_scores",
    "source_scores",
)
# the source whose gap the page draws when it has datapoints: Epoch's hub is the reference
PREFERRED_SOURCE = PRIMARY_SOURCE

MARTS_PRESENT = "select table_name from duckdb_tables() where schema_name in ('marts', 'history')"

AS_OF = query("report", "data_as_of")

# the source drawn: the preferred one if it has datapoints, else the one with the most
SOURCE = query("report", "data_source")

SUMMARY = query("report", "data_summary")

# per source: its last run, its last good load, and the newest release among its scores
FRESHNESS = query("report", "data_freshness")

# a model's readable name: Epoch's display name when it has one, else the version id
POINTS = query("report", "data_points")

TREND = query("report", "data_trend")

CROSSINGS = query("report", "data_crossings")

# the catalog rows the page talks about: tracked benchmarks and any with crossings (ECI)
BENCHMARKS = query("report", "data_benchmarks")

LAG = query("report", "data_lag")

LAG_MONTHLY = query("report", "data_lag_monthly")

LAG_TREND = query("report", "data_lag_trend")

ALERTS = query("report", "data_alerts")

LATEST_ALERTS = 20


@dataclass(frozen=True)
class ReportData:
    """Everything the page shows, read in one go from one read-only connection."""

    database: Path
    missing_marts: tuple[str, ...] = ()
    as_of: date | None = None
    source: str = PREFERRED_SOURCE
    # gap_summary of every source; `summary` is the drawn source's rows
    all_summaries: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    freshness: pd.DataFrame = field(default_factory=pd.DataFrame)
    points: pd.DataFrame = field(default_factory=pd.DataFrame)
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    crossings: pd.DataFrame = field(default_factory=pd.DataFrame)
    benchmarks: pd.DataFrame = field(default_factory=pd.DataFrame)
    lag: pd.DataFrame = field(default_factory=pd.DataFrame)
    lag_monthly: pd.DataFrame = field(default_factory=pd.DataFrame)
    lag_trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    pending: pd.DataFrame = field(default_factory=pd.DataFrame)
    alerts: pd.DataFrame = field(default_factory=pd.DataFrame)
    # the quotable facts (report.facts): the same code prints them in the CLI
    headline: facts.Headline | None = None
    changes: facts.Changes | None = None
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    not_evaluated: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def is_empty(self) -> bool:
        """No marts at all, or marts without a single crossing: nothing to draw."""
        return bool(self.missing_marts) or self.crossings.empty

    def benchmark_points(self, scope: str = "all") -> pd.DataFrame:
        """Accepted datapoints of the benchmark view (not ECI) for one open scope."""
        if self.points.empty:
            return self.points
        mask = (self.points["view"] == "benchmark") & (self.points["open_scope"] == scope)
        return self.points[mask]

    def sources(self) -> list[str]:
        """The sources with scores in the warehouse: whom the page must credit.

        A catalog row alone (MMLU-Pro names Artificial Analysis as its source) is not data;
        a source counts once at least one of its scores is loaded.
        """
        if self.freshness.empty:
            return []
        rows = self.freshness[self.freshness["scores"].fillna(0) > 0]
        return sorted(str(s) for s in rows["source"].dropna())


def load(where: Warehouse | Path, con: duckdb.DuckDBPyConnection | None = None) -> ReportData:
    """Read the report's frames; a warehouse without the marts yields an empty ReportData.

    con: a read-only connection to that warehouse the caller has open already (the CLI's,
    which checked it): read with it, left open, rather than open the file a second time.
    """
    warehouse = as_warehouse(where)
    database = warehouse.file if not warehouse.is_lake else Path(warehouse.name)
    if con is not None:
        return _read(con, database)
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {database}")
    with reading(warehouse) as opened:  # no file, network or extension access
        return _read(opened, database)


def _read(con: duckdb.DuckDBPyConnection, database: Path) -> ReportData:
    present = {str(r[0]) for r in con.execute(MARTS_PRESENT).fetchall()}
    missing = tuple(m for m in REQUIRED_MARTS if m not in present)
    if missing:
        return ReportData(database=database, missing_marts=missing)
    as_of = con.execute(AS_OF).fetchall()[0][0]
    chosen = con.execute(SOURCE, {"preferred_source": PREFERRED_SOURCE}).fetchall()
    source = str(chosen[0][0]) if chosen else PREFERRED_SOURCE
    summaries = _frame(con, SUMMARY)
    return ReportData(
        database=database,
        as_of=as_of,
        source=source,
        all_summaries=summaries,
        summary=summaries[summaries["source"] == source].reset_index(drop=True),
        freshness=_frame(con, FRESHNESS),
        points=_frame(con, POINTS, {"source": source}),
        trend=_frame(con, TREND, {"source": source}),
        crossings=_frame(con, CROSSINGS, {"open_scope": "all"}),
        benchmarks=_frame(con, BENCHMARKS, {"open_scope": "all"}),
        lag=_frame(con, LAG),
        lag_monthly=_frame(con, LAG_MONTHLY),
        lag_trend=_frame(con, LAG_TREND, {"source": PREFERRED_SOURCE}),
        pending=facts.pending(con),
        alerts=_frame(con, ALERTS, {"limit": LATEST_ALERTS}),
        headline=facts.headline(con, source),
        changes=facts.changes(con, source),
        events=facts.alert_events(con),
        not_evaluated=facts.not_evaluated(con),
    )


def _frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None
) -> pd.DataFrame:
    frame: pd.DataFrame = con.execute(sql, params or {}).df()
    return frame
