-- model versions scored on tracked benchmarks, by open/closed status
select count(distinct model_version) as model_versions,
       count(distinct model_version) filter (where is_open) as open,
       count(distinct model_version) filter (where not is_open) as closed,
       count(distinct model_version) filter (where is_open is null) as unresolved
from marts.benchmark_scores
inner join marts.benchmarks using (benchmark_id)
where benchmarks.tracked
