"""What `gapwatch status` shows: freshness per source, validation outcomes, mart sizes."""

from __future__ import annotations

from typing import Any

import duckdb

Section = tuple[list[str], list[tuple[Any, ...]]]

# maintainer news first: a source whose format changed explains a quiet night
FORMAT_CHANGES = """
select strftime(raised_at, '%Y-%m-%d %H:%M UTC') as raised_at, as_of, message
from history.alerts where kind = 'source_format_changed'
order by raised_at desc, alert_id limit 10
"""
LAST_FETCHES = """
select source, status, as_of, strftime(fetched_at, '%Y-%m-%d %H:%M UTC') as fetched_at,
       bytes, changed, coalesce(message, '') as message
from raw.fetches
qualify row_number() over (partition by source order by fetch_id desc) = 1
order by source
"""
LAST_GOOD = """
select source, max(as_of) as last_good_as_of, max(fetch_id) as fetch_id
from raw.fetches where status in ('loaded', 'partial')
group by source order by source
"""
VALIDATION = """
with newest as (select source, max(fetch_id) as fetch_id from raw.batches group by source)
select batches.source, batches.status, count(*) as files,
       string_agg(batches.file, ', ' order by batches.file)
           filter (where batches.status <> 'passed') as which
from raw.batches inner join newest using (source, fetch_id)
group by batches.source, batches.status order by batches.source, batches.status
"""
MART_SIZES = """
select table_name as mart, estimated_size as rows
from duckdb_tables() where schema_name = 'marts' order by table_name
"""
COVERAGE = """
select count(distinct model_version) as model_versions,
       count(distinct model_version) filter (where is_open) as open,
       count(distinct model_version) filter (where not is_open) as closed,
       count(distinct model_version) filter (where is_open is null) as unresolved
from marts.benchmark_scores
inner join marts.benchmarks using (benchmark_id)
where benchmarks.tracked
"""


def status_report(con: duckdb.DuckDBPyConnection) -> dict[str, Section]:
    """Each section as (columns, rows), in display order; format changes on top when any."""
    report: dict[str, Section] = {}
    cursor = con.execute(FORMAT_CHANGES)
    drift = cursor.fetchall()
    if drift:
        title = "SOURCE FORMAT CHANGED (newest first; the night kept the last good data)"
        report[title] = ([d[0] for d in cursor.description or []], drift)
    sections = {
        "last fetch per source": LAST_FETCHES,
        "last good load per source": LAST_GOOD,
        "validation of the newest batch": VALIDATION,
        "model versions on tracked benchmarks": COVERAGE,
        "marts": MART_SIZES,
    }
    for title, query in sections.items():
        cursor = con.execute(query)
        report[title] = ([d[0] for d in cursor.description or []], cursor.fetchall())
    return report


# per source: its last fetch, its last good load, and the newest release in its data
DATA_AGE = """
with last as (
    select source, status, as_of, fetched_at, coalesce(message, '') as message
    from raw.fetches
    qualify row_number() over (partition by source order by fetch_id desc) = 1
),
good as (
    select source, max(as_of) as last_good_as_of, max(fetched_at) as last_good_fetched
    from raw.fetches where status in ('loaded', 'partial', 'unchanged') group by source
)
select last.source, last.status as last_run, good.last_good_as_of,
       (select max(as_of) from raw.fetches) - good.last_good_as_of as days_behind,
       date_diff('day', good.last_good_fetched, now()) as fetched_days_ago,
       last.message
from last left join good using (source)
order by last.source
"""
NEWEST_RELEASE = """
select benchmarks.source, max(benchmark_scores.release_date)
from marts.benchmark_scores inner join marts.benchmarks using (benchmark_id)
group by benchmarks.source
union all
select source, max(release_date) from marts.source_scores group by source
"""


def data_age(con: duckdb.DuckDBPyConnection) -> Section:
    """Per source: last run, last good load, how far behind the newest night, newest release."""
    rows = con.execute(DATA_AGE).fetchall()
    newest: dict[str, Any] = {}
    try:
        for source, released in con.execute(NEWEST_RELEASE).fetchall():
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
