-- one value per (source benchmark, model as the source names it), from the current batches,
-- with the model's identity and open/closed status resolved across sources
with sources as (

    select * from staging.stg_seeds__sources

),

current_batches as (

    select * from intermediate.int_batches_current
    where source in (select source from sources where role = 'leaderboard')

),

scores as (

    select observations.*
    from intermediate.int_observations_collapsed as observations
    inner join current_batches
        on observations.fetch_id = current_batches.fetch_id
        and observations.source = current_batches.source

),

aliases as (

    select * from intermediate.int_model_aliases as model_aliases

),

epoch_versions as (

    select
        aliases.model_id,
        models.*
    from intermediate.int_models as models
    inner join aliases
        on aliases.source in (select source from sources where role = 'registry')
        and models.model_version = aliases.source_name

),

-- Epoch's word on each model id: only when all its labelled versions agree
epoch_status as (

    select
        model_id,
        case when count(distinct is_open) = 1 then max(is_open::int)::boolean end as is_open,
        case
            when bool_or(status_source = 'override') then 'override'
            -- the link of the status chain that decided (the registry of either layout, ...)
            when count(distinct is_open) = 1 then min(status_source)
        end as status_source,
        bool_or(is_chinese) as is_chinese,
        min(release_date) as release_date,
        min(organization) as organization,
        arg_min(model_name, release_date) as model_name,
        max(eci_score) as eci_score
    from epoch_versions
    group by model_id

),

-- a source's own open-weights flag per model id (the source catalog's highest
-- open_flag_precedence first)
source_flags as (

    select
        aliases.model_id,
        arg_max(scores.open_weights, sources.open_flag_precedence) as open_weights,
        arg_max(scores.source, sources.open_flag_precedence) as flag_source
    from scores
    inner join aliases
        on scores.source = aliases.source and scores.model = aliases.source_name
    inner join sources on scores.source = sources.source
    where scores.open_weights is not null and aliases.model_id is not null
    group by aliases.model_id

),

final as (

    select
        scores.source || ':' || scores.benchmark_id || ':' || scores.model as source_score_id,
        scores.source,
        scores.benchmark_id,
        scores.model as source_model,
        scores.model_display,
        aliases.model_id,
        aliases.effort,
        aliases.method as match_method,
        scores.score,
        scores.scale,
        coalesce(scores.release_date, epoch_status.release_date) as release_date,
        coalesce(
            epoch_status.is_open,
            case when source_flags.open_weights is not null then source_flags.open_weights end,
            scores.open_weights
        ) as is_open,
        case
            when epoch_status.is_open is not null then epoch_status.status_source
            when source_flags.open_weights is not null then source_flags.flag_source
            when scores.open_weights is not null then scores.source
        end as status_source,
        coalesce(
            epoch_status.is_chinese,
            case
                when scores.country is null then null
                else lower(scores.country) in ('cn', 'china', 'hk', 'hong kong')
            end
        ) as is_chinese,
        coalesce(scores.organization, epoch_status.organization) as organization,
        epoch_status.model_name,
        epoch_status.eci_score,
        scores.fetch_id,
        scores.source_row,
        scores.rows_collapsed
    from scores
    left join aliases
        on scores.source = aliases.source and scores.model = aliases.source_name
    left join epoch_status on aliases.model_id = epoch_status.model_id
    left join source_flags on aliases.model_id = source_flags.model_id

)

select * from final
order by source, benchmark_id, release_date, source_model
