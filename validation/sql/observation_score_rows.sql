-- each observation of the one-payload fetches $fetch_ids, scaled (a payload is one file)
select source, fetch_id, 'observations' as file, row_number, benchmark_id,
       model as model_version, unit, metric as score_column, value_text as score_text,
       value_number as score_value, min_value, max_value, release_date_text, release_date,
       $as_of::date as as_of
from intermediate.int_observations_scaled
where list_contains($fetch_ids::bigint[], fetch_id)
order by fetch_id, row_number
