-- one score per (benchmark, model) of a leaderboard fetch, and how many rows it collapsed
select 'observations' as file, benchmark_id, model as model_version, rows_collapsed
from intermediate.int_observations_collapsed
where fetch_id = $fetch_id
