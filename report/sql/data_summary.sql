-- every series' gap now
select source, series, view, open_scope, access, category, as_of, latest_date, gap_months,
       ci_low, ci_high, n_points, n_pending, median_months_pending
from marts.gap_summary
order by source, series
