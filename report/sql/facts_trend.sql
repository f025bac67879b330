select date, gap_months from marts.gap_trend
where source = $source and series = 'all' and gap_months is not null
order by date
