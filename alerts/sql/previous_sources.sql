-- the sources whose data the last run's crossings held (a source new since raises no events)
select distinct benchmarks.source from marts.crossings
inner join marts.benchmarks using (benchmark_id) where benchmarks.source is not null
