-- Epoch's model-version registry: the rows of epoch_capabilities_index.csv
with registry_rows as (

    select * from staging.stg_epoch__benchmark_rows
    where file = 'epoch_capabilities_index.csv'

),

renamed as (

    select
        fetch_id,
        row_number,
        model_version,
        nullif(trim(json_extract_string(extra, '$."Model name"'), e' \t\r\n'), '') as model_name,
        nullif(trim(json_extract_string(extra, '$."Display name"'), e' \t\r\n'), '') as display_name,
        nullif(
            trim(json_extract_string(extra, '$."Model accessibility"'), e' \t\r\n'), ''
        ) as accessibility,
        score_value as eci_score,
        release_date,
        organization,
        country
    from registry_rows

)

select * from renamed
