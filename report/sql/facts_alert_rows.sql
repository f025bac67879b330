select alerts.as_of, alerts.kind, alerts.benchmark_id,
       coalesce(benchmarks.name, alerts.benchmark_id) as benchmark, benchmarks.scale,
       alerts.threshold, alerts.open_scope, alerts.open_model,
       coalesce(nullif(trim(opened.display_name), ''), alerts.open_model) as open_name,
       opened.release_date as open_release, alerts.closed_model,
       coalesce(nullif(trim(closed.display_name), ''), alerts.closed_model) as closed_name,
       closed.release_date as closed_release, alerts.gap_months, alerts.delivered_at,
       alerts.delivery_error, crossings.accepted,
       (select string_agg(distinct channel, ', ' order by channel) from history.alert_deliveries
        where alert_deliveries.alert_id = alerts.alert_id) as channels
from history.alerts
left join marts.benchmarks on benchmarks.benchmark_id = alerts.benchmark_id
left join marts.models as opened on opened.model_version = alerts.open_model
left join marts.models as closed on closed.model_version = alerts.closed_model
left join marts.crossings on crossings.benchmark_id = alerts.benchmark_id
    and abs(crossings.threshold - alerts.threshold) < 1e-9
    and crossings.open_scope = alerts.open_scope
where $since is null or alerts.as_of >= $since
