select fetches.source, changes.file, changes.change, changes.detail, changes.columns
from raw.format_changes as changes
inner join raw.fetches as fetches using (fetch_id)
where changes.fetch_id in (
    select max(fetch_id) from raw.format_changes group by source
)
order by fetches.source, changes.file, changes.change, changes.detail
