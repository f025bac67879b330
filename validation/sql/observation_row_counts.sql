-- observations now and at the source's last good fetch (no row when there was none)
with last_good as (
    select max(fetch_id) as fetch_id from raw.batches
    where source = $source and status in ('passed', 'warned') and fetch_id < $fetch_id
),
before_counts as (
    select count(*) as n from intermediate.int_observations_collapsed
    where fetch_id = (select fetch_id from last_good)
),
now_counts as (
    select count(*) as n from intermediate.int_observations_collapsed where fetch_id = $fetch_id
)
select 'observations' as file, true as tracked, now_counts.n as rows_now,
       before_counts.n as rows_before,
       cast(ceil((1 - $max_loss) * before_counts.n) as bigint) as rows_floor, false as missing
from now_counts cross join before_counts
where before_counts.n > 0
