-- observations now and at the source's last good fetch (no row when there was none), counted
-- in one pass over the collapsed observations of the two fetches
with last_good as (
    select max(fetch_id) as fetch_id from raw.batches
    where source = $source and status in ('passed', 'warned') and fetch_id < $fetch_id
),
counts as (
    select
        count(*) filter (where fetch_id = $fetch_id) as rows_now,
        count(*) filter (where fetch_id = (select fetch_id from last_good)) as rows_before
    from intermediate.int_observations_collapsed
    where fetch_id in ($fetch_id, (select fetch_id from last_good))
)
select 'observations' as file, true as tracked, rows_now, rows_before,
       cast(ceil((1 - $max_loss) * rows_before) as bigint) as rows_floor, false as missing
from counts
where rows_before > 0
