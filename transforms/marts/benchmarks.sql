-- the benchmark catalog: the tracked seed plus every file the current Epoch bundle holds
with seeded as (

    select * from seeds.benchmarks

),

loaded as (

    select distinct source, file, benchmark_id, unit
    from intermediate.int_batches_current

),

units as (

    select unit, scale from seeds.units

),

catalog as (

    select
        coalesce(seeded.benchmark_id, loaded.benchmark_id) as benchmark_id,
        coalesce(seeded.name, loaded.benchmark_id) as name,
        coalesce(loaded.source, case when seeded.file is not null then 'epoch' end) as source,
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
        loaded.file is not null as is_loaded
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
        catalog.is_loaded
    from catalog
    left join units
        on catalog.unit = units.unit

)

select * from final
order by tracked desc, benchmark_id
