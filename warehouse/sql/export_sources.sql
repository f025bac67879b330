-- sources whose scores the marts hold: whom the shared data must credit
select distinct source from (
    select benchmarks.source from marts.benchmark_scores
    join marts.benchmarks using (benchmark_id)
    union all
    select source from marts.source_scores
) where source is not null order by source
