-- per source: its last run, its last good load, and the newest release among its scores
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
