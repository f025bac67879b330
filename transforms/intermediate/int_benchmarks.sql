-- the benchmark catalog: the tracked seed plus every file the current Epoch bundle holds, with
-- each Epoch benchmark's lineage (a `_v2` successor is its own benchmark; the newest is current).
-- random_baseline and score_ceiling: the bundle's benchmark_metadata.csv where it is loaded,
-- else the publisher's numbers as the seed documents them
with seeded as (

    select * from staging.stg_seeds__benchmarks

),

loaded as (

    select distinct source, file, benchmark_id, unit
    from intermediate.int_batches_current
    where
        source in (select source from staging.stg_seeds__sources where role = 'registry')
        and unit not in ('registry', 'metadata')

),

lineage as (

    select * from intermediate.int_epoch_lineage

),

-- a versioned file (METR) splits into one benchmark per version: each `<id>@<version>` is a
-- catalog row of its own, inheriting everything but the id and name from its file's row
versions as (

    select distinct
        current_batches.benchmark_id as base_id,
        rows.benchmark_id,
        substr(rows.benchmark_id, length(current_batches.benchmark_id) + 2) as version
    from intermediate.int_benchmark_rows_scaled as rows
    inner join intermediate.int_batches_current as current_batches
        on rows.fetch_id = current_batches.fetch_id
        and rows.file = current_batches.file
    where
        current_batches.source in (
            select source from staging.stg_seeds__sources where role = 'registry'
        )
        and rows.benchmark_id <> current_batches.benchmark_id

),

observed as (

    select distinct observations.source, observations.benchmark_id, observations.metric,
        observations.metric_version, observations.scale
    from intermediate.int_observations_collapsed as observations
    inner join intermediate.int_batches_current as current_batches
        on observations.fetch_id = current_batches.fetch_id
        and observations.source = current_batches.source

),

sources as (

    select * from staging.stg_seeds__sources

),

source_metrics as (

    select * from staging.stg_seeds__source_metrics

),

-- a leaderboard metric is tracked when source_metrics says so, else when its source tracks
-- every metric (the source catalog's tracks_every_metric)
observed_catalog as (

    select
        observed.benchmark_id,
        coalesce(source_metrics.name, observed.source || ' ' || observed.metric)
        || case when observed.metric_version <> '' then ' @' || observed.metric_version else '' end
            as name,
        observed.source,
        cast(null as varchar) as file,
        observed.scale,
        source_metrics.same_as,
        source_metrics.access,
        source_metrics.category,
        source_metrics.evaluator,
        source_metrics.provenance,
        coalesce(
            try_cast(source_metrics.tracked as boolean), coalesce(sources.tracks_every_metric, false)
        ) as tracked
    from observed
    left join sources on observed.source = sources.source
    left join source_metrics
        on observed.source = source_metrics.source and observed.metric = source_metrics.metric
    where observed.benchmark_id not in (select benchmark_id from staging.stg_seeds__benchmarks)

),

units as (

    select unit, scale from staging.stg_seeds__units

),

catalog as (

    -- a later version inherits what the seed says of its lineage's first version (tracked,
    -- category, access); the seed's thresholds hold only while the unit is the seeded one
    select
        coalesce(seeded.benchmark_id, loaded.benchmark_id) as benchmark_id,
        coalesce(
            seeded.name,
            root.name || ' v' || lineage.version,
            lineage.declared_name,
            loaded.benchmark_id
        ) as name,
        coalesce(loaded.source, seeded.source) as source,
        coalesce(loaded.file, seeded.file) as file,
        coalesce(loaded.unit, seeded.unit) as unit,
        coalesce(
            try_cast(coalesce(seeded.higher_is_better, root.higher_is_better) as boolean), true
        ) as higher_is_better,
        coalesce(seeded.access, root.access) as access,
        coalesce(seeded.category, root.category) as category,
        coalesce(seeded.evaluator, root.evaluator) as evaluator,
        coalesce(seeded.provenance, root.provenance) as provenance,
        coalesce(try_cast(coalesce(seeded.tracked, root.tracked) as boolean), false) as tracked,
        case
            when loaded.unit is null or loaded.unit = seeded.unit
                then nullif(trim(seeded.thresholds), '')
        end as thresholds,
        try_cast(nullif(trim(seeded.validity_floor), '') as double) as validity_floor,
        loaded.file is not null
        or seeded.benchmark_id in (select benchmark_id from observed) as is_loaded,
        seeded.benchmark_id is not null as is_core,
        coalesce(
            lineage.random_baseline,
            try_cast(nullif(trim(seeded.random_baseline), '') as double)
        ) as random_baseline,
        coalesce(
            lineage.score_ceiling,
            try_cast(nullif(trim(seeded.score_ceiling), '') as double)
        ) as score_ceiling,
        lineage.lineage_id,
        lineage.version,
        lineage.superseded_by,
        lineage.is_current,
        lineage.in_eci
    from seeded
    full outer join loaded
        on seeded.benchmark_id = loaded.benchmark_id
    left join lineage
        on loaded.benchmark_id = lineage.benchmark_id
    left join seeded as root
        on lineage.lineage_id = root.benchmark_id
        and lineage.lineage_id <> lineage.benchmark_id

),

with_versions as (

    select * from catalog
    union all
    select
        versions.benchmark_id,
        catalog.name || ' @' || versions.version as name,
        catalog.* exclude (benchmark_id, name)
    from versions
    inner join catalog on versions.base_id = catalog.benchmark_id

),

-- the validity floor and where it comes from: the catalog's explicit floor; else the
-- publisher's random baseline plus a share of the range up to its score ceiling
-- (FLOOR_SHARE_OF_RANGE); else none here (crossings fall back to a percentile and say so)
floored as (

    select
        with_versions.*,
        case
            when with_versions.validity_floor is not null then with_versions.validity_floor
            when with_versions.random_baseline is not null then
                with_versions.random_baseline + $floor_share_of_range * (
                    coalesce(with_versions.score_ceiling, 1.0) - with_versions.random_baseline
                )
        end as floor_value,
        case
            when with_versions.validity_floor is not null then 'catalog_floor'
            when with_versions.random_baseline is not null then 'catalog_baseline'
        end as floor_origin
    from with_versions

),

final as (

    select
        catalog.benchmark_id,
        catalog.name,
        catalog.source,
        catalog.file,
        catalog.unit,
        units.scale,
        catalog.higher_is_better,
        catalog.access,
        catalog.category,
        catalog.evaluator,
        catalog.provenance,
        catalog.tracked,
        catalog.thresholds,
        catalog.floor_value as validity_floor,
        catalog.is_loaded,
        cast(null as varchar) as same_as,
        catalog.is_core,
        catalog.random_baseline,
        catalog.score_ceiling,
        catalog.floor_origin,
        catalog.lineage_id,
        catalog.version,
        catalog.superseded_by,
        catalog.is_current,
        catalog.in_eci
    from floored as catalog
    left join units
        on catalog.unit = units.unit

    union all

    select
        benchmark_id,
        name,
        source,
        file,
        null as unit,
        scale,
        true as higher_is_better,
        access,
        category,
        evaluator,
        provenance,
        tracked,
        null as thresholds,
        null as validity_floor,
        true as is_loaded,
        same_as,
        false as is_core,
        null as random_baseline,
        null as score_ceiling,
        null as floor_origin,
        null as lineage_id,
        null as version,
        null as superseded_by,
        null as is_current,
        null as in_eci
    from observed_catalog

)

select * from final
order by tracked desc, benchmark_id
