-- one score per (file, benchmark, model version) of the given files of a bundle fetch (one chunk),
-- and how many rows it collapsed
select file, benchmark_id, model_version, rows_collapsed
from intermediate.int_benchmark_scores_collapsed
where fetch_id = $fetch_id and list_contains($files::varchar[], file)
