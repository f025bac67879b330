-- every observation with its benchmark id and the value on the benchmark's scale; a metric
-- published in versions (an index rescaled, a new test release) gets one benchmark per version
with observations as (

    select * from staging.stg_sources__observations

),

batches as (

    select fetch_id, source from staging.stg_raw__batches

),

metrics as (

    select
        source,
        metric,
        nullif(trim(benchmark_id), '') as benchmark_id
    from staging.stg_seeds__source_metrics

),

units as (

    select * from staging.stg_seeds__units

),

scaled as (

    select
        observations.*,
        coalesce(
            metrics.benchmark_id,
            observations.source || '__' || observations.metric
            || case
                when observations.metric_version <> '' then '@' || observations.metric_version
                else ''
            end
        ) as benchmark_id,
        units.scale,
        units.min_value,
        units.max_value,
        observations.value_number / units.divisor as score
    from observations
    inner join batches
        on observations.fetch_id = batches.fetch_id
        and observations.source = batches.source
    left join metrics
        on observations.source = metrics.source
        and observations.metric = metrics.metric
    left join units
        on observations.unit = units.unit

)

select * from scaled
