-- the batch each file's marts data comes from: its newest batch that passed validation,
-- for every file present in the newest parsed fetch of its source (quarantined files
-- fall back to their last good batch; files that vanished from the source are dropped)
with batches as (

    select * from staging.stg_raw__batches

),

newest_fetch as (

    select source, max(fetch_id) as fetch_id
    from batches
    group by source

),

newest_files as (

    select batches.source, batches.file
    from batches
    inner join newest_fetch
        on batches.source = newest_fetch.source
        and batches.fetch_id = newest_fetch.fetch_id

),

last_good as (

    select source, file, max(fetch_id) as fetch_id
    from batches
    where status in ('passed', 'warned')
    group by source, file

),

final as (

    select
        batches.source,
        batches.file,
        batches.fetch_id,
        batches.benchmark_id,
        batches.unit,
        batches.rows,
        batches.status
    from last_good
    inner join newest_files
        on last_good.source = newest_files.source
        and last_good.file = newest_files.file
    inner join batches
        on last_good.source = batches.source
        and last_good.file = batches.file
        and last_good.fetch_id = batches.fetch_id

)

select * from final
