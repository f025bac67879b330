-- the one definition of "pending": a closed model reached the threshold, no open model has, it
-- lies at or above the benchmark's validity floor, and at least one open model was evaluated
-- on the benchmark (else "no open model yet" says nothing about open models' ability)
with evaluated as (
    select distinct benchmark_id from marts.benchmark_scores where is_open
    union
    select distinct benchmark_id from marts.source_scores where is_open
)
select crossings.benchmark_id, coalesce(benchmarks.name, crossings.benchmark_id) as benchmark,
       benchmarks.source, benchmarks.scale, crossings.threshold,
       coalesce(nullif(trim(closed.display_name), ''), crossings.first_closed_model)
           as first_closed_model,
       crossings.first_closed_date, crossings.months_pending
from marts.crossings
inner join evaluated using (benchmark_id)
left join marts.benchmarks on benchmarks.benchmark_id = crossings.benchmark_id
left join marts.models as closed on closed.model_version = crossings.first_closed_model
where crossings.status = 'pending' and crossings.open_scope = 'all'
  and crossings.threshold >= crossings.validity_floor - 1e-9
  and crossings.benchmark_id <> 'eci'
order by crossings.months_pending desc, benchmark, crossings.threshold
