select months, slope_months_per_year, intercept_months, r_squared, zero_lag_date
from marts.frontier_lag_trend
where source = $source and scope = 'all' and statistic = 'mean'
