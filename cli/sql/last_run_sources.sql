-- what the newest run did per source (printed after a refresh)
select source, source_status, bytes_fetched, rows, validation
from history.refresh_runs
where run_id = (select run_id from history.refresh_runs order by finished_at desc limit 1)
