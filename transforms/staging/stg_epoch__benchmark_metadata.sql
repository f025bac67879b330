-- what the bundle's benchmark_metadata.csv declares per benchmark (new layout, Sept 2026):
-- its file, headline column, scale, random baseline, ceiling, ECI membership and successor
with metadata_rows as (

    select * from staging.stg_epoch__benchmark_rows
    where file = 'benchmark_metadata.csv'

),

renamed as (

    select
        fetch_id,
        row_number,
        nullif(trim(json_extract_string(extra, '$.benchmark')), '') as name,
        nullif(trim(json_extract_string(extra, '$.source_file')), '') as source_file,
        nullif(trim(json_extract_string(extra, '$.score_column')), '') as score_column,
        try_cast(json_extract_string(extra, '$.scale') as double) as scale_multiplier,
        try_cast(json_extract_string(extra, '$.random_baseline') as double) as random_baseline,
        try_cast(json_extract_string(extra, '$.score_ceiling') as double) as score_ceiling,
        try_cast(json_extract_string(extra, '$.in_eci') as boolean) as in_eci,
        release_date,
        nullif(trim(json_extract_string(extra, '$.superseded_by')), '') as superseded_by
    from metadata_rows

)

select * from renamed
