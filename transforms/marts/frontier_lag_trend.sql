-- a least-squares line through the monthly mean lag: its slope in months per year and the
-- date it would reach zero (only when the lag is shrinking)
with monthly as (

    select month_end, avg(lag_months) as mean_lag_months
    from marts.frontier_lag
    group by month_end

),

points as (

    select
        date_diff('day', date '1970-01-01', month_end) / 365.25 as years,
        mean_lag_months
    from monthly

),

fit as (

    select
        count(*) as months,
        regr_slope(mean_lag_months, years) as slope_months_per_year,
        regr_intercept(mean_lag_months, years) as intercept_months,
        regr_r2(mean_lag_months, years) as r_squared
    from points

),

final as (

    select
        months,
        slope_months_per_year,
        intercept_months,
        r_squared,
        case
            when slope_months_per_year < 0 then
                date '1970-01-01'
                + cast(round(-intercept_months / slope_months_per_year * 365.25) as integer)
        end as zero_lag_date
    from fit

)

select * from final
