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

-- one group per (fetch, benchmark, version): the best row by arg_max, not a window over every
-- row (a window holds all rows with all their columns at once; the grouping holds one best row
-- per version and spills to disk when it must)
grouped as (

    select
        scored.fetch_id,
        scored.benchmark_id,
        scored.model_version,
        arg_max(
            struct_pack(
                file := scored.file,
                score := scored.score,
                scale := scored.scale,
                stderr := scored.stderr,
                organization := scored.organization,
                country := scored.country,
                row_number := scored.row_number
            ),
            -- the highest score in the benchmark's direction, then the earliest row
            (
                case
                    when coalesce(direction.higher_is_better, true) then scored.score
                    else -scored.score
                end,
                -scored.row_number
            )
        ) as best,
        count(*) as rows_collapsed,
        -- the best row may lack what a sibling row of the same version has
        min(scored.release_date) as version_release_date
    from scored
    left join direction
        on scored.benchmark_id = direction.benchmark_id
    group by scored.fetch_id, scored.benchmark_id, scored.model_version

),

final as (

    select
        fetch_id,
        best.file as file,
        benchmark_id,
        model_version,
        best.score as score,
        best.scale as scale,
        best.stderr as stderr,
        version_release_date as release_date,
        best.organization as organization,
        best.country as country,
        best.row_number as source_row,
        rows_collapsed
    from grouped

)

select * from final
