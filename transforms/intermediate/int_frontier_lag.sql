-- per tracked benchmark and month-end (the current month ends at the as-of date): the best
-- open score so far, and how many months
-- earlier the closed frontier first reached it (0 when no closed model had: open leads)
with scores as (

    select scores.benchmark_id, scores.model_version, scores.score, scores.release_date, scores.is_open
    from intermediate.int_benchmark_scores as scores
    inner join intermediate.int_benchmarks as benchmarks on scores.benchmark_id = benchmarks.benchmark_id
    where benchmarks.tracked and scores.is_open is not null and scores.release_date is not null

),

starts as (

    select benchmark_id, min(release_date) as first_open_date
    from scores
    where is_open
    group by benchmark_id

),

month_ends as (

    select
        starts.benchmark_id,
        -- the current month counts up to the as-of date
        least(last_day(cast(months.month_start as date)), $as_of::date) as month_end
    from starts
    cross join generate_series(
        cast(date_trunc('month', (select min(first_open_date) from starts)) as timestamp),
        cast(date_trunc('month', $as_of::date) as timestamp),
        interval 1 month
    ) as months (month_start)
    where least(last_day(cast(months.month_start as date)), $as_of::date) >= starts.first_open_date

),

open_best as (

    select
        month_ends.benchmark_id,
        month_ends.month_end,
        max(scores.score) as best_open_score,
        -- ties broken by name so the same data always names the same model
        first(scores.model_version order by scores.score desc, scores.model_version)
            as best_open_model
    from month_ends
    inner join scores
        on month_ends.benchmark_id = scores.benchmark_id
        and scores.is_open
        and scores.release_date <= month_ends.month_end
    group by month_ends.benchmark_id, month_ends.month_end

),

closed_reach as (

    select
        open_best.benchmark_id,
        open_best.month_end,
        min(scores.release_date) as closed_reached_date,
        first(
            scores.model_version order by scores.release_date, scores.score desc, scores.model_version
        ) as closed_model
    from open_best
    inner join scores
        on open_best.benchmark_id = scores.benchmark_id
        and not scores.is_open
        and scores.release_date <= open_best.month_end
        and scores.score >= open_best.best_open_score - 1e-9
    group by open_best.benchmark_id, open_best.month_end

),

final as (

    select
        open_best.benchmark_id || ':' || open_best.month_end as frontier_lag_id,
        open_best.benchmark_id,
        open_best.month_end,
        open_best.best_open_score,
        open_best.best_open_model,
        closed_reach.closed_model as closed_first_model,
        closed_reach.closed_reached_date,
        coalesce(
            date_diff('day', closed_reach.closed_reached_date, open_best.month_end) / 30.4375, 0
        ) as lag_months,
        closed_reach.closed_reached_date is null as open_leads
    from open_best
    left join closed_reach
        on open_best.benchmark_id = closed_reach.benchmark_id
        and open_best.month_end = closed_reach.month_end

)

select * from final
order by benchmark_id, month_end
