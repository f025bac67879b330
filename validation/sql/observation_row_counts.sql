-- observations of each fetch ($sources[i], $fetch_ids[i]) now and at its source's last good
-- fetch before it (no row when there was none), counted in one pass over the collapsed
-- observations of those fetches
with checked as (
    select unnest($sources::varchar[]) as source, unnest($fetch_ids::bigint[]) as fetch_id
),
last_good as (
    select checked.source, checked.fetch_id, max(batches.fetch_id) as good_id
    from checked
    inner join raw.batches as batches
        on batches.source = checked.source
        and batches.status in ('passed', 'warned')
        and batches.fetch_id < checked.fetch_id
    group by checked.source, checked.fetch_id
),
counted as (
    select source, fetch_id, fetch_id as counted_id, true as now from last_good
    union all
    select source, fetch_id, good_id as counted_id, false as now from last_good
),
counts as (
    select
        counted.source,
        counted.fetch_id,
        count(collapsed.fetch_id) filter (where counted.now) as rows_now,
        count(collapsed.fetch_id) filter (where not counted.now) as rows_before
    from counted
    left join intermediate.int_observations_collapsed as collapsed
        on collapsed.fetch_id = counted.counted_id
    group by counted.source, counted.fetch_id
)
select source, fetch_id, 'observations' as file, true as tracked, rows_now, rows_before,
       cast(ceil((1 - $max_loss) * rows_before) as bigint) as rows_floor, false as missing
from counts
where rows_before > 0
order by fetch_id
