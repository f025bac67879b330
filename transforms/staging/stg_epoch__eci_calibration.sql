-- Epoch's IRT calibration of the ECI, one row per calibrated benchmark and batch: with a
-- model's ECI it predicts the model's score (see intermediate.int_eci_calibration)
with calibration_rows as (

    select * from staging.stg_epoch__benchmark_rows
    where file = 'additional_eci_data/eci_benchmark_difficulties_and_slopes.csv'

),

renamed as (

    select
        fetch_id,
        file,
        row_number,
        nullif(trim(json_extract_string(extra, '$.benchmark_name')), '') as eci_benchmark_name,
        try_cast(json_extract_string(extra, '$.edi') as double) as difficulty,
        try_cast(json_extract_string(extra, '$.estimated_slope_scaled') as double) as slope
    from calibration_rows

)

select * from renamed
