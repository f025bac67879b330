-- per pair where both groups crossed, and per crosser's group: the model that blocks it, if
-- any. A blocker is a model of the crosser's own group, released earlier, never evaluated on
-- this benchmark, with an ECI at least the crosser's: it would probably have crossed first.
-- "Model" is Epoch's model name: effort and budget variants of one model share it (and its
-- ECI), so a model counts as evaluated when any of its versions was
with pairs as (

    select * from intermediate.int_crossing_pairs
    where status = 'both_crossed'

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
    from marts.models

),

evaluated as (

    select distinct benchmark_id, model_key from scores

),

final as (

    select
        pairs.benchmark_id,
        pairs.threshold,
        pairs.open_scope,
        crosser.is_open as for_open,
        list(
            candidate.model_key || ' (' || candidate.model_version || ')'
            order by candidate.eci_score desc, candidate.release_date, candidate.model_version
        )[1] as blocker,
        max(candidate.eci_score) as blocker_eci,
        max(crosser.eci_score) as crosser_eci
    from pairs
    inner join scores as crosser
        on crosser.benchmark_id = pairs.benchmark_id
        and crosser.entity in (pairs.first_closed_model, pairs.first_open_model)
        and crosser.eci_score is not null
    inner join model_keys as candidate
        on candidate.is_open = crosser.is_open
        and (not candidate.is_open or pairs.open_scope = 'all' or candidate.is_chinese)
        and candidate.model_key <> crosser.model_key
        and candidate.release_date < case
            when crosser.is_open then pairs.first_open_date else pairs.first_closed_date
        end
        and candidate.eci_score >= crosser.eci_score
    anti join evaluated
        on evaluated.benchmark_id = pairs.benchmark_id
        and evaluated.model_key = candidate.model_key
    group by pairs.benchmark_id, pairs.threshold, pairs.open_scope, crosser.is_open

)

select * from final
