-- each score row of the given files of a bundle fetch (one chunk), scaled, with the date the run
-- is as of
select file, row_number, benchmark_id, model_version, unit, score_column, score_text,
       score_value, min_value, max_value, release_date_text, release_date, $as_of::date as as_of
from intermediate.int_benchmark_rows_scaled
where fetch_id = $fetch_id and list_contains($files::varchar[], file)
order by file, row_number
