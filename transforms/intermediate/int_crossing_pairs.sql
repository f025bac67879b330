-- every (benchmark, threshold, open scope): its first closed and first open crosser side by
-- side, the gap between their release dates, and where the pair stands:
--   both_crossed  a closed and an open model have both reached the threshold
--   pending       a closed model has, no open model yet (months_pending counts the wait)
--   open_led      an open model has, no closed model yet
--   none          no model with a known status has
with thresholds as (

    select * from intermediate.int_crossing_thresholds

),

first_crossers as (

    select * from intermediate.int_first_crossers

),

scopes as (

    select * from (values ('all'), ('chinese')) as scopes (open_scope)

),

paired as (

    select
        thresholds.benchmark_id,
        thresholds.threshold,
        scopes.open_scope,
        closed.model_version as first_closed_model,
        closed.release_date as first_closed_date,
        closed.score as first_closed_score,
        closed.tied_versions as first_closed_tied,
        opened.model_version as first_open_model,
        opened.release_date as first_open_date,
        opened.score as first_open_score,
        opened.tied_versions as first_open_tied
    from thresholds
    cross join scopes
    left join first_crossers as closed
        on thresholds.benchmark_id = closed.benchmark_id
        and thresholds.threshold = closed.threshold
        and scopes.open_scope = closed.open_scope
        and closed.model_group = 'closed'
    left join first_crossers as opened
        on thresholds.benchmark_id = opened.benchmark_id
        and thresholds.threshold = opened.threshold
        and scopes.open_scope = opened.open_scope
        and opened.model_group = 'open'

),

final as (

    select
        *,
        date_diff('day', first_closed_date, first_open_date) as gap_days,
        case
            when first_closed_model is not null and first_open_model is not null
                then 'both_crossed'
            when first_closed_model is not null then 'pending'
            when first_open_model is not null then 'open_led'
            else 'none'
        end as status,
        case
            when first_open_model is null and first_closed_model is not null
                then date_diff('day', first_closed_date, $as_of::date) / 30.4375
        end as months_pending
    from paired

)

select * from final
