select
    benchmarks.source,
    case
        when crossings.benchmark_id = 'eci' then 'eci'
        when benchmarks.category = 'capability_index' then 'index'
        else 'benchmark'
    end as view,
    crossings.open_scope, benchmarks.access, benchmarks.category, crossings.months_pending
from intermediate.int_crossings as crossings
inner join intermediate.int_benchmarks as benchmarks
    on crossings.benchmark_id = benchmarks.benchmark_id
where crossings.status = 'pending'
    and crossings.threshold >= crossings.validity_floor - 1e-9
    and (benchmarks.tracked or crossings.benchmark_id = 'eci')
