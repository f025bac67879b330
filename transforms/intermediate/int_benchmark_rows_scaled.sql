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

    select
        unit,
        scale,
        -- division, not * 0.01: 35 / 100 is exactly the double 0.35, 35 * 0.01 is not
        cast(divisor as double) as divisor,
        cast(min_value as double) as min_value,
        cast(max_value as double) as max_value
    from seeds.units

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
