select count(distinct benchmark_id) from marts.gap_points
where source = $source and view = 'benchmark' and open_scope = 'all'
