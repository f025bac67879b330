-- each file of a bundle fetch with its benchmark and loaded rows: the score suites validate
-- the files in chunks, a benchmark's files always in the same chunk
select file, benchmark_id, rows
from raw.batches
where fetch_id = $fetch_id
order by file
