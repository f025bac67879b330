-- `gapwatch gaps --history SERIES`: how one series' estimate moved, run by run
select as_of, run_id, strftime(latest_date, '%Y-%m-%d') as at,
       round(gap_months, 1) as gap_months, round(ci_low, 1) as ci_low,
       round(ci_high, 1) as ci_high, n_points as points, n_pending as pending
from history.gap_history where series = $series and source = $source order by as_of, run_id
