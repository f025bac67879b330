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

AS_OF = """
select coalesce((select max(as_of) from marts.gap_summary),
                (select max(as_of) from history.refresh_runs)) as as_of
"""

# the source drawn: the preferred one if it has datapoints, else the one with the most
SOURCE = """
select source, count(*) as points
from marts.gap_points
where view = 'benchmark' and open_scope = 'all'
group by source
order by source = ? desc, points desc, source
limit 1
"""

SUMMARY = """
select source, series, view, open_scope, access, category, as_of, latest_date, gap_months,
       ci_low, ci_high, n_points, n_pending, median_months_pending
from marts.gap_summary
order by source, series
"""

# per source: its last run, its last good load, and the newest release among its scores
FRESHNESS = """
with last_run as (
    select source, as_of, finished_at, status, source_status, validation, message
    from history.refresh_runs
    qualify row_number() over (partition by source order by finished_at desc) = 1
),
good as (
    select source, max(as_of) as last_good_as_of, max(finished_at) as last_good_at
    from history.refresh_runs
    where source_status in ('loaded', 'partial', 'unchanged')
    group by source
),
newest as (
    select source, max(newest_release) as newest_release, sum(scores) as scores
    from (
        select benchmarks.source, max(benchmark_scores.release_date) as newest_release,
               count(*) as scores
        from marts.benchmark_scores
        inner join marts.benchmarks using (benchmark_id)
        group by benchmarks.source
        union all
        select source, max(release_date), count(*)
        from marts.source_scores
        group by source
    )
    group by source
)
select last_run.source, last_run.as_of, last_run.finished_at, last_run.status,
       last_run.source_status, last_run.validation, last_run.message,
       good.last_good_as_of, good.last_good_at, newest.newest_release, newest.scores
from last_run
left join good using (source)
left join newest using (source)
order by last_run.source
"""

# a model's readable name: Epoch's display name when it has one, else the version id
POINTS = """
select points.gap_point_id, points.benchmark_id, points.benchmark_name, points.view,
       points.threshold, points.open_scope, points.closed_model,
       coalesce(nullif(trim(closed.display_name), ''), points.closed_model) as closed_name,
       points.closed_date, points.open_model,
       coalesce(nullif(trim(opened.display_name), ''), points.open_model) as open_name,
       coalesce(nullif(trim(opened.model_name), ''), points.open_model) as open_family,
       points.open_date, points.open_organization, points.gap_days, points.gap_months,
       points.access, points.category, benchmarks.scale
from marts.gap_points as points
left join marts.models as closed on closed.model_version = points.closed_model
left join marts.models as opened on opened.model_version = points.open_model
left join marts.benchmarks on benchmarks.benchmark_id = points.benchmark_id
where points.source = ?
order by points.open_date, points.benchmark_id, points.threshold
"""

TREND = """
select series, date, gap_months, ci_low, ci_high, n_eff, n_points
from marts.gap_trend
where source = ?
order by series, date
"""

CROSSINGS = """
select crossings.benchmark_id, coalesce(benchmarks.name, crossings.benchmark_id) as name,
       benchmarks.scale, crossings.threshold, crossings.status, crossings.accepted,
       crossings.reason, crossings.validity_floor, crossings.months_pending,
       crossings.first_closed_model,
       coalesce(nullif(trim(closed.display_name), ''), crossings.first_closed_model)
           as closed_name,
       crossings.first_closed_date, crossings.first_open_model,
       coalesce(nullif(trim(opened.display_name), ''), crossings.first_open_model) as open_name,
       crossings.first_open_date, crossings.gap_months
from marts.crossings
left join marts.benchmarks on benchmarks.benchmark_id = crossings.benchmark_id
left join marts.models as closed on closed.model_version = crossings.first_closed_model
left join marts.models as opened on opened.model_version = crossings.first_open_model
where crossings.open_scope = ?
order by crossings.benchmark_id, crossings.threshold
"""

