select as_of, kind, message, raised_at, delivered_at, delivery_error
from history.alerts
order by raised_at desc, alert_id
limit $limit
