-- every (benchmark, threshold, open scope): the first closed and first open crosser, the gap
-- between them, and whether the datapoint is accepted, with the written reason either way.
-- The steps before this one: int_crossing_thresholds (the grid) -> int_first_crossers (per
-- group) -> int_crossing_pairs (side by side, with a status) -> int_crossing_floors and
-- int_crossing_untested (the two rules that can reject a pair); here the verdict.
with pairs as (

    select * from intermediate.int_crossing_pairs

),

floors as (

    select * from intermediate.int_crossing_floors

),

untested as (

    select * from intermediate.int_crossing_untested

),

noise as (

    select * from intermediate.int_crossing_noise

),

overrides as (

    select
        benchmark_id as override_benchmark_id,
        threshold as override_threshold,
        open_scope as override_scope,
        verdict_accept as override_verdict,
        reason as override_text
    from staging.stg_seeds__crossing_overrides

),

ruled as (

    select
        pairs.*,
        floors.validity_floor,
        floors.scores_behind_floor,
        floors.floor_origin,
        pairs.threshold < floors.validity_floor - 1e-9 as below_floor,
        untested_closed.untested_check as closed_check,
        untested_closed.blocker as closed_blocker,
        untested_closed.blocker_eci as closed_blocker_eci,
        untested_closed.blocker_predicted_score as closed_blocker_predicted,
        coalesce(untested_closed.untested_rule, untested_open.untested_rule) as untested_rule,
        untested_closed.crosser_eci as closed_crosser_eci,
        untested_closed.evaluated_unscored as closed_unscored,
        untested_open.untested_check as open_check,
        untested_open.blocker as open_blocker,
        untested_open.blocker_eci as open_blocker_eci,
        untested_open.blocker_predicted_score as open_blocker_predicted,
        untested_open.crosser_eci as open_crosser_eci,
        untested_open.evaluated_unscored as open_unscored,
        noise.closed_p_above_threshold,
        noise.open_p_above_threshold,
        noise.p_above_threshold,
        noise.p_above_threshold_note
    from pairs
    left join floors on pairs.benchmark_id = floors.benchmark_id
    left join noise
        on pairs.benchmark_id = noise.benchmark_id
        and pairs.threshold = noise.threshold
        and pairs.open_scope = noise.open_scope
    left join untested as untested_closed
        on pairs.benchmark_id = untested_closed.benchmark_id
        and pairs.threshold = untested_closed.threshold
        and pairs.open_scope = untested_closed.open_scope
        and not untested_closed.for_open
    left join untested as untested_open
        on pairs.benchmark_id = untested_open.benchmark_id
        and pairs.threshold = untested_open.threshold
        and pairs.open_scope = untested_open.open_scope
        and untested_open.for_open

),

-- one check per pair: failed when either side failed, not_run when either side could not run
checked as (

    select
        ruled.*,
        case
            when status <> 'both_crossed' then 'not_run'
            when closed_check = 'failed' or open_check = 'failed' then 'failed'
            when closed_check = 'not_run' or open_check = 'not_run' then 'not_run'
            else 'passed'
        end as untested_check,
        case
            when status <> 'both_crossed' then 'no pair to check: ' || status
            when closed_check = 'failed' or open_check = 'failed' then null
            when closed_check = 'not_run' and open_check = 'not_run' then printf(
                'neither %s nor %s has an ECI to compare earlier untested models with',
                first_closed_model, first_open_model
            )
            when closed_check = 'not_run' then printf(
                '%s has no ECI to compare earlier untested models with', first_closed_model
            )
            when open_check = 'not_run' then printf(
                '%s has no ECI to compare earlier untested models with', first_open_model
            )
            when coalesce(closed_unscored, open_unscored) is not null then printf(
                '%s was evaluated here without a headline score: evaluated, not untested',
                coalesce(closed_unscored, open_unscored)
            )
        end as untested_note,
        case
            when closed_check = 'failed' then closed_blocker
            when open_check = 'failed' then open_blocker
        end as untested_blocker,
        case
            when closed_check = 'failed' then closed_blocker_eci
            when open_check = 'failed' then open_blocker_eci
        end as untested_blocker_eci,
        case
            when closed_check = 'failed' then closed_blocker_predicted
            when open_check = 'failed' then open_blocker_predicted
        end as untested_blocker_predicted_score
    from ruled

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
            ruled.status = 'both_crossed' and not ruled.below_floor
            and ruled.untested_check <> 'failed'
        ) as survives
    from checked as ruled
    left join overrides
        on ruled.benchmark_id = overrides.override_benchmark_id
        and abs(ruled.threshold - overrides.override_threshold) < 1e-9
        and ruled.open_scope = overrides.override_scope

),

