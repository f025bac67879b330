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
where crossings.open_scope = $open_scope
order by crossings.benchmark_id, crossings.threshold
