-- the units seed, typed: how each published unit maps to a stored scale and its valid range
with source as (

    select * from seeds.units

),

typed as (

    select
        unit,
        scale,
        -- division, not * 0.01: 35 / 100 is exactly the double 0.35, 35 * 0.01 is not
        cast(divisor as double) as divisor,
        cast(min_value as double) as min_value,
        cast(max_value as double) as max_value
    from source

)

select * from typed