-- one datapoint per (closed, open) pair: among the thresholds that survive the other rules,
-- a pair spanning several counts once, at the highest (a grouped max joined back: a window
-- over these wide rows costs several times more)
pair_tops as (

    select
        benchmark_id,
        open_scope,
        first_closed_model,
        first_open_model,
        max(threshold) as pair_threshold
    from with_overrides
    where survives
    group by benchmark_id, open_scope, first_closed_model, first_open_model

),

deduplicated as (

    select
        with_overrides.*,
        case when with_overrides.survives then pair_tops.pair_threshold end as pair_threshold
    from with_overrides
    left join pair_tops
        on with_overrides.benchmark_id = pair_tops.benchmark_id
        and with_overrides.open_scope = pair_tops.open_scope
        and with_overrides.first_closed_model is not distinct from pair_tops.first_closed_model
        and with_overrides.first_open_model is not distinct from pair_tops.first_open_model

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
                case floor_origin
                    when 'catalog_floor' then 'set in the catalog'
                    when 'catalog_baseline' then 'random baseline + '
                        || round($floor_share_of_range * 100) || '% of the range to the ceiling'
                    else '10th percentile of ' || scores_behind_floor || ' scores'
                end
            )
            when closed_check = 'failed' and untested_rule = 'irt_calibration' then printf(
                'untested model: closed %s (ECI %.1f) was released before %s but never '
                || 'evaluated here; Epoch''s IRT calibration predicts it scores %.3f, above '
                || 'the threshold %g: it would probably have crossed first',
                closed_blocker, closed_blocker_eci, first_closed_model, closed_blocker_predicted,
                threshold
            )
            when open_check = 'failed' and untested_rule = 'irt_calibration' then printf(
                'untested model: open %s (ECI %.1f) was released before %s but never '
                || 'evaluated here; Epoch''s IRT calibration predicts it scores %.3f, above '
                || 'the threshold %g: it would probably have crossed first',
                open_blocker, open_blocker_eci, first_open_model, open_blocker_predicted,
                threshold
            )
            when closed_check = 'failed' then printf(
                'untested model: closed %s (ECI %.1f) was released before %s (ECI %.1f, '
                || 'margin %g) but never evaluated here; it would probably have crossed first',
                closed_blocker, closed_blocker_eci, first_closed_model, closed_crosser_eci,
                $untested_eci_margin
            )
            when open_check = 'failed' then printf(
                'untested model: open %s (ECI %.1f) was released before %s (ECI %.1f, '
                || 'margin %g) but never evaluated here; it would probably have crossed first',
                open_blocker, open_blocker_eci, first_open_model, open_crosser_eci,
                $untested_eci_margin
            )
            when threshold <> pair_threshold then printf(
                'same pair as threshold %g (%s -> %s): counted once, at its highest threshold',
                pair_threshold, first_closed_model, first_open_model
            )
            else printf(
                'accepted: %s (%s) -> %s (%s), gap %.1f months; untested check %s%s%s',
                first_closed_model, first_closed_date, first_open_model, first_open_date,
                gap_days / 30.4375, untested_check,
                case when untested_rule = 'irt_calibration' then ' by IRT calibration' else '' end,
                coalesce(' (' || untested_note || ')', '')
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
        floor_origin,
        untested_check,
        untested_rule,
        untested_blocker,
        untested_blocker_eci,
        untested_blocker_predicted_score,
        untested_note,
        closed_p_above_threshold,
        open_p_above_threshold,
        p_above_threshold,
        p_above_threshold_note,
        accepted,
        reason
    from decided

)

select * from final
order by benchmark_id, open_scope, threshold
