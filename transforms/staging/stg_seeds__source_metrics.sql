-- the source metrics seed: which benchmark, name and catalog fields a leaderboard metric gets
select * from seeds.source_metrics
