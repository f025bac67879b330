select months, slope_months_per_year, slope_ci_low, slope_ci_high, intercept_months, r_squared,
       zero_lag_date, zero_lag_note
from marts.frontier_lag_trend
where source = $source and scope = 'all' and statistic = 'mean'
