select source, scope, statistic, benchmarks, fit_start, fit_end, months_in_fit,
       slope_months_per_year, slope_ci_low, slope_ci_high, last_lag_months, zero_lag_date,
       extrapolated_zero_date, zero_lag_date_low, zero_lag_date_high, zero_lag_note
from marts.frontier_lag_trend
order by source <> $primary_source, source, scope, statistic
