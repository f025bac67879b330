-- per month-end, the spread of frontier lags across tracked benchmarks, whether the month is
-- in the trend's fit (enough benchmarks), and the fitted line of the mean (scope `all`)
with lags as (

    select * from intermediate.int_frontier_lag as frontier_lag

),

monthly as (

    select
        month_end,
        count(*) as benchmarks,
        median(lag_months) as median_lag_months,
        quantile_cont(lag_months, 0.25) as q1_lag_months,
        quantile_cont(lag_months, 0.75) as q3_lag_months,
        avg(lag_months) as mean_lag_months
    from lags
    group by month_end

),

fit as (

    select * from intermediate.int_frontier_lag_trend as frontier_lag_trend
    where
        source in (select source from staging.stg_seeds__sources where role = 'registry')
        and scope = 'all'
        and statistic = 'mean'

),

final as (

    select
        monthly.*,
        monthly.benchmarks >= $frontier_lag_min_benchmarks as in_fit,
        fit.intercept_months
        + fit.slope_months_per_year * date_diff('day', date '1970-01-01', monthly.month_end)
        / 365.25 as fitted_mean_lag_months
    from monthly
    left join fit on true

)

select * from final
order by month_end
