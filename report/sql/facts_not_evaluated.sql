-- benchmarks with thresholds a closed model reached but no open model evaluated at all
with evaluated as (
    select distinct benchmark_id from marts.benchmark_scores where is_open
    union
    select distinct benchmark_id from marts.source_scores where is_open
)
select coalesce(benchmarks.name, crossings.benchmark_id) as benchmark, count(*) as thresholds
from marts.crossings
left join marts.benchmarks on benchmarks.benchmark_id = crossings.benchmark_id
where crossings.status = 'pending' and crossings.open_scope = 'all'
  and crossings.benchmark_id not in (select benchmark_id from evaluated)
group by all
order by benchmark
