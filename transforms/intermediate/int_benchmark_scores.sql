-- one score per (benchmark, model version), on the benchmark's scale, from the current good batches
with current_batches as (

    select * from intermediate.int_batches_current

),

scores as (

    select scores.*
    from intermediate.int_benchmark_scores_collapsed as scores
    inner join current_batches
        on scores.fetch_id = current_batches.fetch_id
        and scores.file = current_batches.file

),

models as (

    select * from intermediate.int_models as models

),

final as (

    select
        scores.benchmark_id || ':' || scores.model_version as benchmark_score_id,
        scores.benchmark_id,
        scores.model_version,
        scores.score,
        scores.scale,
        scores.stderr,
        coalesce(scores.release_date, models.release_date) as release_date,
        models.is_open,
        models.is_chinese,
        coalesce(models.organization, scores.organization) as organization,
        scores.fetch_id,
        scores.file,
        scores.source_row,
        scores.rows_collapsed
    from scores
    left join models
        on scores.model_version = models.model_version

)

select * from final
order by benchmark_id, release_date, model_version
