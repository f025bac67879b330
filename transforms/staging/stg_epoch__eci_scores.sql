-- Epoch's model-level ECI file of the new layout (epoch_capabilities_index/eci_scores.csv),
-- one row per model version it covers (the extractor expands `model_versions` / model_group)
with eci_rows as (

    select * from staging.stg_epoch__benchmark_rows
    where file = 'epoch_capabilities_index/eci_scores.csv'

),

renamed as (

    select
        fetch_id,
        file,
        row_number,
        model_version,
        nullif(trim(json_extract_string(extra, '$.Model'), e' \t\r\n'), '') as model_name,
        nullif(
            trim(json_extract_string(extra, '$."Model accessibility"'), e' \t\r\n'), ''
        ) as accessibility,
        nullif(
            trim(json_extract_string(extra, '$."Accessibility group"'), e' \t\r\n'), ''
        ) as accessibility_group,
        score_value as eci_score
    from eci_rows

)

select * from renamed
