-- every observation of every leaderboard-style source, typed and trimmed
-- (one union branch per source in extractors.OBSERVATION_SOURCES; a test keeps them in step)
with unioned as (

    select 'artificial_analysis' as source, * from raw.artificial_analysis__observations
    union all by name
    select 'aider' as source, * from raw.aider__observations
    union all by name
    select 'metr' as source, * from raw.metr__observations
    union all by name
    select 'weirdml' as source, * from raw.weirdml__observations
    union all by name
    select 'livebench' as source, * from raw.livebench__observations
    union all by name
    select 'lmarena' as source, * from raw.lmarena__observations
    union all by name
    select 'arc_prize' as source, * from raw.arc_prize__observations

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
