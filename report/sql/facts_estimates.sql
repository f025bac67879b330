select series, gap_months, ci_low, ci_high, latest_date, n_points, as_of
from marts.gap_summary
where source = $source and series in ('all', 'private', 'public')
