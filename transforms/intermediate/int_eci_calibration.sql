-- per tracked benchmark, Epoch's IRT calibration from the current bundle, where the bundle
-- ships one and the seed maps the benchmark to it (eci_calibration_names.csv says why a
-- benchmark is left unmapped). With a model's ECI, the predicted score is
--   random_baseline + (1 - random_baseline) * 1 / (1 + exp(-slope * (eci - difficulty)))
with current_batches as (

    select fetch_id, file from intermediate.int_batches_current
    where
        source in (select source from staging.stg_seeds__sources where role = 'registry')
        and unit = 'metadata'

),

calibration as (

    select calibration.*
    from staging.stg_epoch__eci_calibration as calibration
    inner join current_batches
        on calibration.fetch_id = current_batches.fetch_id
        and calibration.file = current_batches.file
    where calibration.difficulty is not null and calibration.slope > 0

),

names as (

    select
        trim(benchmark_id) as benchmark_id,
        nullif(trim(eci_benchmark_name), '') as eci_benchmark_name
    from staging.stg_seeds__eci_calibration_names

),

final as (

    select
        names.benchmark_id,
        calibration.eci_benchmark_name,
        calibration.difficulty,
        calibration.slope
    from names
    inner join calibration on names.eci_benchmark_name = calibration.eci_benchmark_name

)

select * from final
