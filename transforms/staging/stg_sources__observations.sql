-- every observation of every leaderboard-style source, typed and trimmed; raw.observations is
-- the union of their raw tables, made from the source registry (warehouse/db.py)
with unioned as (

    select * from raw.observations

),

renamed as (

    select
        source,
        _fetch_id as fetch_id,
        cast(row_number as integer) as row_number,
        nullif(trim(model, e' \t\r\n'), '') as model,
        nullif(trim(model_display, e' \t\r\n'), '') as model_display,
        nullif(trim(metric, e' \t\r\n'), '') as metric,
        coalesce(nullif(trim(metric_version, e' \t\r\n'), ''), '') as metric_version,
        nullif(trim(value, e' \t\r\n'), '') as value_text,
        try_cast(nullif(trim(value, e' \t\r\n'), '') as double) as value_number,
        lower(nullif(trim(unit, e' \t\r\n'), '')) as unit,
        nullif(trim(release_date, e' \t\r\n'), '') as release_date_text,
        try_cast(nullif(trim(release_date, e' \t\r\n'), '') as date) as release_date,
        nullif(trim(organization, e' \t\r\n'), '') as organization,
        nullif(trim(country, e' \t\r\n'), '') as country,
        case lower(trim(open_weights))
            when 'true' then true
            when 'false' then false
        end as open_weights,
        extra
    from unioned

)

select * from renamed
