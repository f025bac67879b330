-- the accepted datapoints: crossings where both groups crossed, at the open model's release date
with crossings as (

    select * from intermediate.int_crossings as crossings
    where accepted and status = 'both_crossed'

),

benchmarks as (

    select * from intermediate.int_benchmarks as benchmarks

),

models as (

    select
        model_version as entity,
        (select source from staging.stg_seeds__sources where role = 'registry') as source,
        organization,
        is_chinese
    from intermediate.int_models as models
    union all
    select distinct source_model, source, organization, is_chinese
    from intermediate.int_source_scores as source_scores

),

final as (

    select
        crossings.crossing_id as gap_point_id,
        benchmarks.source,
        crossings.benchmark_id,
        benchmarks.name as benchmark_name,
        -- composite indices (Epoch's ECI, AA's indices) are their own view: counting them
        -- beside the evaluations they are built from would count those twice
        case
            when crossings.benchmark_id = 'eci' then 'eci'
            when benchmarks.category = 'capability_index' then 'index'
            else 'benchmark'
        end as view,
        crossings.threshold,
        crossings.open_scope,
        crossings.first_closed_model as closed_model,
        crossings.first_closed_date as closed_date,
        crossings.first_open_model as open_model,
        crossings.first_open_date as open_date,
        open_models.organization as open_organization,
        open_models.is_chinese as open_is_chinese,
        crossings.gap_days,
        crossings.gap_months,
        crossings.untested_check,
        crossings.p_above_threshold,
        benchmarks.access,
        benchmarks.category
    from crossings
    inner join benchmarks on crossings.benchmark_id = benchmarks.benchmark_id
    left join models as open_models
        on crossings.first_open_model = open_models.entity
        and benchmarks.source = open_models.source
    where benchmarks.tracked or crossings.benchmark_id = 'eci'

)

select * from final
order by view, open_scope, open_date, benchmark_id, threshold
