-- one row per model version seen in the bundle, with its open/closed status and the link of the
-- status chain that decided it: override, then the bundle's registry, then the bundle's ECI
-- file, then Epoch's Data on AI Models database (by Epoch's model name)
with current_batches as (

    select * from intermediate.int_batches_current
    where source in (
        select source from staging.stg_seeds__sources where role = 'registry'
    )

),

registry as (

    select registry.*
    from staging.stg_epoch__model_versions as registry
    inner join current_batches
        on registry.fetch_id = current_batches.fetch_id
        and registry.file = current_batches.file
    where registry.model_version is not null
    -- a version listed twice (validation warns): its labelled row, else its first row
    qualify row_number() over (
        partition by registry.model_version
        order by registry.accessibility is null, registry.row_number
    ) = 1

),

eci as (

    select eci.*
    from staging.stg_epoch__eci_scores as eci
    inner join current_batches
        on eci.fetch_id = current_batches.fetch_id
        and eci.file = current_batches.file
    where eci.model_version is not null

),

labels as (

    select * from staging.stg_seeds__accessibility_labels

),

-- the AI Models database of the current fetch; a name listed twice: its labelled row first
ai_models as (

    select ai_models.model_name, ai_models.accessibility
    from staging.stg_epoch_ai_models__models as ai_models
    inner join intermediate.int_batches_current as current_batches
        on ai_models.fetch_id = current_batches.fetch_id
        and current_batches.source in (
            select source from staging.stg_seeds__sources where role = 'status'
        )
    where ai_models.model_name is not null
    qualify row_number() over (
        partition by ai_models.model_name
        order by ai_models.accessibility is null, ai_models.row_number
    ) = 1

),

score_versions as (

    select
        scores.model_version,
        min(scores.release_date) as release_date,
        min(scores.organization) as organization,
        min(scores.country) as country
    from intermediate.int_benchmark_scores_collapsed as scores
    inner join current_batches
        on scores.fetch_id = current_batches.fetch_id
        and scores.file = current_batches.file
    group by scores.model_version

),

versions as (

    select model_version from registry
    union
    select model_version from score_versions
    union
    select model_version from eci

),

overrides as (

    select
        nullif(trim(model_version), '') as model_version,
        nullif(trim(model_name), '') as model_name,
        trim(accessibility) as accessibility,
        reason,
        evidence_url
    from staging.stg_seeds__accessibility_overrides

),

joined as (

    select
        versions.model_version,
        coalesce(registry.model_name, eci.model_name) as model_name,
        registry.display_name,
        coalesce(registry.organization, score_versions.organization) as organization,
        coalesce(registry.country, score_versions.country) as country,
        coalesce(registry.release_date, score_versions.release_date) as release_date,
        registry.accessibility as epoch_accessibility,
        registry.file as registry_file,
        eci.accessibility as eci_accessibility,
        ai_models.accessibility as ai_models_accessibility,
        coalesce(by_version.accessibility, by_name.accessibility) as override_accessibility,
        coalesce(by_version.reason, by_name.reason) as override_reason,
        coalesce(by_version.evidence_url, by_name.evidence_url) as override_evidence_url,
        coalesce(registry.eci_score, eci.eci_score) as eci_score,
        registry.model_version is not null as in_registry
    from versions
    left join registry
        on versions.model_version = registry.model_version
    left join score_versions
        on versions.model_version = score_versions.model_version
    left join eci
        on versions.model_version = eci.model_version
    left join ai_models
        on coalesce(registry.model_name, eci.model_name) = ai_models.model_name
    left join overrides as by_version
        on versions.model_version = by_version.model_version
    left join overrides as by_name
        on by_name.model_version is null
        and coalesce(registry.model_name, eci.model_name) = by_name.model_name

),

-- the status chain: the first link whose label has a class other than unknown decides
chain as (

    select
        joined.*,
        case
            when override_accessibility is not null then 'override'
            when registry_labels.label_class <> 'unknown'
                then case registry_file
                    when 'model_metadata.csv' then 'epoch_model_metadata'
                    else 'epoch_capabilities_index'
                end
            when eci_labels.label_class <> 'unknown' then 'epoch_eci_scores'
            when ai_labels.label_class <> 'unknown' then (
                select source from staging.stg_seeds__sources where role = 'status'
            )
        end as status_source
    from joined
    left join labels as registry_labels
        on joined.epoch_accessibility = registry_labels.label
    left join labels as eci_labels
        on joined.eci_accessibility = eci_labels.label
    left join labels as ai_labels
        on joined.ai_models_accessibility = ai_labels.label

),

labelled as (

    select
        chain.*,
        case
            when status_source = 'override' then override_accessibility
            when status_source = 'epoch_eci_scores' then eci_accessibility
            when status_source in (
                select source from staging.stg_seeds__sources where role = 'status'
            ) then ai_models_accessibility
            else coalesce(epoch_accessibility, eci_accessibility)
        end as accessibility
    from chain

),

classed as (

    select
        labelled.*,
        labels.label_class
    from labelled
    left join labels
        on labelled.accessibility = labels.label
        and labelled.status_source is not null

),

final as (

    select
        model_version,
        model_name,
        display_name,
        organization,
        country,
        release_date,
        accessibility,
        case label_class when 'open' then true when 'closed' then false end as is_open,
        case
            when country is not null then list_has_any(
                list_transform(string_split(country, ','), lambda x: trim(x)),
                ['China', 'Hong Kong', 'Macao']
            )
        end as is_chinese,
        status_source,
        epoch_accessibility,
        override_reason,
        override_evidence_url,
        eci_score,
        in_registry
    from classed

)

select * from final
order by model_version
