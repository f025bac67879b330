-- build: streamed, not copied (one row per raw row: cheap to recompute, costly to hold)
-- every Epoch row with its benchmark id and the score on the benchmark's scale. A file with a
-- version column (METR's `METR version`) is split: a row naming a version belongs to
-- `<benchmark>@<version>` (METR-Horizon-v1.1 -> metr_time_horizons@v1.1), a row without one
-- keeps the plain id (the original methodology), so versions never mix
with rows as (

    select * from staging.stg_epoch__benchmark_rows

),

batches as (

    select fetch_id, file, benchmark_id, unit
    from staging.stg_raw__batches
    where source in (
        select source from staging.stg_seeds__sources where role = 'registry'
    )

),

units as (

    select * from staging.stg_seeds__units

),

scaled as (

    select
        rows.*,
        coalesce(
            batches.benchmark_id || '@' || regexp_replace(
                nullif(trim(json_extract_string(rows.extra, '$."METR version"')), ''),
                '^METR-Horizon-', ''
            ),
            batches.benchmark_id
        ) as benchmark_id,
        batches.unit,
        units.scale,
        units.min_value,
        units.max_value,
        rows.score_value / units.divisor as score
    from rows
    inner join batches
        on rows.fetch_id = batches.fetch_id
        and rows.file = batches.file
    left join units
        on batches.unit = units.unit

)

select * from scaled
