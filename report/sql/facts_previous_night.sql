-- the night before the newest one, and its estimate of the same series
select as_of, gap_months
from history.gap_history
where source = $source and series = 'all' and as_of < $as_of
order by as_of desc, run_id desc
limit 1
