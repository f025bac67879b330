-- versions per file now and at the file's last good fetch: a tracked file may not silently
-- shrink or vanish
with this_fetch as (
    select file from raw.batches where fetch_id = $fetch_id and source = $source
),
-- the registry every open/closed status comes from may never silently drop out: the layout's
-- own registry files when the bundle has one, else every registry file gapwatch knows
registry_files as (
    select file from (
        values
            ('epoch_capabilities_index.csv'),
            ('model_metadata.csv'),
            ('epoch_capabilities_index/eci_scores.csv')
    ) as known (file)
),
registry as (
    select file from registry_files where file in (select file from this_fetch)
    union
    select file from registry_files
    where not exists (
        select 1 from this_fetch
        where file in ('epoch_capabilities_index.csv', 'model_metadata.csv')
    )
),
tracked as (
    select file from seeds.benchmarks
    where try_cast(tracked as boolean) and nullif(file, '') is not null
    union select file from registry
),
files as (
    select file from this_fetch union select file from tracked
),
last_good as (
    select file, max(fetch_id) as fetch_id
    from raw.batches
    where source = $source and status in ('passed', 'warned') and fetch_id < $fetch_id
    group by file
),
-- only this fetch and each file's last good one are counted: the collapse of any other fetch
-- would be computed for nothing
counted as (
    select $fetch_id as fetch_id
    union
    select fetch_id from last_good
),
versions as (
    select fetch_id, file, model_version from intermediate.int_benchmark_scores_collapsed
    where fetch_id in (select fetch_id from counted)
    union all
    -- the new registry holds no scores: count its versions
    select distinct fetch_id, file, model_version from staging.stg_epoch__model_versions
    where file = 'model_metadata.csv' and model_version is not null
        and fetch_id in (select fetch_id from counted)
),
now_counts as (
    select file, count(*) as n
    from versions
    where fetch_id = $fetch_id
    group by file
),
before_counts as (
    select versions.file, count(*) as n
    from versions
    inner join last_good
        on versions.file = last_good.file and versions.fetch_id = last_good.fetch_id
    group by versions.file
)
select
    files.file,
    files.file in (select file from tracked) as tracked,
    coalesce(now_counts.n, 0) as rows_now,
    before_counts.n as rows_before,
    cast(ceil((1 - $max_loss) * before_counts.n) as bigint) as rows_floor,
    files.file not in (select file from this_fetch) as missing
from files
inner join before_counts on files.file = before_counts.file
left join now_counts on files.file = now_counts.file
order by files.file
