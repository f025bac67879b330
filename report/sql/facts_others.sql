select source, gap_months, n_points from marts.gap_summary
where source <> $source and series = 'all'
order by n_points desc, source
