-- build: streamed, not copied (one row per raw row: cheap to recompute, costly to hold)
-- every row of every Epoch CSV, typed and trimmed (names arrive padded with spaces and newlines)
with source as (

    select * from raw.epoch__benchmark_rows

),

renamed as (

    select
        _fetch_id as fetch_id,
        file,
        cast(row_number as integer) as row_number,
        nullif(trim(model_version, e' \t\r\n'), '') as model_version,
        score_column,
        nullif(trim(score_text, e' \t\r\n'), '') as score_text,
        try_cast(nullif(trim(score_text, e' \t\r\n'), '') as double) as score_value,
        nullif(trim(release_date, e' \t\r\n'), '') as release_date_text,
        try_cast(nullif(trim(release_date, e' \t\r\n'), '') as date) as release_date,
        nullif(trim(organization, e' \t\r\n'), '') as organization,
        nullif(trim(country, e' \t\r\n'), '') as country,
        try_cast(nullif(trim(stderr_text, e' \t\r\n'), '') as double) as stderr,
        extra
    from source

)

select * from renamed
