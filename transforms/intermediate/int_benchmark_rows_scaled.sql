-- every Epoch row with its benchmark id and the score on the benchmark's scale
with rows as (

    select * from staging.stg_epoch__benchmark_rows

),

batches as (

    select fetch_id, file, benchmark_id, unit
    from raw.batches
    where source = 'epoch'

),

units as (

    select * from staging.stg_seeds__units

),

scaled as (

    select
        rows.*,
        batches.benchmark_id,
        batches.unit,
        units.scale,
        units.min_value,
        units.max_value,
        rows.score_value / units.divisor as score
    from rows
    inner join batches
        on rows.fetch_id = batches.fetch_id
        and rows.file = batches.file
    left join units
        on batches.unit = units.unit

)

select * from scaled
