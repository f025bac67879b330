select benchmark_id, month_end, lag_months, open_leads
from marts.frontier_lag
order by month_end, benchmark_id
