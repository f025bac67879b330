-- maintainer news first: the newest format-change alerts (a source whose format changed
-- explains a quiet night)
select strftime(raised_at, '%Y-%m-%d %H:%M UTC') as raised_at, as_of, message
from history.alerts where kind = 'source_format_changed'
order by raised_at desc, alert_id limit 10
