-- every score the gap analysis runs on, from every source, in one shape: the entity as its
-- source names it, the model key the untested-model rule compares (Epoch's model name where
-- known), and the ECI of that model
with epoch_scores as (

    select
        (
            select source from staging.stg_seeds__sources where role = 'registry'
        ) as source,
        scores.benchmark_id,
        scores.model_version as entity,
        scores.score,
        scores.release_date,
        scores.is_open,
        scores.is_chinese,
        coalesce(models.model_name, models.model_version) as model_key,
        models.eci_score
    from intermediate.int_benchmark_scores as scores
    left join intermediate.int_models as models on scores.model_version = models.model_version

),

source_scores as (

    select
        source,
        benchmark_id,
        source_model as entity,
        score,
        release_date,
        is_open,
        is_chinese,
        coalesce(model_name, model_id, source_model) as model_key,
        eci_score
    from intermediate.int_source_scores as source_scores

),

final as (

    select * from epoch_scores
    union all
    select * from source_scores

)

select * from final
