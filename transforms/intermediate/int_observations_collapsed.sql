-- one value per (fetch, benchmark, model as the source names it): the best of its rows
-- (Aider lists a model once per edit format, METR once per agent)
with scored as (

    select * from intermediate.int_observations_scaled
    where model is not null and score is not null

),

ranked as (

    select
        *,
        row_number() over (
            partition by fetch_id, benchmark_id, model
            order by score desc, row_number
        ) as score_rank,
        count(*) over (partition by fetch_id, benchmark_id, model) as rows_collapsed,
        min(release_date) over (partition by fetch_id, benchmark_id, model) as first_release_date
    from scored

),

final as (

    select
        source,
        fetch_id,
        benchmark_id,
        metric,
        metric_version,
        model,
        model_display,
        score,
        scale,
        first_release_date as release_date,
        organization,
        country,
        open_weights,
        row_number as source_row,
        rows_collapsed
    from ranked
    where score_rank = 1

)

select * from final
