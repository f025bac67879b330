-- files of each source's newest fetch per validation status
with newest as (select source, max(fetch_id) as fetch_id from raw.batches group by source)
select batches.source, batches.status, count(*) as files,
       string_agg(batches.file, ', ' order by batches.file)
           filter (where batches.status <> 'passed') as which
from raw.batches inner join newest using (source, fetch_id)
group by batches.source, batches.status order by batches.source, batches.status