# the catalog rows the page talks about: tracked benchmarks and any with crossings (ECI)
BENCHMARKS = """
with counts as (
    select benchmark_id,
           count(*) filter (where accepted) as accepted,
           count(*) filter (where not accepted and status <> 'pending') as rejected,
           count(*) filter (where status = 'pending') as pending
    from marts.crossings
    where open_scope = ?
    group by benchmark_id
)
select benchmarks.benchmark_id, benchmarks.name, benchmarks.source, benchmarks.access,
       benchmarks.category, benchmarks.evaluator, benchmarks.provenance, benchmarks.tracked,
       benchmarks.is_loaded, benchmarks.scale, benchmarks.is_core,
       benchmarks.lineage_id, benchmarks.version, benchmarks.superseded_by,
       coalesce(counts.accepted, 0) as accepted, coalesce(counts.rejected, 0) as rejected,
       coalesce(counts.pending, 0) as pending
from marts.benchmarks
left join counts using (benchmark_id)
where benchmarks.tracked or counts.benchmark_id is not null
order by benchmarks.tracked desc, benchmarks.name
"""

LAG = """
select benchmark_id, month_end, lag_months, open_leads
from marts.frontier_lag
order by month_end, benchmark_id
"""

LAG_MONTHLY = """
select month_end, benchmarks, median_lag_months, q1_lag_months, q3_lag_months,
       mean_lag_months, fitted_mean_lag_months
from marts.frontier_lag_monthly
order by month_end
"""

LAG_TREND = """
select months, slope_months_per_year, intercept_months, r_squared, zero_lag_date
from marts.frontier_lag_trend
where source = 'epoch' and scope = 'all' and statistic = 'mean'
"""

ALERTS = """
select as_of, kind, message, raised_at, delivered_at, delivery_error
from history.alerts
order by raised_at desc, alert_id
limit ?
"""

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


def load(where: Warehouse | Path) -> ReportData:
    """Read the report's frames; a warehouse without the marts yields an empty ReportData."""
    warehouse = as_warehouse(where)
    database = warehouse.file if not warehouse.is_lake else Path(warehouse.name)
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {database}")
    with reading(warehouse) as con:  # no file, network or extension access
        present = {str(r[0]) for r in con.execute(MARTS_PRESENT).fetchall()}
        missing = tuple(m for m in REQUIRED_MARTS if m not in present)
        if missing:
            return ReportData(database=database, missing_marts=missing)
        as_of = con.execute(AS_OF).fetchall()[0][0]
        chosen = con.execute(SOURCE, [PREFERRED_SOURCE]).fetchall()
        source = str(chosen[0][0]) if chosen else PREFERRED_SOURCE
        summaries = _frame(con, SUMMARY)
        return ReportData(
            database=database,
            as_of=as_of,
            source=source,
            all_summaries=summaries,
            summary=summaries[summaries["source"] == source].reset_index(drop=True),
            freshness=_frame(con, FRESHNESS),
            points=_frame(con, POINTS, [source]),
            trend=_frame(con, TREND, [source]),
            crossings=_frame(con, CROSSINGS, ["all"]),
            benchmarks=_frame(con, BENCHMARKS, ["all"]),
            lag=_frame(con, LAG),
            lag_monthly=_frame(con, LAG_MONTHLY),
            lag_trend=_frame(con, LAG_TREND),
            pending=facts.pending(con),
            alerts=_frame(con, ALERTS, [LATEST_ALERTS]),
            headline=facts.headline(con, source),
            changes=facts.changes(con, source),
            events=facts.alert_events(con),
            not_evaluated=facts.not_evaluated(con),
        )


def _frame(
    con: duckdb.DuckDBPyConnection, query: str, params: list[object] | None = None
) -> pd.DataFrame:
    frame: pd.DataFrame = con.execute(query, params or []).df()
    return frame
