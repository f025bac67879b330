-- one score per (benchmark, model) of each one-payload fetch of $fetch_ids, and how many rows
-- it collapsed
select source, fetch_id, 'observations' as file, benchmark_id, model as model_version,
       rows_collapsed
from intermediate.int_observations_collapsed
where list_contains($fetch_ids::bigint[], fetch_id)
order by fetch_id
