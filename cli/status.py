"""What `gapwatch status` shows: freshness per source, validation outcomes, mart sizes."""

from __future__ import annotations

from typing import Any

import duckdb

Section = tuple[list[str], list[tuple[Any, ...]]]

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
    """Each section as (columns, rows), in display order."""
    sections = {
        "last fetch per source": LAST_FETCHES,
        "last good load per source": LAST_GOOD,
        "validation of the newest batch": VALIDATION,
        "model versions on tracked benchmarks": COVERAGE,
        "marts": MART_SIZES,
    }
    report: dict[str, Section] = {}
    for title, query in sections.items():
        cursor = con.execute(query)
        report[title] = ([d[0] for d in cursor.description or []], cursor.fetchall())
    return report
