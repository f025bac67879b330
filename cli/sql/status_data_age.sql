-- per source: its last fetch, its last good load, and how far behind the newest night
with last as (
    select source, status, as_of, fetched_at, coalesce(message, '') as message
    from raw.fetches
    qualify row_number() over (partition by source order by fetch_id desc) = 1
),
good as (
    select source, max(as_of) as last_good_as_of, max(fetched_at) as last_good_fetched
    from raw.fetches where status in ('loaded', 'partial', 'unchanged') group by source
)
select last.source, last.status as last_run, good.last_good_as_of,
       (select max(as_of) from raw.fetches) - good.last_good_as_of as days_behind,
       date_diff('day', good.last_good_fetched, now()) as fetched_days_ago,
       last.message
from last left join good using (source)
order by last.source
