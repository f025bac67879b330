-- Epoch's Data on AI Models (all_ai_models.csv): each model's accessibility label, by Epoch's
-- model name (some names arrive with a trailing newline)
with source as (

    select * from raw.epoch_ai_models__models

),

renamed as (

    select
        _fetch_id as fetch_id,
        cast(row_number as integer) as row_number,
        nullif(trim(model, e' \t\r\n'), '') as model_name,
        nullif(trim(organization, e' \t\r\n'), '') as organization,
        try_cast(nullif(trim(publication_date, e' \t\r\n'), '') as date) as publication_date,
        nullif(trim(accessibility, e' \t\r\n'), '') as accessibility,
        nullif(trim(country, e' \t\r\n'), '') as country
    from source

)

select * from renamed
