select series, date, gap_months, ci_low, ci_high, n_eff, n_points
from marts.gap_trend
where source = $source
order by series, date
