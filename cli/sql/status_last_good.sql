-- the newest fetch of each source that loaded
select source, max(as_of) as last_good_as_of, max(fetch_id) as fetch_id
from raw.fetches where status in ('loaded', 'partial')
group by source order by source
