-- `gapwatch crossings`: one benchmark's thresholds for one open scope, lowest first
select crossings.threshold, first_closed_model as closed_model,
       first_closed_date as closed, first_open_model as open_model,
       first_open_date as open, round(gap_months, 1) as gap_months, status, accepted,
       reason, benchmarks.scale
from marts.crossings left join marts.benchmarks using (benchmark_id)
where benchmark_id = $benchmark_id and open_scope = $open_scope order by crossings.threshold
