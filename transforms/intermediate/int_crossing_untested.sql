-- per pair where both groups crossed, and per crosser's group: did the untested-model check
-- run, and what blocks the pair if anything. A blocker is a model of the crosser's own group,
-- released earlier, never evaluated on this benchmark, that would probably have crossed this
-- threshold first. untested_rule says how "probably" is decided:
--   irt_calibration  the bundle ships Epoch's IRT calibration for the benchmark: the model's
--                    predicted score, random_baseline + (1 - random_baseline) *
--                    sigmoid(slope * (ECI - difficulty)), reaches the threshold plus
--                    $untested_score_margin (the crosser's own ECI is not needed)
--   eci_margin       otherwise: the model's ECI exceeds the crosser's by $untested_eci_margin
--   passed   no such model
--   failed   blocker names the strongest one (blocker_eci, blocker_predicted_score)
--   not_run  eci_margin rule and the crosser has no ECI to compare with (note says so)
-- "Evaluated" means any row for the benchmark, a blank headline score included (a model scored
-- at 32k but blank at 120k was evaluated). "Model" is Epoch's model name: effort and budget
-- variants share it (and its ECI), so a model counts as evaluated when any of its versions was
with pairs as (

    select * from intermediate.int_crossing_pairs
    where status = 'both_crossed'

),

sides as (

    select
        benchmark_id, threshold, open_scope, false as for_open,
        first_closed_model as crosser, first_closed_date as crossed_date
    from pairs
    union all
    select
        benchmark_id, threshold, open_scope, true as for_open,
        first_open_model as crosser, first_open_date as crossed_date
    from pairs

),

scores as (

    select benchmark_id, entity, model_key, eci_score, is_open
    from intermediate.int_gap_scores

),

model_keys as (

    select
        coalesce(model_name, model_version) as model_key,
        model_version,
        release_date,
        is_open,
        is_chinese,
        eci_score
    from intermediate.int_models as models

),

-- every Epoch row of the current batches, scored or not, by model key
epoch_rows as (

    select distinct
        rows.benchmark_id,
        coalesce(models.model_name, rows.model_version) as model_key,
        rows.score is not null as scored
    from intermediate.int_benchmark_rows_scaled as rows
    inner join intermediate.int_batches_current as current_batches
        on rows.fetch_id = current_batches.fetch_id
        and rows.file = current_batches.file
    left join intermediate.int_models as models on rows.model_version = models.model_version
    where rows.model_version is not null

),

evaluated as (

    select benchmark_id, model_key, bool_or(scored) as scored
    from (
        select benchmark_id, model_key, scored from epoch_rows
        union all
        select benchmark_id, model_key, true as scored from scores
    )
    group by benchmark_id, model_key

),

-- the calibration applies to benchmarks scored as fractions (its predictions are fractions)
calibration as (

    select
        calibration.benchmark_id,
        calibration.difficulty,
        calibration.slope,
        coalesce(benchmarks.random_baseline, 0) as random_baseline
    from intermediate.int_eci_calibration as calibration
    inner join intermediate.int_benchmarks as benchmarks
        on calibration.benchmark_id = benchmarks.benchmark_id
    where benchmarks.unit in ('fraction', 'percent')

),

crossers as (

    select
        sides.*,
        scores.model_key as crosser_key,
        scores.eci_score as crosser_eci,
        calibration.benchmark_id is not null as calibrated,
        calibration.difficulty,
        calibration.slope,
        calibration.random_baseline
    from sides
    left join scores
        on sides.benchmark_id = scores.benchmark_id
        and sides.crosser = scores.entity
        and sides.for_open = scores.is_open
    left join calibration on sides.benchmark_id = calibration.benchmark_id

),

-- earlier models of the crosser's group with an ECI, and their predicted score where calibrated
candidates as (

    select
        crossers.*,
        candidate.model_key,
        candidate.model_version,
        candidate.eci_score,
        candidate.release_date,
        crossers.random_baseline + (1 - crossers.random_baseline)
        / (1 + exp(-crossers.slope * (candidate.eci_score - crossers.difficulty)))
            as predicted_score
    from crossers
    inner join model_keys as candidate
        on candidate.is_open = crossers.for_open
        and (not candidate.is_open or crossers.open_scope = 'all' or candidate.is_chinese)
        and candidate.model_key is distinct from crossers.crosser_key
        and candidate.release_date < crossers.crossed_date
        and candidate.eci_score is not null

),

-- earlier models of the crosser's group strong enough to have crossed first, evaluated or not
strong_earlier as (

    select
        candidates.benchmark_id,
        candidates.threshold,
        candidates.open_scope,
        candidates.for_open,
        candidates.model_key,
        candidates.model_version,
        candidates.eci_score,
        candidates.predicted_score,
        candidates.release_date,
        evaluated.model_key is not null as was_evaluated,
        coalesce(evaluated.scored, false) as was_scored
    from candidates
    left join evaluated
        on evaluated.benchmark_id = candidates.benchmark_id
        and evaluated.model_key = candidates.model_key
    where
        case
            when candidates.calibrated
                then candidates.predicted_score > candidates.threshold + $untested_score_margin
            else candidates.eci_score >= candidates.crosser_eci + $untested_eci_margin
        end

),

blockers as (

    select
        benchmark_id,
        threshold,
        open_scope,
        for_open,
        -- the first by (ECI desc, release date, version): one value per group, not a list
        arg_min(
            model_key || ' (' || model_version || ')',
            (-eci_score, release_date, model_version)
        ) filter (where not was_evaluated) as blocker,
        max(eci_score) filter (where not was_evaluated) as blocker_eci,
        max(predicted_score) filter (where not was_evaluated) as blocker_predicted_score,
        -- evaluated without a headline score: not untested, and the reason says so
        arg_min(
            model_key || ' (' || model_version || ')',
            (-eci_score, release_date, model_version)
        ) filter (where was_evaluated and not was_scored) as evaluated_unscored
    from strong_earlier
    group by benchmark_id, threshold, open_scope, for_open

),

final as (

    select
        crossers.benchmark_id,
        crossers.threshold,
        crossers.open_scope,
        crossers.for_open,
        crossers.crosser,
        crossers.crosser_eci,
        case when crossers.calibrated then 'irt_calibration' else 'eci_margin' end
            as untested_rule,
        case
            when not crossers.calibrated and crossers.crosser_eci is null then 'not_run'
            when blockers.blocker is not null then 'failed'
            else 'passed'
        end as untested_check,
        blockers.blocker,
        blockers.blocker_eci,
        blockers.blocker_predicted_score,
        blockers.evaluated_unscored
    from crossers
    left join blockers
        on crossers.benchmark_id = blockers.benchmark_id
        and crossers.threshold = blockers.threshold
        and crossers.open_scope = blockers.open_scope
        and crossers.for_open = blockers.for_open

)

select * from final
