select metric_id as benchmark_id, kind, metric, index_version, night, month_end, lag_months,
       open_leads
from intermediate.int_aa_frontier_lag as aa_frontier_lag
