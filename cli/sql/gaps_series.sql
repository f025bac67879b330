-- `gapwatch gaps`: one source's series, the gap now with its band and leave-one-out range
-- ($stale_days: an estimate that much older than the as-of date is marked with *)
select series, strftime(latest_date, '%Y-%m-%d') ||
       case when as_of - latest_date > $stale_days then '*' else '' end as at,
       round(gap_months, 1) as gap_months,
       round(ci_low, 1) || '–' || round(ci_high, 1) as band_90,
       round(least(loo_benchmark_min, loo_release_min), 1) || '–'
       || round(greatest(loo_benchmark_max, loo_release_max), 1) as leave_one_out,
       n_points as points, n_releases as releases, n_pending as pending,
       round(median_months_pending, 1) as median_months_pending,
       most_influential
from marts.gap_summary where source = $source
