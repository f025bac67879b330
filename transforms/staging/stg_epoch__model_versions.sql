-- Epoch's model-version registry, whichever layout the bundle has: the rows of
-- epoch_capabilities_index.csv (to mid 2026) or of model_metadata.csv (from Sept 2026)
with registry_rows as (

    select * from staging.stg_epoch__benchmark_rows
    where file in ('epoch_capabilities_index.csv', 'model_metadata.csv')

),

renamed as (

    select
        fetch_id,
        file,
        row_number,
        model_version,
        nullif(trim(case file
            when 'model_metadata.csv' then json_extract_string(extra, '$.model_group')
            else json_extract_string(extra, '$."Model name"')
        end, e' \t\r\n'), '') as model_name,
        nullif(trim(case file
            when 'model_metadata.csv' then json_extract_string(extra, '$.display_name')
            else json_extract_string(extra, '$."Display name"')
        end, e' \t\r\n'), '') as display_name,
        nullif(trim(case file
            when 'model_metadata.csv' then json_extract_string(extra, '$.accessibility')
            else json_extract_string(extra, '$."Model accessibility"')
        end, e' \t\r\n'), '') as accessibility,
        case when file = 'epoch_capabilities_index.csv' then score_value end as eci_score,
        release_date,
        organization,
        country
    from registry_rows

)

select * from renamed
