-- the crossing overrides seed, typed: a reviewer's accept/reject of one crossing, with why
with source as (

    select * from seeds.crossing_overrides

),

typed as (

    select
        trim(benchmark_id) as benchmark_id,
        cast(threshold as double) as threshold,
        trim(open_scope) as open_scope,
        lower(trim(verdict)) = 'accept' as verdict_accept,
        trim(reason) as reason
    from source

)

select * from typed
