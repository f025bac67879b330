-- the source drawn: the preferred one if it has datapoints, else the one with the most
select source, count(*) as points
from marts.gap_points
where view = 'benchmark' and open_scope = 'all'
group by source
order by source = $preferred_source desc, points desc, source
limit 1
