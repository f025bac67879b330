-- the benchmark catalog: the tracked seed plus every file the current Epoch bundle holds
with seeded as (

    select * from seeds.benchmarks

),

loaded as (

    select distinct source, file, benchmark_id, unit
    from intermediate.int_batches_current
    where source = 'epoch'

),

observed as (

    select distinct observations.source, observations.benchmark_id, observations.metric,
        observations.metric_version, observations.scale
    from intermediate.int_observations_collapsed as observations
    inner join intermediate.int_batches_current as current_batches
        on observations.fetch_id = current_batches.fetch_id
        and observations.source = current_batches.source

),

source_metrics as (

    select * from seeds.source_metrics

),

-- a leaderboard metric is tracked when the seed says so; every Artificial Analysis evaluation
-- is (the issue's "each evaluation and the three indices per version")
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
            try_cast(source_metrics.tracked as boolean), observed.source = 'artificial_analysis'
        ) as tracked
    from observed
    left join source_metrics
        on observed.source = source_metrics.source and observed.metric = source_metrics.metric
    where observed.benchmark_id not in (select benchmark_id from seeds.benchmarks)

),

units as (

    select unit, scale from seeds.units

),

catalog as (

    select
        coalesce(seeded.benchmark_id, loaded.benchmark_id) as benchmark_id,
        coalesce(seeded.name, loaded.benchmark_id) as name,
        coalesce(loaded.source, seeded.source) as source,
        coalesce(seeded.file, loaded.file) as file,
        coalesce(loaded.unit, seeded.unit) as unit,
        coalesce(try_cast(seeded.higher_is_better as boolean), true) as higher_is_better,
        seeded.access,
        seeded.category,
        seeded.evaluator,
        seeded.provenance,
        coalesce(try_cast(seeded.tracked as boolean), false) as tracked,
        nullif(trim(seeded.thresholds), '') as thresholds,
        try_cast(nullif(trim(seeded.validity_floor), '') as double) as validity_floor,
        loaded.file is not null
        or seeded.benchmark_id in (select benchmark_id from observed) as is_loaded,
        seeded.benchmark_id is not null as is_core
    from seeded
    full outer join loaded
        on seeded.file = loaded.file

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
        catalog.validity_floor,
        catalog.is_loaded,
        cast(null as varchar) as same_as,
        catalog.is_core
    from catalog
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
        false as is_core
    from observed_catalog

)

select * from final
order by tracked desc, benchmark_id
