-- a model's readable name: Epoch's display name when it has one, else the version id
select points.gap_point_id, points.benchmark_id, points.benchmark_name, points.view,
       points.threshold, points.open_scope, points.closed_model,
       coalesce(nullif(trim(closed.display_name), ''), points.closed_model) as closed_name,
       points.closed_date, points.open_model,
       coalesce(nullif(trim(opened.display_name), ''), points.open_model) as open_name,
       coalesce(nullif(trim(opened.model_name), ''), points.open_model) as open_family,
       points.open_date, points.open_organization, points.gap_days, points.gap_months,
       points.access, points.category, benchmarks.scale
from marts.gap_points as points
left join marts.models as closed on closed.model_version = points.closed_model
left join marts.models as opened on opened.model_version = points.open_model
left join marts.benchmarks on benchmarks.benchmark_id = points.benchmark_id
where points.source = $source
order by points.open_date, points.benchmark_id, points.threshold
