-- `gapwatch alerts --each`: every alert, gap_closed first, with its delivery
select as_of, kind, message,
       coalesce(strftime(delivered_at, '%Y-%m-%d %H:%M'), 'not yet: ' ||
       coalesce(delivery_error, 'pending')) as delivered
from history.alerts where ($since is null or as_of >= $since)
    and (not $undelivered or delivered_at is null)
order by kind <> 'gap_closed', as_of desc, raised_at, alert_id
