-- the newest fetch of each source
select source, status, as_of, strftime(fetched_at, '%Y-%m-%d %H:%M UTC') as fetched_at,
       bytes, changed, coalesce(message, '') as message
from raw.fetches
qualify row_number() over (partition by source order by fetch_id desc) = 1
order by source
