-- what changed since the previous run: gaps an open model closed, gaps a closed model opened,
-- and new best open scores. intermediate.previous_* are the marts as the last run left them.
with previous_crossings as (

    select * from intermediate.previous_crossings

),

current_crossings as (

    select * from marts.crossings

),

-- only benchmarks the last marts already held, of sources they held: a source's first good
-- load, or a new benchmark id (a rescaled index starts a new one), is its own baseline
benchmarks as (

    select benchmark_id, name, scale, tracked
    from marts.benchmarks
    where
        source in (select source from intermediate.previous_sources)
        and benchmark_id in (select distinct benchmark_id from intermediate.previous_crossings)

),

gap_closed as (

    select
        'gap_closed' as kind,
        current_crossings.benchmark_id,
        current_crossings.threshold,
        current_crossings.open_scope,
        current_crossings.first_open_model as open_model,
        current_crossings.first_closed_model as closed_model,
        current_crossings.gap_months,
        null::double as score
    from current_crossings
    inner join previous_crossings
        on current_crossings.benchmark_id = previous_crossings.benchmark_id
        and current_crossings.threshold = previous_crossings.threshold
        and current_crossings.open_scope = previous_crossings.open_scope
    where previous_crossings.status = 'pending' and current_crossings.status = 'both_crossed'

),

gap_opened as (

    select
        'gap_opened' as kind,
        current_crossings.benchmark_id,
        current_crossings.threshold,
        current_crossings.open_scope,
        null as open_model,
        current_crossings.first_closed_model as closed_model,
        null::double as gap_months,
        null::double as score
    from current_crossings
    left join previous_crossings
        on current_crossings.benchmark_id = previous_crossings.benchmark_id
        and current_crossings.threshold = previous_crossings.threshold
        and current_crossings.open_scope = previous_crossings.open_scope
    where
        current_crossings.status = 'pending'
        and coalesce(previous_crossings.status, 'none') in ('none', 'open_led')

),

current_best as (

    select
        benchmark_id,
        max(score) as score,
        first(entity order by score desc, entity) as model_version
    from intermediate.int_gap_scores
    where is_open
    group by benchmark_id

),

open_frontier as (

    select
        'open_frontier' as kind,
        current_best.benchmark_id,
        null::double as threshold,
        'all' as open_scope,
        current_best.model_version as open_model,
        null as closed_model,
        null::double as gap_months,
        current_best.score
    from current_best
    inner join benchmarks on current_best.benchmark_id = benchmarks.benchmark_id
    left join intermediate.previous_open_best as previous_best
        on current_best.benchmark_id = previous_best.benchmark_id
    where
        benchmarks.tracked
        and (previous_best.score is null or current_best.score > previous_best.score + 1e-12)

),

events as (

    select * from gap_closed
    union all
    select * from gap_opened
    union all
    select * from open_frontier

),

final as (

    select
        events.*,
        benchmarks.name as benchmark_name,
        benchmarks.scale,
        coalesce(open_models.model_name, open_models.display_name, events.open_model)
            as open_model_name,
        open_models.organization,
        coalesce(closed_models.model_name, closed_models.display_name, events.closed_model)
            as closed_model_name
    from events
    inner join benchmarks on events.benchmark_id = benchmarks.benchmark_id
    left join marts.models as open_models on events.open_model = open_models.model_version
    left join marts.models as closed_models on events.closed_model = closed_models.model_version

)

select * from final
order by kind, benchmark_id, open_scope, threshold
