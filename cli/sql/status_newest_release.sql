-- per source: the newest release date among the scores the marts hold
select benchmarks.source, max(benchmark_scores.release_date)
from marts.benchmark_scores inner join marts.benchmarks using (benchmark_id)
group by benchmarks.source
union all
select source, max(release_date) from marts.source_scores group by source
