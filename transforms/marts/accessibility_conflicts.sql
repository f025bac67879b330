-- where a source's own open-weights flag disagrees with Epoch's label (or an override)
with flags as (

    select distinct
        observations.source,
        observations.model as source_name,
        observations.open_weights
    from intermediate.int_observations_collapsed as observations
    inner join intermediate.int_batches_current as current_batches
        on observations.fetch_id = current_batches.fetch_id
        and observations.source = current_batches.source
    where observations.open_weights is not null

),

resolved as (

    select * from intermediate.int_source_scores as source_scores

),

epoch_side as (

    select distinct source, source_model, model_id, is_open, status_source
    from resolved
    where status_source in ('epoch_capabilities_index', 'override')

),

final as (

    select
        flags.source,
        flags.source_name,
        epoch_side.model_id,
        case when flags.open_weights then 'open weights' else 'closed' end as source_says,
        case when epoch_side.is_open then 'open weights' else 'closed' end as epoch_says,
        epoch_side.status_source as resolved_by
    from flags
    inner join epoch_side
        on flags.source = epoch_side.source and flags.source_name = epoch_side.source_model
    where flags.open_weights <> epoch_side.is_open

)

select * from final
order by source, source_name
