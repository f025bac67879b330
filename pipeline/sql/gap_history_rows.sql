-- this run's gap summary, one history.gap_history row per series
select
    $run_id as run_id, $as_of::date as as_of, source, series, view, open_scope, access, category,
    latest_date, gap_months, ci_low, ci_high, n_points, n_pending, median_months_pending
from marts.gap_summary
