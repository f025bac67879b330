-- one score per (fetch, benchmark, model version): the best of its rows (several agents,
-- shot settings or runs per version occur), remembering how many rows were collapsed
with scored as (

    select * from intermediate.int_benchmark_rows_scaled
    where model_version is not null and score is not null

),

direction as (

    select
        benchmark_id,
        coalesce(try_cast(higher_is_better as boolean), true) as higher_is_better
    from staging.stg_seeds__benchmarks

),

ranked as (

    select
        scored.*,
        row_number() over (
            partition by scored.fetch_id, scored.benchmark_id, scored.model_version
            order by
                case
                    when coalesce(direction.higher_is_better, true) then scored.score
                    else -scored.score
                end desc,
                scored.row_number asc
        ) as score_rank,
        count(*) over (
            partition by scored.fetch_id, scored.benchmark_id, scored.model_version
        ) as rows_collapsed,
        -- the best row may lack what a sibling row of the same version has
        min(scored.release_date) over (
            partition by scored.fetch_id, scored.benchmark_id, scored.model_version
        ) as version_release_date
    from scored
    left join direction
        on scored.benchmark_id = direction.benchmark_id

),

final as (

    select
        fetch_id,
        file,
        benchmark_id,
        model_version,
        score,
        scale,
        stderr,
        version_release_date as release_date,
        organization,
        country,
        row_number as source_row,
        rows_collapsed
    from ranked
    where score_rank = 1

)

select * from final
