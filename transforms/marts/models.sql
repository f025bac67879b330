-- one row per model version seen in the bundle, with its open/closed status and where it came from
with current_batches as (

    select * from intermediate.int_batches_current where source = 'epoch'

),

registry as (

    select registry.*
    from staging.stg_epoch__model_versions as registry
    inner join current_batches
        on registry.fetch_id = current_batches.fetch_id
        and current_batches.file = 'epoch_capabilities_index.csv'
    where registry.model_version is not null

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

),

overrides as (

    select
        nullif(trim(model_version), '') as model_version,
        nullif(trim(model_name), '') as model_name,
        trim(accessibility) as accessibility,
        reason,
        evidence_url
    from seeds.accessibility_overrides

),

joined as (

    select
        versions.model_version,
        registry.model_name,
        registry.display_name,
        coalesce(registry.organization, score_versions.organization) as organization,
        coalesce(registry.country, score_versions.country) as country,
        coalesce(registry.release_date, score_versions.release_date) as release_date,
        registry.accessibility as epoch_accessibility,
        coalesce(by_version.accessibility, by_name.accessibility) as override_accessibility,
        coalesce(by_version.reason, by_name.reason) as override_reason,
        coalesce(by_version.evidence_url, by_name.evidence_url) as override_evidence_url,
        registry.eci_score,
        registry.model_version is not null as in_registry
    from versions
    left join registry
        on versions.model_version = registry.model_version
    left join score_versions
        on versions.model_version = score_versions.model_version
    left join overrides as by_version
        on versions.model_version = by_version.model_version
    left join overrides as by_name
        on by_name.model_version is null
        and registry.model_name = by_name.model_name

),

labelled as (

    select
        *,
        coalesce(override_accessibility, epoch_accessibility) as accessibility
    from joined

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
        case
            when accessibility like 'Open weights%' then true
            when accessibility in ('API access', 'Hosted access (no API)') then false
        end as is_open,
        case
            when country is not null then list_has_any(
                list_transform(string_split(country, ','), lambda x: trim(x)),
                ['China', 'Hong Kong', 'Macao']
            )
        end as is_chinese,
        case
            when override_accessibility is not null then 'override'
            when epoch_accessibility is not null then 'epoch_capabilities_index'
        end as status_source,
        epoch_accessibility,
        override_reason,
        override_evidence_url,
        eci_score,
        in_registry
    from labelled

)

select * from final
order by model_version
