-- every (benchmark, threshold, open scope): the first closed and first open crosser, the gap
-- between them, and whether the datapoint is accepted, with the written reason either way
with thresholds as (

    select * from intermediate.int_crossing_thresholds

),

first_crossers as (

    select * from intermediate.int_first_crossers

),

scopes as (

    select * from (values ('all'), ('chinese')) as scopes (open_scope)

),

models as (

    select model_version, model_name, release_date, is_open, is_chinese, eci_score
    from marts.models

),

scores as (

    select benchmark_id, entity, score, model_key, eci_score, is_open
    from intermediate.int_gap_scores

),

overrides as (

    select
        trim(benchmark_id) as override_benchmark_id,
        cast(threshold as double) as override_threshold,
        trim(open_scope) as override_scope,
        lower(trim(verdict)) = 'accept' as override_verdict,
        trim(reason) as override_text
    from seeds.crossing_overrides

),

floors as (

    select
        benchmarks.benchmark_id,
        coalesce(
            benchmarks.validity_floor, quantile_cont(scores.score, 0.10)
        ) as validity_floor,
        benchmarks.validity_floor is not null as floor_from_catalog,
        count(scores.score) as scores_behind_floor
    from marts.benchmarks as benchmarks
    inner join scores on benchmarks.benchmark_id = scores.benchmark_id
    group by benchmarks.benchmark_id, benchmarks.validity_floor

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
        opened.tied_versions as first_open_tied,
        date_diff('day', closed.release_date, opened.release_date) as gap_days,
        case
            when closed.model_version is not null and opened.model_version is not null
                then 'closed'
            when closed.model_version is not null then 'pending'
            when opened.model_version is not null then 'open_led'
            else 'none'
        end as status,
        case
            when opened.model_version is null and closed.model_version is not null
                then date_diff('day', closed.release_date, $as_of::date) / 30.4375
        end as months_pending
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

-- a model of the crosser's own group, released earlier, never evaluated on this benchmark,
-- with an ECI at least the crosser's: it would probably have crossed first. "Model" is
-- Epoch's model name: effort and budget variants of one model share it (and its ECI), so a
-- model counts as evaluated when any of its versions was
model_keys as (

    select
        coalesce(model_name, model_version) as model_key,
        model_version,
        release_date,
        is_open,
        is_chinese,
        eci_score
    from marts.models

),

evaluated as (

    select distinct benchmark_id, model_key from scores

),

untested as (

    select
        paired.benchmark_id,
        paired.threshold,
        paired.open_scope,
        crosser.is_open as for_open,
        list(
            candidate.model_key || ' (' || candidate.model_version || ')'
            order by candidate.eci_score desc, candidate.release_date, candidate.model_version
        )[1] as blocker,
        max(candidate.eci_score) as blocker_eci,
        max(crosser.eci_score) as crosser_eci
    from paired
    inner join scores as crosser
        on crosser.benchmark_id = paired.benchmark_id
        and crosser.entity in (paired.first_closed_model, paired.first_open_model)
        and crosser.eci_score is not null
    inner join model_keys as candidate
        on candidate.is_open = crosser.is_open
        and (not candidate.is_open or paired.open_scope = 'all' or candidate.is_chinese)
        and candidate.model_key <> crosser.model_key
        and candidate.release_date < case
            when crosser.is_open then paired.first_open_date else paired.first_closed_date
        end
        and candidate.eci_score >= crosser.eci_score
    anti join evaluated
        on evaluated.benchmark_id = paired.benchmark_id
        and evaluated.model_key = candidate.model_key
    where paired.status = 'closed'
    group by paired.benchmark_id, paired.threshold, paired.open_scope, crosser.is_open

),

ruled as (

    select
        paired.*,
        floors.validity_floor,
        floors.scores_behind_floor,
        floors.floor_from_catalog,
        paired.threshold < floors.validity_floor - 1e-9 as below_floor,
        untested_closed.blocker as closed_blocker,
        untested_closed.blocker_eci as closed_blocker_eci,
        untested_closed.crosser_eci as closed_crosser_eci,
        untested_open.blocker as open_blocker,
        untested_open.blocker_eci as open_blocker_eci,
        untested_open.crosser_eci as open_crosser_eci
    from paired
    left join floors on paired.benchmark_id = floors.benchmark_id
    left join untested as untested_closed
        on paired.benchmark_id = untested_closed.benchmark_id
        and paired.threshold = untested_closed.threshold
        and paired.open_scope = untested_closed.open_scope
        and not untested_closed.for_open
    left join untested as untested_open
        on paired.benchmark_id = untested_open.benchmark_id
        and paired.threshold = untested_open.threshold
        and paired.open_scope = untested_open.open_scope
        and untested_open.for_open

),

-- a reviewer's verdict (the override file) comes first, so rejecting a pair's top threshold
-- lets the pair count at its next surviving one instead of vanishing
with_overrides as (

    select
        ruled.*,
        overrides.override_verdict,
        overrides.override_text,
        coalesce(
            overrides.override_verdict,
            ruled.status = 'closed' and not ruled.below_floor
            and ruled.closed_blocker is null and ruled.open_blocker is null
        ) as survives
    from ruled
    left join overrides
        on ruled.benchmark_id = overrides.override_benchmark_id
        and abs(ruled.threshold - overrides.override_threshold) < 1e-9
        and ruled.open_scope = overrides.override_scope

),

-- one datapoint per (closed, open) pair: among the thresholds that survive the other rules,
-- a pair spanning several counts once, at the highest
deduplicated as (

    select
        *,
        case
            when survives then max(threshold) over (
                partition by benchmark_id, open_scope, first_closed_model, first_open_model, survives
            )
        end as pair_threshold
    from with_overrides

),

decided as (

    select
        deduplicated.*,
        coalesce(
            override_verdict,
            pair_threshold is not null and threshold = pair_threshold
        ) as accepted,
        case
            when override_verdict is not null then 'override: ' || override_text
            when status = 'none' then 'none: no model with a known status reached this threshold'
            when status = 'open_led' then 'open_led: an open model reached it; no closed model has'
            when status = 'pending' then printf(
                'pending: no open model has reached it, %.1f months after %s (%s)',
                months_pending, first_closed_model, first_closed_date
            )
            when below_floor then printf(
                'below the validity floor %.4g (%s): the first crossers at the bottom reflect '
                || 'which models were tested first, not capability',
                validity_floor,
                case
                    when floor_from_catalog then 'set in the catalog'
                    else '10th percentile of ' || scores_behind_floor || ' scores'
                end
            )
            when closed_blocker is not null then printf(
                'untested model: closed %s (ECI %.1f) was released before %s (ECI %.1f) '
                || 'but never evaluated here; it would probably have crossed first',
                closed_blocker, closed_blocker_eci, first_closed_model, closed_crosser_eci
            )
            when open_blocker is not null then printf(
                'untested model: open %s (ECI %.1f) was released before %s (ECI %.1f) '
                || 'but never evaluated here; it would probably have crossed first',
                open_blocker, open_blocker_eci, first_open_model, open_crosser_eci
            )
            when threshold <> pair_threshold then printf(
                'same pair as threshold %g (%s -> %s): counted once, at its highest threshold',
                pair_threshold, first_closed_model, first_open_model
            )
            else printf(
                'accepted: %s (%s) -> %s (%s), gap %.1f months',
                first_closed_model, first_closed_date, first_open_model, first_open_date,
                gap_days / 30.4375
            )
        end as reason
    from deduplicated

),

final as (

    select
        benchmark_id || ':' || threshold || ':' || open_scope as crossing_id,
        benchmark_id,
        threshold,
        open_scope,
        first_closed_model,
        first_closed_date,
        first_closed_score,
        first_closed_tied,
        first_open_model,
        first_open_date,
        first_open_score,
        first_open_tied,
        gap_days,
        gap_days / 30.4375 as gap_months,
        status,
        months_pending,
        validity_floor,
        accepted,
        reason
    from decided

)

select * from final
order by benchmark_id, open_scope, threshold
