-- model versions with no open/closed status: they take no part in gaps until someone resolves them
with models as (

    select * from marts.models where is_open is null

),

scores as (

    select
        benchmark_scores.model_version,
        count(*) as scores,
        count(*) filter (where benchmarks.tracked) as tracked_scores,
        string_agg(benchmark_scores.benchmark_id, ', ' order by benchmark_scores.benchmark_id)
            as benchmarks
    from marts.benchmark_scores
    inner join marts.benchmarks
        on benchmark_scores.benchmark_id = benchmarks.benchmark_id
    group by benchmark_scores.model_version

),

final as (

    select
        models.model_version,
        models.model_name,
        models.organization,
        models.release_date,
        models.accessibility,
        case
            when not models.in_registry then 'not in Epoch''s capabilities index'
            when models.accessibility is null then 'no accessibility label in Epoch''s capabilities index'
            else 'label "' || models.accessibility || '" is neither open weights nor API access'
        end as reason,
        coalesce(scores.scores, 0) as scores,
        coalesce(scores.tracked_scores, 0) as tracked_scores,
        scores.benchmarks
    from models
    left join scores
        on models.model_version = scores.model_version

)

select * from final
order by tracked_scores desc, model_version
