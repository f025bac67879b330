select month_end, benchmarks, median_lag_months, q1_lag_months, q3_lag_months,
       mean_lag_months, fitted_mean_lag_months, in_fit
from marts.frontier_lag_monthly
order by month_end
