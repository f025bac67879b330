-- names a person should look at: Epoch versions with no open/closed status, and source names
-- that match no Epoch model (with the nearest candidates) or have no status at all
with models as (

    select * from intermediate.int_models as models where is_open is null

),

scores as (

    select
        benchmark_scores.model_version,
        count(*) as scores,
        count(*) filter (where benchmarks.tracked) as tracked_scores,
        string_agg(benchmark_scores.benchmark_id, ', ' order by benchmark_scores.benchmark_id)
            as benchmarks
    from intermediate.int_benchmark_scores as benchmark_scores
    inner join intermediate.int_benchmarks as benchmarks
        on benchmark_scores.benchmark_id = benchmarks.benchmark_id
    group by benchmark_scores.model_version

),

epoch_unresolved as (

    select
        (
            select source from staging.stg_seeds__sources where role = 'registry'
        ) as source,
        models.model_version,
        models.model_name,
        models.organization,
        models.release_date,
        models.accessibility,
        case
            when not models.in_registry then 'not in Epoch''s capabilities index'
            when models.accessibility is null
                then 'no accessibility label in Epoch''s capabilities index'
            else 'label "' || models.accessibility || '" is neither open weights nor API access'
        end as reason,
        cast(null as varchar) as candidates,
        coalesce(scores.scores, 0) as scores,
        coalesce(scores.tracked_scores, 0) as tracked_scores,
        scores.benchmarks
    from models
    left join scores
        on models.model_version = scores.model_version

),

source_unresolved as (

    select
        source_scores.source,
        source_scores.source_model as model_version,
        any_value(source_scores.model_display) as model_name,
        min(source_scores.organization) as organization,
        min(source_scores.release_date) as release_date,
        cast(null as varchar) as accessibility,
        case
            when any_value(source_scores.model_id) is null
                then 'matches no Epoch model: map it in transforms/seeds/model_aliases.csv'
            else 'matched ' || any_value(source_scores.model_id) || ' but no source gives it a status'
        end as reason,
        any_value(aliases.candidates) as candidates,
        count(*) as scores,
        count(*) filter (where benchmarks.tracked) as tracked_scores,
        string_agg(source_scores.benchmark_id, ', ' order by source_scores.benchmark_id)
            as benchmarks
    from intermediate.int_source_scores as source_scores
    inner join intermediate.int_benchmarks as benchmarks on source_scores.benchmark_id = benchmarks.benchmark_id
    left join intermediate.int_model_aliases as aliases
        on source_scores.source = aliases.source
        and source_scores.source_model = aliases.source_name
    where source_scores.model_id is null or source_scores.is_open is null
    group by source_scores.source, source_scores.source_model

),

final as (

    select * from epoch_unresolved
    union all
    select * from source_unresolved

)

select * from final
order by source, tracked_scores desc, model_version
